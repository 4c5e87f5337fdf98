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
	"unicode/utf8"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/i18n"
	"github.com/paypage/paypage/internal/money"
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
	// merchantName and amount are the payment the link is asked for, as
	// the merchant's consent URL names it (amazonpay.ConsentURLFor); shown
	// only, and only when well formed.
	merchantName string
	amount       money.Paise
}

// maxMerchantName bounds the merchant name the consent page shows.
const maxMerchantName = 100

// parseConsent validates the authorization request in v. An unknown client
// or a redirect URI not registered for it is answered with a page (never a
// redirect); other problems are OAuth errors sent back to the redirect URI.
func (s *Simulator) parseConsent(w http.ResponseWriter, r *http.Request, v url.Values) (consentRequest, bool) {
	c := consentRequest{
		clientID: v.Get("client_id"), redirectURI: v.Get("redirect_uri"), state: v.Get("state"),
		scope: v.Get("scope"), loginHint: v.Get("login_hint"),
	}
	if name := strings.TrimSpace(v.Get(amazonpay.ParamMerchantName)); name != "" && utf8.RuneCountInString(name) <= maxMerchantName && utf8.ValidString(name) {
		c.merchantName = name
	}
	if a, err := money.Parse(v.Get(amazonpay.ParamAmount)); err == nil && a > 0 && v.Get(amazonpay.ParamCurrency) == "INR" {
		c.amount = a
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

func (s *Simulator) consentPage(r *http.Request, c consentRequest, errMsg string) tpl.ConsentVM {
	vm := tpl.ConsentVM{
		Page: s.shopperPage(r, "sandbox.consent.heading"), Action: s.path(LWAPath + amazonpay.PathAuthorize),
		AppName: "paypage sandbox merchant", Error: errMsg,
		Hidden: []tpl.Field{
			{Name: "client_id", Value: c.clientID}, {Name: "redirect_uri", Value: c.redirectURI},
			{Name: "state", Value: c.state}, {Name: "scope", Value: c.scope}, {Name: "response_type", Value: "code"},
		},
	}
	if c.merchantName != "" {
		vm.AppName = c.merchantName
		vm.Hidden = append(vm.Hidden, tpl.Field{Name: amazonpay.ParamMerchantName, Value: c.merchantName})
	}
	if c.amount > 0 {
		vm.Amount = c.amount.Indian()
		vm.Hidden = append(vm.Hidden, tpl.Field{Name: amazonpay.ParamAmount, Value: c.amount.String()},
			tpl.Field{Name: amazonpay.ParamCurrency, Value: "INR"})
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
	s.render(w, r, http.StatusOK, tpl.Consent(s.consentPage(r, c, "")))
}

func (s *Simulator) decideConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.shopperMessage(w, r, http.StatusBadRequest, "sandbox.bad_request.heading", "sandbox.bad_request.form")
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
		s.render(w, r, http.StatusUnprocessableEntity, tpl.Consent(s.consentPage(r, c, i18n.T(pageContext(r), "sandbox.consent.bad_phone"))))
		return
	}
	code := "ANLw" + rand.Text()
	err := s.do(r.Context(), func(t *txn) {
		t.exec(`INSERT INTO amazonpay_sandbox.auth_codes (code, client_id, redirect_uri, phone, balance_only, expires)
			VALUES ($1, $2, $3, $4, $5, $6)`, code, c.clientID, c.redirectURI, phone, decision == decisionBalanceOnly, t.now.Add(codeTTL))
	})
	if err != nil {
		s.shopperMessage(w, r, http.StatusInternalServerError, "sandbox.error.heading", "sandbox.error.consent")
		return
	}
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
	type answer struct {
		code, desc         string // an OAuth error, or none
		access, refreshTok string
	}
	var ans answer
	// A code is redeemed by deleting it and a refresh token only adds an
	// access grant, so no lock beyond stateLock shared is needed.
	err := s.change(r.Context(), func(t *txn) {
		switch f.Get("grant_type") {
		case "authorization_code":
			ans.access, ans.refreshTok, ans.code, ans.desc = t.exchangeCode(f.Get("code"), id, f.Get("redirect_uri"))
		case "refresh_token":
			ans.refreshTok = f.Get("refresh_token")
			var g refreshGrant
			var revoked bool
			if !t.one(`SELECT phone, balance_only, revoked FROM amazonpay_sandbox.refresh_grants WHERE token = $1`,
				[]any{ans.refreshTok}, &g.phone, &g.balanceOnly, &revoked) || revoked {
				ans.code, ans.desc = "invalid_grant", "The refresh token is invalid or has been revoked."
				return
			}
			ans.access = t.issueAccess(g, ans.refreshTok)
		default:
			ans.code, ans.desc = "unsupported_grant_type", "The grant_type is not supported."
		}
	})
	switch {
	case err != nil:
		oauthError(w, http.StatusInternalServerError, "server_error", "The token could not be issued. Retry later.")
	case ans.code != "":
		oauthError(w, http.StatusBadRequest, ans.code, ans.desc)
	default:
		writeToken(w, ans.access, ans.refreshTok)
	}
}

// exchangeCode redeems an authorization code for a new link: a refresh
// token and a first access token. A code is single use, even when the
// exchange fails, and whichever process is asked: it is deleted as it is
// read. A refusal comes back as an OAuth error code and description.
func (t *txn) exchangeCode(code, clientID, redirectURI string) (access, refresh, errCode, errDesc string) {
	var c authCode
	found := t.one(`DELETE FROM amazonpay_sandbox.auth_codes WHERE code = $1
		RETURNING client_id, redirect_uri, phone, balance_only, expires`, []any{code},
		&c.clientID, &c.redirectURI, &c.phone, &c.balanceOnly, &c.expires)
	if !found || t.now.After(c.expires) || c.clientID != clientID {
		return "", "", "invalid_grant", "The authorization code is invalid or expired."
	}
	if redirectURI != c.redirectURI {
		return "", "", "invalid_grant", "The redirect_uri does not match the authorization request."
	}
	refresh = "Atzr|" + rand.Text() + rand.Text()
	g := refreshGrant{phone: c.phone, balanceOnly: c.balanceOnly}
	t.exec(`INSERT INTO amazonpay_sandbox.refresh_grants (token, phone, balance_only) VALUES ($1, $2, $3)`,
		refresh, g.phone, g.balanceOnly)
	return t.issueAccess(g, refresh), refresh, "", ""
}

// issueAccess issues an access token under refresh grant g, for what g was
// consented for.
func (t *txn) issueAccess(g refreshGrant, refresh string) string {
	tok := "Atza|" + rand.Text() + rand.Text()
	t.exec(`INSERT INTO amazonpay_sandbox.access_grants (token, phone, refresh, balance_only, expires) VALUES ($1, $2, $3, $4, $5)`,
		tok, g.phone, refresh, g.balanceOnly, t.now.Add(accessTTL))
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

// phoneForToken finds whose access token tok is, or answers 403
// InvalidAccessToken for an unknown, expired or revoked one, and, when the
// call is for Amazon Pay Later (payLater), for one linked for balance only.
func (t *txn) phoneForToken(tok string, payLater bool) (string, *apiError) {
	var g accessGrant
	var revoked bool
	found := t.one(`SELECT a.phone, a.balance_only, a.expires, r.revoked
		FROM amazonpay_sandbox.access_grants a JOIN amazonpay_sandbox.refresh_grants r ON r.token = a.refresh
		WHERE a.token = $1`, []any{tok}, &g.phone, &g.balanceOnly, &g.expires, &revoked)
	if e := tokenRefusal(found, g, revoked, payLater, t.now); e != nil {
		return "", e
	}
	return g.phone, nil
}

// tokenRefusal is the answer to an access token that was not found, has
// expired or was revoked, or that is for balance only on a Pay Later call
// (payLater); nil for a token that may be used.
func tokenRefusal(found bool, g accessGrant, revoked, payLater bool, now time.Time) *apiError {
	if !found || now.After(g.expires) || revoked {
		return errorf(http.StatusForbidden, amazonpay.CodeInvalidAccessToken, "The access token is invalid or expired.")
	}
	if payLater && g.balanceOnly {
		return errorf(http.StatusForbidden, amazonpay.CodeInvalidAccessToken,
			"The access token was linked for Amazon Pay balance only; link again to pay with Amazon Pay Later.")
	}
	return nil
}
