package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

// otpPage charges the 2FA persona and opens its OTP page.
func otpPage(t *testing.T, e *env, tok amazonpay.Token, id string) (amazonpay.Charge, *goquery.Document) {
	t.Helper()
	ch, err := e.charge(tok, id, rupees("500"))
	if err != nil || ch.Status != amazonpay.StatusCapturePending || ch.AmazonPayURL == "" {
		t.Fatalf("charge = %+v, %v", ch, err)
	}
	_, doc := page(t, ch.AmazonPayURL)
	return ch, doc
}

// submitDoc is submit that also reads the page answered.
func submitDoc(t *testing.T, base string, doc *goquery.Document, id string, extra url.Values) (*http.Response, *goquery.Document) {
	t.Helper()
	form := doc.Find(`[data-testid="` + id + `"]`).Closest("form")
	vals := url.Values{}
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		if name, ok := in.Attr("name"); ok {
			vals.Set(name, in.AttrOr("value", ""))
		}
	})
	for k, v := range extra {
		vals[k] = v
	}
	target, _ := url.Parse(base)
	action, _ := url.Parse(form.AttrOr("action", ""))
	resp, err := browser().PostForm(target.ResolveReference(action).String(), vals)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, answer
}

// A mistyped OTP is shown again with the tries left and may be corrected;
// the page can resend the code.
func TestOTPTypoThenCorrect(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000005")
	ch, doc := otpPage(t, e, tok, "otp-typo")
	resend := doc.Find(`[data-testid="otp-resend"]`).AttrOr("href", "")
	if resend == "" {
		t.Fatal("no resend link")
	}
	resp, again := page(t, e.srv.URL+resend)
	if resp.StatusCode != http.StatusOK || !strings.Contains(again.Find(`[data-testid="otp-notice"]`).Text(), "sent the code again") {
		t.Errorf("resend: HTTP %d, notice %q", resp.StatusCode, again.Find(`[data-testid="otp-notice"]`).Text())
	}

	wrong, wrongDoc := submitDoc(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {"123465"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(wrongDoc.Find(`[data-testid="otp-error"]`).Text(), "2 tries left") ||
		wrongDoc.Find(`[data-testid="otp-input"]`).Length() != 1 {
		t.Fatalf("typo: HTTP %d, error %q", wrong.StatusCode, wrongDoc.Find(`[data-testid="otp-error"]`).Text())
	}
	if st, err := e.client.ChargeStatus(context.Background(), "otp-typo"); err != nil || st.Status != amazonpay.StatusCapturePending {
		t.Errorf("after a typo the charge is %+v, %v; want still pending", st, err)
	}
	back := submit(t, e.srv.URL, wrongDoc, "otp-submit", url.Values{"otp": {sandbox.OTPApprove}})
	if back.StatusCode != http.StatusSeeOther || !strings.Contains(back.Header.Get("Location"), "status=CaptureApproved") {
		t.Fatalf("correct code after a typo: HTTP %d, %q", back.StatusCode, back.Header.Get("Location"))
	}
	if st, _ := e.client.ChargeStatus(context.Background(), ch.ChargeID); st.Status != amazonpay.StatusCaptureApproved {
		t.Errorf("status %+v", st)
	}
}

// Three wrong codes decline the charge as one wrong code did before;
// 999999 still declines at once.
func TestOTPThreeWrongTriesDecline(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000005")
	_, doc := otpPage(t, e, tok, "otp-thrice")
	for i, left := range []string{"2 tries left", "1 try left"} {
		var resp *http.Response
		resp, doc = submitDoc(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {"000000"}})
		if got := doc.Find(`[data-testid="otp-error"]`).Text(); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, left) {
			t.Fatalf("wrong code %d: HTTP %d, %q", i+1, resp.StatusCode, got)
		}
	}
	back := submit(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {"000000"}})
	if back.StatusCode != http.StatusSeeOther || !strings.Contains(back.Header.Get("Location"), "status=Declined") {
		t.Fatalf("third wrong code: HTTP %d, %q", back.StatusCode, back.Header.Get("Location"))
	}
	st, err := e.client.ChargeStatus(context.Background(), "otp-thrice")
	if err != nil || st.Status != amazonpay.StatusDeclined || st.ReasonCode != sandbox.ReasonCodeOTPFailed {
		t.Errorf("status %+v, %v", st, err)
	}

	_, doc = otpPage(t, e, tok, "otp-qa")
	back = submit(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {sandbox.OTPDecline}})
	if back.StatusCode != http.StatusSeeOther || !strings.Contains(back.Header.Get("Location"), "status=Declined") {
		t.Errorf("999999: HTTP %d, %q", back.StatusCode, back.Header.Get("Location"))
	}
}

// The consent page names the merchant and the amount when the consent URL
// carries them, and keeps them on its forms; without them it shows the
// simulator's own name and no amount.
func TestConsentShowsMerchantAndAmount(t *testing.T) {
	e := newEnv(t)
	resp, doc := page(t, e.client.ConsentURLFor("st-1", redirectURI, "9000000001", "Chai & Co", rupees("149900")))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: HTTP %d", resp.StatusCode)
	}
	if got := doc.Find(`[data-testid="consent-merchant"]`).Text(); got != "Chai & Co" {
		t.Errorf("merchant shown %q", got)
	}
	if got := doc.Find(`[data-testid="consent-amount"]`).Text(); got != "₹1,49,900.00" {
		t.Errorf("amount shown %q", got)
	}
	allow := doc.Find(`[data-testid="consent-allow"]`).Closest("form")
	if allow.Find(`input[name="merchantName"]`).AttrOr("value", "") != "Chai & Co" || allow.Find(`input[name="amount"]`).AttrOr("value", "") != "149900.00" {
		t.Error("the consent form does not carry the payment")
	}
	back := submit(t, e.srv.URL, doc, "consent-allow", nil)
	if back.StatusCode != http.StatusSeeOther || !strings.Contains(back.Header.Get("Location"), "code=") {
		t.Errorf("allow: HTTP %d, %q", back.StatusCode, back.Header.Get("Location"))
	}

	for name, u := range map[string]string{
		"none":        e.client.ConsentURL("st-2", redirectURI, "9000000001"),
		"bad amount":  e.client.ConsentURL("st-3", redirectURI, "9000000001") + "&amount=lots&currencyCode=INR",
		"no currency": e.client.ConsentURL("st-4", redirectURI, "9000000001") + "&amount=10.00",
		"long name":   e.client.ConsentURL("st-5", redirectURI, "9000000001") + "&merchantName=" + strings.Repeat("x", 101),
	} {
		_, doc := page(t, u)
		if doc.Find(`[data-testid="consent-amount"]`).Length() != 0 || doc.Find(`[data-testid="consent-merchant"]`).Text() != "paypage sandbox merchant" {
			t.Errorf("%s: merchant %q, amount %q", name, doc.Find(`[data-testid="consent-merchant"]`).Text(), doc.Find(`[data-testid="consent-amount"]`).Text())
		}
	}
}

// The Key Fact Statement links back to the payment page it was opened
// from, only on paypage's own origin (that of the registered redirect URIs).
func TestKFSLinksBackToPayment(t *testing.T) {
	e := newEnv(t)
	kfs := e.srv.URL + prefix + "/render_kfs?payload=9000000001&return="
	for ret, want := range map[string]string{
		"https://shop.example/orders/o1/payment-page": "https://shop.example/orders/o1/payment-page",
		"https://evil.example/orders/o1/payment-page": "",
		"http://shop.example/orders/o1/payment-page":  "",
		"javascript:alert(1)":                         "",
		"":                                            "",
	} {
		resp, doc := page(t, kfs+url.QueryEscape(ret))
		if got := doc.Find(`[data-testid="kfs-back"]`).AttrOr("href", ""); resp.StatusCode != http.StatusOK || got != want {
			t.Errorf("return %q: HTTP %d, back link %q, want %q", ret, resp.StatusCode, got, want)
		}
	}
}
