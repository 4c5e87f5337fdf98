package sandbox_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
)

// linkBalanceOnly links phone with the consent page's "Allow for Amazon
// Pay balance only".
func (e *env) linkBalanceOnly(phone string) amazonpay.Token {
	e.t.Helper()
	loc := e.consent(phone, "st-bo-"+phone, "consent-allow-balance-only")
	if loc.Query().Get("scope") != amazonpay.ConsentScope {
		e.t.Errorf("redirect scope = %q", loc.Query().Get("scope"))
	}
	tok, err := e.client.ExchangeCode(context.Background(), loc.Query().Get("code"), redirectURI)
	if err != nil {
		e.t.Fatalf("exchange code for %s: %v", phone, err)
	}
	return tok
}

// checkBalanceOnly checks that tok is refused for every Pay Later call and
// accepted for balance calls.
func checkBalanceOnly(t *testing.T, e *env, tok amazonpay.Token, id string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.client.Instruments(ctx, tok.AccessToken, rupees("100")); !amazonpay.IsInvalidAccessToken(err) {
		t.Errorf("Pay Later instruments: %v", err)
	}
	for _, types := range []string{"AmazonPayLater", "AmazonPayLater,AmazonPayBalance"} {
		if status, code, _ := e.instruments(payLaterSeller(), tok, types, rupees("100")); status != http.StatusForbidden || code != amazonpay.CodeInvalidAccessToken {
			t.Errorf("instruments %s: HTTP %d %s", types, status, code)
		}
	}
	_, err := e.charge(tok, id+"-apl", rupees("100"))
	if !amazonpay.IsInvalidAccessToken(err) {
		t.Errorf("Pay Later charge: %v", err)
	}
	if e.sim.ChargeCount(id+"-apl") != 0 {
		t.Error("a refused Pay Later charge was made")
	}
	if status, _, in := e.instruments(payLaterSeller(), tok, "AmazonPayBalance", rupees("100")); status != http.StatusOK || in.AmazonPayBalance == nil || !in.AmazonPayBalance.Enabled {
		t.Errorf("balance instruments: HTTP %d %+v", status, in)
	}
	if status, _, ch := e.balanceCharge(tok, id+"-bal", rupees("100")); status != http.StatusOK || ch.Status != "CaptureApproved" {
		t.Errorf("balance charge: HTTP %d %+v", status, ch)
	}
}

func TestBalanceOnlyLink(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.linkBalanceOnly("9000000001")
	checkBalanceOnly(t, e, tok, "bo-1")
	if got := e.sim.Credit("9000000001"); got != rupees("50000") {
		t.Errorf("credit = %s", got)
	}
	if got := e.sim.Balance("9000000001"); got != rupees("900") {
		t.Errorf("balance = %s", got)
	}
	// Only a Pay Later link counts as linked for Pay Later.
	if el, err := e.client.Eligibility(ctx, "9000000001", rupees("100")); err != nil || !el.LinkingRequired {
		t.Errorf("eligibility = %+v, %v", el, err)
	}

	// The refresh token keeps the scope it was consented with.
	e.clock.Advance(61 * time.Minute)
	fresh, err := e.client.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	checkBalanceOnly(t, e, fresh, "bo-2")

	// Linking again with Allow gives a token good for both.
	full := e.link("9000000001")
	if in, err := e.client.Instruments(ctx, full.AccessToken, rupees("100")); err != nil || !in.Enabled {
		t.Errorf("full link: %+v, %v", in, err)
	}
	if _, err := e.charge(full, "bo-full", rupees("100")); err != nil {
		t.Errorf("full link charge: %v", err)
	}
	if _, err := e.client.Instruments(ctx, fresh.AccessToken, rupees("100")); !amazonpay.IsInvalidAccessToken(err) {
		t.Errorf("the balance-only token widened: %v", err)
	}
}

func TestConsentOffersBalanceOnly(t *testing.T) {
	e := newEnv(t)
	_, doc := page(t, e.client.ConsentURL("s", redirectURI, "9000000011"))
	for _, id := range []string{"consent-allow", "consent-allow-balance-only", "consent-deny"} {
		if doc.Find(`[data-testid="`+id+`"]`).Closest(`form[method="post"]`).Find("button").Length() != 1 {
			t.Errorf("%s is not alone in a POST form", id)
		}
	}
	if doc.Find("style, script, [style]").Length() != 0 {
		t.Error("page has inline styles or scripts")
	}
	// Without a login hint the page asks for the phone in the Allow form
	// only, so balance only is not offered.
	_, doc = page(t, e.client.ConsentURL("s", redirectURI, ""))
	if doc.Find(`[data-testid="consent-allow-balance-only"]`).Length() != 0 {
		t.Error("balance only offered without a phone")
	}
	for name, h := range crossOrigin {
		_, doc := page(t, e.client.ConsentURL("s", redirectURI, "9000000011"))
		if back := submitWith(t, e.srv.URL, doc, "consent-allow-balance-only", nil, h); back.StatusCode != http.StatusForbidden {
			t.Errorf("%s: HTTP %d", name, back.StatusCode)
		}
	}
}
