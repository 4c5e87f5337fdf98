package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

// crossOrigin are the headers a browser adds to a form that another site
// posts to the simulator.
var crossOrigin = map[string]http.Header{
	"foreign Origin":            {"Origin": {"https://evil.example"}},
	"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}},
	"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://www.shop.example"}},
}

// sameOrigin are the headers of the simulator's own forms: none from a Go
// client such as QA's, and from a browser Sec-Fetch-Site same-origin with
// Origin "null", since the pages send no referrer.
func sameOrigin(e *env) map[string]http.Header {
	return map[string]http.Header{
		"no browser headers":         nil,
		"Sec-Fetch-Site same-origin": {"Sec-Fetch-Site": {"same-origin"}, "Origin": {"null"}},
		"matching Origin":            {"Origin": {e.srv.URL}},
	}
}

func TestConsentDecisionRefusesCrossOriginPosts(t *testing.T) {
	e := newEnv(t)
	for name, h := range crossOrigin {
		_, doc := page(t, e.client.ConsentURL("s", redirectURI, "9000000001"))
		for _, button := range []string{"consent-allow", "consent-deny"} {
			back := submitWith(t, e.srv.URL, doc, button, nil, h)
			if back.StatusCode != http.StatusForbidden || back.Header.Get("Location") != "" {
				t.Errorf("%s, %s: HTTP %d, Location %q", name, button, back.StatusCode, back.Header.Get("Location"))
			}
		}
	}
	for name, h := range sameOrigin(e) {
		_, doc := page(t, e.client.ConsentURL("s", redirectURI, "9000000001"))
		back := submitWith(t, e.srv.URL, doc, "consent-allow", nil, h)
		loc, _ := url.Parse(back.Header.Get("Location"))
		if back.StatusCode != http.StatusSeeOther || loc.Query().Get("code") == "" {
			t.Errorf("%s: HTTP %d, Location %q", name, back.StatusCode, loc)
		}
	}
}

func TestOTPSubmitRefusesCrossOriginPosts(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000005")
	for name, h := range crossOrigin {
		ch, err := e.charge(tok, "otp-csrf", rupees("10"))
		if err != nil || ch.AmazonPayURL == "" {
			t.Fatalf("charge = %+v, %v", ch, err)
		}
		_, doc := page(t, ch.AmazonPayURL)
		back := submitWith(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {sandbox.OTPApprove}}, h)
		if back.StatusCode != http.StatusForbidden || back.Header.Get("Location") != "" {
			t.Errorf("%s: HTTP %d, Location %q", name, back.StatusCode, back.Header.Get("Location"))
		}
		if st, err := e.client.ChargeStatus(t.Context(), "otp-csrf"); err != nil || st.Status != amazonpay.StatusCapturePending {
			t.Errorf("%s: the refused OTP moved the charge: %+v, %v", name, st, err)
		}
	}
	for name, h := range sameOrigin(e) {
		id := "otp-" + strings.ReplaceAll(name, " ", "-")
		ch, err := e.charge(tok, id, rupees("10"))
		if err != nil || ch.AmazonPayURL == "" {
			t.Fatalf("charge = %+v, %v", ch, err)
		}
		_, doc := page(t, ch.AmazonPayURL)
		back := submitWith(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {sandbox.OTPApprove}}, h)
		if back.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: HTTP %d", name, back.StatusCode)
		}
		if st, err := e.client.ChargeStatus(t.Context(), id); err != nil || st.Status != amazonpay.StatusCaptureApproved {
			t.Errorf("%s: charge = %+v, %v", name, st, err)
		}
	}
}

// TestMachineEndpointsAreNotCSRFChecked shows that the endpoints servers
// call, authenticated by signature or client secret, answer whatever
// browser headers a request carries.
func TestMachineEndpointsAreNotCSRFChecked(t *testing.T) {
	e := newEnv(t)
	foreign := func(r *http.Request) {
		r.Header.Set("Origin", "https://evil.example")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
	}

	code := e.consent("9000000001", "s", "consent-allow").Query().Get("code")
	c := sandbox.DefaultCredentials()
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
	}
	req, _ := http.NewRequest(http.MethodPost, e.cfg.LWAURL+amazonpay.PathToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	foreign(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token endpoint: HTTP %d", resp.StatusCode)
	}

	now := e.clock.Now()
	status, _ := e.raw(defaultSigner(), now, "POST", amazonpay.PathEligibility, nil, map[string]string{
		"merchantId": c.MerchantID, "phoneNumber": "9000000001", "amount": "10.00", "instrumentType": "AmazonPayLater",
	}, foreign)
	if status != http.StatusOK {
		t.Errorf("eligibility: HTTP %d", status)
	}
	status, _ = e.raw(defaultSigner(), now, "POST", amazonpay.PathCharge, nil, map[string]string{
		"intent": "Capture", "amount": "10.00", "currencyCode": "INR", "callbackUrl": callbackURL,
		"accessToken": tok.AccessToken, "chargeId": "m2m-1", "referenceId": "m2m-1",
		"merchantId": c.MerchantID, "attributableProgram": "S2SPay",
		"timeoutInSecs": "300", "selectedPaymentInstrumentType": "AmazonPayLater",
	}, foreign)
	if status != http.StatusOK {
		t.Errorf("charge: HTTP %d", status)
	}
	status, _ = e.raw(defaultSigner(), now, "POST", amazonpay.PathRefund, nil, map[string]string{
		"merchantId": c.MerchantID, "chargeId": "m2m-1", "chargeIdType": "MerchantTxnId", "refundId": "m2m-r1",
		"amount": "10.00", "currencyCode": "INR",
	}, foreign)
	if status != http.StatusOK {
		t.Errorf("refund: HTTP %d", status)
	}
}
