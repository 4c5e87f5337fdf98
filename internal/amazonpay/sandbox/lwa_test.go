package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

func TestConsentAllowLinksAndCodeIsSingleUse(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	resp, doc := page(t, e.client.ConsentURL("state-1", redirectURI, "+91 90000 00001"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	if got := doc.Find(`[data-testid="consent-phone"]`).Text(); got != "9000000001" {
		t.Errorf("persona phone shown = %q", got)
	}
	if !strings.Contains(doc.Text(), "Asha") {
		t.Error("persona name not shown")
	}
	if doc.Find(`[data-testid="consent-deny"]`).Closest("form").Length() != 1 {
		t.Error("deny is not in its own form")
	}
	if doc.Find("style, script, [style]").Length() != 0 {
		t.Error("page has inline styles or scripts")
	}
	css, ok := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !ok || !strings.HasPrefix(css, prefix+"/assets/") {
		t.Fatalf("stylesheet href = %q", css)
	}
	if r, err := http.Get(e.srv.URL + css); err != nil || r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %v %v", r, err)
	}

	back := submit(t, e.srv.URL, doc, "consent-allow", nil)
	loc, _ := url.Parse(back.Header.Get("Location"))
	if loc.Query().Get("state") != "state-1" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect = %s", loc)
	}
	tok, err := e.client.ExchangeCode(ctx, loc.Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.AccessToken, "Atza|") || !strings.HasPrefix(tok.RefreshToken, "Atzr|") ||
		tok.ExpiresIn != 3600 || !tok.Expiry.Equal(e.clock.Now().Add(time.Hour)) {
		t.Errorf("token = %+v", tok)
	}
	if _, err := e.client.ExchangeCode(ctx, loc.Query().Get("code"), redirectURI); !errors.Is(err, amazonpay.ErrLinkRevoked) {
		t.Errorf("second use of the code: %v, want invalid_grant", err)
	}
}

func TestConsentCodeChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := e.consent("9000000001", "s", "consent-allow").Query().Get("code")
	if _, err := e.client.ExchangeCode(ctx, code, "https://evil.example/"); !errors.Is(err, amazonpay.ErrLinkRevoked) {
		t.Errorf("wrong redirect_uri: %v", err)
	}
	code = e.consent("9000000001", "s", "consent-allow").Query().Get("code")
	e.clock.Advance(6 * time.Minute)
	if _, err := e.client.ExchangeCode(ctx, code, redirectURI); !errors.Is(err, amazonpay.ErrLinkRevoked) {
		t.Errorf("expired code: %v", err)
	}
	cfg := e.cfg
	cfg.ClientSecret = "wrong"
	_, err := amazonpay.New(cfg).ExchangeCode(ctx, "x", redirectURI)
	var oe *amazonpay.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || errors.Is(err, amazonpay.ErrLinkRevoked) {
		t.Errorf("wrong client secret: %v", err)
	}
}

func TestConsentDeny(t *testing.T) {
	e := newEnv(t)
	loc := e.consent("9000000001", "state-2", "consent-deny")
	q := loc.Query()
	if q.Get("error") != "access_denied" || q.Get("state") != "state-2" || q.Get("code") != "" {
		t.Errorf("redirect = %s", loc)
	}
}

func TestConsentWithoutLoginHintAsksForPhone(t *testing.T) {
	e := newEnv(t)
	_, doc := page(t, e.client.ConsentURL("s3", redirectURI, ""))
	if doc.Find(`[data-testid="consent-phone-input"]`).Length() != 1 {
		t.Fatal("no phone input")
	}
	back := submit(t, e.srv.URL, doc, "consent-allow", url.Values{"login_hint": {"919000000002"}})
	loc, _ := url.Parse(back.Header.Get("Location"))
	tok, err := e.client.ExchangeCode(context.Background(), loc.Query().Get("code"), redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.client.Instruments(context.Background(), tok.AccessToken, rupees("10"))
	if err != nil || in.AvailableCredit != rupees("1000") {
		t.Errorf("linked to the wrong persona: %+v %v", in, err)
	}
}

func TestConsentRejectsBadRequests(t *testing.T) {
	e := newEnv(t)
	cfg := e.cfg
	cfg.ClientID = "amzn1.application-oa2-client.unknown"
	if resp, _ := page(t, amazonpay.New(cfg).ConsentURL("s", redirectURI, "")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown client: HTTP %d", resp.StatusCode)
	}
	if resp, _ := page(t, e.client.ConsentURL("s", "javascript:alert(1)", "")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad redirect_uri: HTTP %d", resp.StatusCode)
	}
	u := strings.Replace(e.client.ConsentURL("s", redirectURI, ""), "conduct_silentpay", "other", 1)
	resp, err := browser().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "invalid_scope" {
		t.Errorf("bad scope: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestRefreshAndRevocation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.link("9000000001")
	e.clock.Advance(61 * time.Minute)
	_, err := e.client.Instruments(ctx, tok.AccessToken, rupees("100"))
	if !amazonpay.IsInvalidAccessToken(err) {
		t.Fatalf("expired access token: %v", err)
	}
	fresh, err := e.client.Refresh(ctx, tok.RefreshToken)
	if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken != tok.RefreshToken {
		t.Fatalf("refresh: %+v %v", fresh, err)
	}
	if _, err := e.client.Instruments(ctx, fresh.AccessToken, rupees("100")); err != nil {
		t.Fatal(err)
	}
	e.sim.RevokeLink("9000000001")
	if _, err := e.client.Instruments(ctx, fresh.AccessToken, rupees("100")); !amazonpay.IsInvalidAccessToken(err) {
		t.Errorf("revoked access token: %v", err)
	}
	if _, err := e.client.Refresh(ctx, tok.RefreshToken); !errors.Is(err, amazonpay.ErrLinkRevoked) {
		t.Errorf("revoked refresh: %v", err)
	}
}

func TestConsentRedirectURIMustBeRegistered(t *testing.T) {
	e := newEnv(t)
	unregistered := []string{
		"https://evil.example/amazonpay/linked",
		redirectURI + "/",
		redirectURI + "?next=https://evil.example/",
		redirectURI + "#x",
		strings.Replace(redirectURI, "https:", "http:", 1),
		strings.Replace(redirectURI, "shop.example", "SHOP.example", 1),
		strings.Replace(redirectURI, "shop.example", "shop.example:443", 1),
		strings.TrimSuffix(redirectURI, "/linked"),
		redirectURI + "/../../evil",
		"",
	}
	for _, uri := range unregistered {
		resp, doc := page(t, e.client.ConsentURL("s", uri, "9000000001"))
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("GET with %q: HTTP %d, Location %q", uri, resp.StatusCode, resp.Header.Get("Location"))
		}
		if doc.Find(`[data-testid="consent-allow"]`).Length() != 0 || !strings.Contains(doc.Text(), "not registered") {
			t.Errorf("GET with %q: page does not refuse it: %q", uri, doc.Find("main").Text())
		}

		// The decision is checked again: a form edited to another
		// redirect_uri gets no code.
		_, form := page(t, e.client.ConsentURL("s", redirectURI, "9000000001"))
		for _, button := range []string{"consent-allow", "consent-deny"} {
			back := submit(t, e.srv.URL, form, button, url.Values{"redirect_uri": {uri}})
			if back.StatusCode != http.StatusBadRequest || back.Header.Get("Location") != "" {
				t.Errorf("POST %s with %q: HTTP %d, Location %q", button, uri, back.StatusCode, back.Header.Get("Location"))
			}
		}
	}
}

func TestConsentDecisionRefusesUnknownClient(t *testing.T) {
	e := newEnv(t)
	_, form := page(t, e.client.ConsentURL("s", redirectURI, "9000000001"))
	back := submit(t, e.srv.URL, form, "consent-allow", url.Values{"client_id": {"amzn1.application-oa2-client.other"}})
	if back.StatusCode != http.StatusBadRequest || back.Header.Get("Location") != "" {
		t.Errorf("HTTP %d, Location %q", back.StatusCode, back.Header.Get("Location"))
	}
}

func TestConsentAcceptsEachRegisteredRedirectURI(t *testing.T) {
	other := "http://127.0.0.1:8080/amazonpay/consent"
	sim := sandbox.New(sandbox.Options{DB: newDB(t), Prefix: prefix, RedirectURIs: []string{redirectURI, other}})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	for _, uri := range []string{redirectURI, other} {
		e := &env{t: t, clock: &clock{t: time.Now()}, srv: srv}
		client := amazonpay.New(e.config(srv.URL))
		resp, doc := page(t, client.ConsentURL("s", uri, "9000000001"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d", uri, resp.StatusCode)
		}
		back := submit(t, srv.URL, doc, "consent-allow", nil)
		if loc := back.Header.Get("Location"); back.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, uri+"?") {
			t.Errorf("%s: HTTP %d, Location %q", uri, back.StatusCode, loc)
		}
	}

	none := httptest.NewServer(sandbox.New(sandbox.Options{DB: newDB(t), Prefix: prefix}))
	defer none.Close()
	e := &env{t: t, clock: &clock{t: time.Now()}}
	if resp, _ := page(t, amazonpay.New(e.config(none.URL)).ConsentURL("s", redirectURI, "")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("with nothing registered: HTTP %d", resp.StatusCode)
	}
}
