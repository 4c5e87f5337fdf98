package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	tpl "github.com/paypage/paypage/templates/amazonsandbox"
)

// Consent decisions: the value of the decision field of each consent form.
// Anything else denies.
const (
	decisionAllow       = "allow"
	decisionBalanceOnly = "allow_balance_only" // tokens good for Amazon Pay balance only
)

// Lifetimes of LWA grants, as Amazon documents them.
const (
	codeTTL   = 5 * time.Minute
	accessTTL = time.Hour
)

// consentRequest is a validated authorization request.
type consentRequest struct {
	clientID, redirectURI, state, scope, loginHint string
	redirect                                       *url.URL
}

// parseConsent validates the authorization request in v. An unknown client
// or a redirect URI not registered for it is answered with a page (never a
// redirect); other problems are OAuth errors sent back to the redirect URI.
func (s *Simulator) parseConsent(w http.ResponseWriter, r *http.Request, v url.Values) (consentRequest, bool) {
	c := consentRequest{
		clientID: v.Get("client_id"), redirectURI: v.Get("redirect_uri"), state: v.Get("state"),
		scope: v.Get("scope"), loginHint: v.Get("login_hint"),
	}
	if c.clientID != s.opts.ClientID {
		s.message(w, r, http.StatusBadRequest, "Unknown application", "The client_id is not registered with Login with Amazon.")
		return c, false
	}
	// Exact match, as Login with Amazon does: a prefix, a different case or
	// an added query string would let a code go to whoever controls it.
	if !slices.Contains(s.opts.RedirectURIs, c.redirectURI) {
		s.message(w, r, http.StatusBadRequest, "Redirect URI not registered",
			"The redirect_uri "+strconv.Quote(c.redirectURI)+" is not registered for this application. "+
				"Login with Amazon returns only to a registered URL, matched exactly.")
		return c, false
	}
	u, err := url.Parse(c.redirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		s.message(w, r, http.StatusBadRequest, "Invalid redirect", "The redirect_uri must be an absolute http or https URL.")
		return c, false
	}
	c.redirect = u
	if v.Get("response_type") != "code" {
		s.redirectError(w, r, c, "unsupported_response_type", "Only response_type=code is supported.")
		return c, false
	}
	if !hasScope(c.scope, amazonpay.ConsentScope) {
		s.redirectError(w, r, c, "invalid_scope", "The scope must include "+amazonpay.ConsentScope+".")
		return c, false
	}
	return c, true
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

func (s *Simulator) redirectTo(w http.ResponseWriter, r *http.Request, u *url.URL, params url.Values) {
	dest := *u
	q := dest.Query()
	for k, vs := range params {
		q[k] = vs
	}
	dest.RawQuery = q.Encode()
	http.Redirect(w, r, dest.String(), http.StatusSeeOther)
}

func (s *Simulator) redirectError(w http.ResponseWriter, r *http.Request, c consentRequest, code, desc string) {
	s.redirectTo(w, r, c.redirect, url.Values{"error": {code}, "error_description": {desc}, "state": {c.state}})
}

func (s *Simulator) consentPage(c consentRequest, errMsg string) tpl.ConsentVM {
	vm := tpl.ConsentVM{
		Page: s.page("Link Amazon Pay"), Action: s.path(LWAPath + amazonpay.PathAuthorize),
		AppName: "paypage sandbox merchant", Error: errMsg,
		Hidden: []tpl.Field{
			{Name: "client_id", Value: c.clientID}, {Name: "redirect_uri", Value: c.redirectURI},
			{Name: "state", Value: c.state}, {Name: "scope", Value: c.scope}, {Name: "response_type", Value: "code"},
		},
	}
	phone := NormalizePhone(c.loginHint)
	if !validPhone(phone) {
		vm.NeedPhone = true
		return vm
	}
	p := PersonaFor(phone)
	vm.Phone, vm.PersonaName, vm.PersonaDescription = phone, p.Name, p.Description
	vm.Hidden = append(vm.Hidden, tpl.Field{Name: "login_hint", Value: phone})
	return vm
}

func (s *Simulator) showConsent(w http.ResponseWriter, r *http.Request) {
	c, ok := s.parseConsent(w, r, r.URL.Query())
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, tpl.Consent(s.consentPage(c, "")))
}

func (s *Simulator) decideConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.message(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	c, ok := s.parseConsent(w, r, r.PostForm)
	if !ok {
		return
	}
	decision := r.PostForm.Get("decision")
	if decision != decisionAllow && decision != decisionBalanceOnly {
		s.redirectError(w, r, c, "access_denied", "The customer denied consent.")
		return
	}
	phone := NormalizePhone(c.loginHint)
	if !validPhone(phone) {
		s.render(w, r, http.StatusUnprocessableEntity, tpl.Consent(s.consentPage(c, "Enter a 10-digit mobile number.")))
		return
	}
	code := "ANLw" + rand.Text()
	s.mu.Lock()
	s.codes[code] = &authCode{
		clientID: c.clientID, redirectURI: c.redirectURI, phone: phone,
		balanceOnly: decision == decisionBalanceOnly, expires: s.now().Add(codeTTL),
	}
	s.mu.Unlock()
	s.redirectTo(w, r, c.redirect, url.Values{"code": {code}, "scope": {amazonpay.ConsentScope}, "state": {c.state}})
}

// token is the LWA token endpoint: authorization_code and refresh_token
// grants, with the client authenticated by form fields or HTTP Basic.
func (s *Simulator) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	f := r.PostForm
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if id != s.opts.ClientID || secret != s.opts.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch f.Get("grant_type") {
	case "authorization_code":
		code := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code")) // single use, even when the exchange fails
		if code == nil || now.After(code.expires) || code.clientID != id {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid or expired.")
			return
		}
		if f.Get("redirect_uri") != code.redirectURI {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "The redirect_uri does not match the authorization request.")
			return
		}
		refresh := "Atzr|" + rand.Text() + rand.Text()
		s.refresh[refresh] = &refreshGrant{phone: code.phone, balanceOnly: code.balanceOnly}
		writeToken(w, s.issueAccessLocked(s.refresh[refresh], refresh, now), refresh)
	case "refresh_token":
		g := s.refresh[f.Get("refresh_token")]
		if g == nil || g.revoked {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or has been revoked.")
			return
		}
		writeToken(w, s.issueAccessLocked(g, f.Get("refresh_token"), now), f.Get("refresh_token"))
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant_type is not supported.")
	}
}

// issueAccessLocked issues an access token under refresh grant g, for
// what g was consented for.
func (s *Simulator) issueAccessLocked(g *refreshGrant, refresh string, now time.Time) string {
	tok := "Atza|" + rand.Text() + rand.Text()
	s.access[tok] = &accessGrant{phone: g.phone, refresh: refresh, balanceOnly: g.balanceOnly, expires: now.Add(accessTTL)}
	return tok
}

func writeToken(w http.ResponseWriter, access, refresh string) {
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "refresh_token": refresh, "token_type": "bearer",
		"expires_in": int(accessTTL / time.Second),
	})
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// phoneForTokenLocked finds whose access token tok is, or answers 403
// InvalidAccessToken for an unknown, expired or revoked one, and, when the
// call is for Amazon Pay Later (payLater), for one linked for balance only.
func (s *Simulator) phoneForTokenLocked(tok string, now time.Time, payLater bool) (string, *apiError) {
	g := s.access[tok]
	if g == nil || now.After(g.expires) || (s.refresh[g.refresh] != nil && s.refresh[g.refresh].revoked) {
		return "", errorf(http.StatusForbidden, amazonpay.CodeInvalidAccessToken, "The access token is invalid or expired.")
	}
	if payLater && g.balanceOnly {
		return "", errorf(http.StatusForbidden, amazonpay.CodeInvalidAccessToken,
			"The access token was linked for Amazon Pay balance only; link again to pay with Amazon Pay Later.")
	}
	return g.phone, nil
}
