package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

// twoFactor charges the 2FA persona, submits otp on the amazonPayUrl page
// and returns where the customer was sent back to.
func twoFactor(t *testing.T, e *env, tok amazonpay.Token, id, otp string) *url.URL {
	t.Helper()
	ch, err := e.charge(tok, id, rupees("1234.50"))
	if err != nil || ch.Status != amazonpay.StatusCapturePending || ch.AmazonPayURL == "" {
		t.Fatalf("charge = %+v, %v", ch, err)
	}
	resp, doc := page(t, ch.AmazonPayURL)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("2FA page: HTTP %d", resp.StatusCode)
	}
	input := doc.Find(`[data-testid="otp-input"]`)
	if input.AttrOr("name", "") != "otp" || doc.Find(`label[for="`+input.AttrOr("id", "-")+`"]`).Length() != 1 {
		t.Error("otp input has no name otp or no label")
	}
	if got := doc.Find(`[data-testid="otp-amount"]`).Text(); got != "₹1,234.50" {
		t.Errorf("amount shown = %q", got)
	}
	back := submit(t, e.srv.URL, doc, "otp-submit", url.Values{"otp": {otp}})
	if back.StatusCode != http.StatusSeeOther {
		t.Fatalf("OTP submit: HTTP %d", back.StatusCode)
	}
	loc, _ := url.Parse(back.Header.Get("Location"))
	if !strings.HasPrefix(loc.String(), "https://shop.example/amazonpay/return?") ||
		loc.Query().Get("attempt") != "1" || loc.Query().Get("chargeId") != id ||
		loc.Query().Get("amazonChargeId") != ch.AmazonChargeID {
		t.Errorf("callback = %s", loc)
	}
	return loc
}

func TestTwoFactorPersona(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.link("9000000005")

	loc := twoFactor(t, e, tok, "otp-ok", sandbox.OTPApprove)
	if loc.Query().Get("status") != "CaptureApproved" {
		t.Errorf("callback status = %q", loc.Query().Get("status"))
	}
	if ch, err := e.client.ChargeStatus(ctx, "otp-ok"); err != nil || ch.Status != amazonpay.StatusCaptureApproved || ch.AmazonPayURL != "" {
		t.Errorf("status = %+v, %v", ch, err)
	}

	loc = twoFactor(t, e, tok, "otp-bad", sandbox.OTPDecline)
	if loc.Query().Get("status") != "Declined" {
		t.Errorf("callback status = %q", loc.Query().Get("status"))
	}
	ch, err := e.client.ChargeStatus(ctx, "otp-bad")
	if err != nil || ch.Status != amazonpay.StatusDeclined || ch.ReasonCode != sandbox.ReasonCodeOTPFailed {
		t.Errorf("status = %+v, %v", ch, err)
	}
	if got := e.sim.Credit("9000000005"); got != rupees("10000")-rupees("1234.50") {
		t.Errorf("credit = %s", got)
	}

	resp, err := browser().Get(e.srv.URL + prefix + "/pay/S04-nope")
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown charge page: %v %v", resp, err)
	}

	// An abandoned 2FA charge fails after timeoutInSecs.
	ch, err = e.charge(tok, "otp-left", rupees("10"))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(300 * time.Second)
	if ch, _ := e.client.ChargeStatus(ctx, "otp-left"); ch.Status != amazonpay.StatusFailed || ch.ReasonCode != sandbox.ReasonCodeTimedOut {
		t.Errorf("abandoned = %+v", ch)
	}
	// Revisiting the page of a finished charge goes straight back.
	resp, err = browser().Get(ch.AmazonPayURL)
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "status=Failed") {
		t.Errorf("finished charge page: %v %v", resp, err)
	}
}

func TestDuplicateChargeID(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000001")
	first, err := e.charge(tok, "dup-1", rupees("500"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.charge(tok, "dup-1", rupees("500"))
	if err != nil || again.AmazonChargeID != first.AmazonChargeID || again.Status != amazonpay.StatusCaptureApproved {
		t.Fatalf("repeat = %+v, %v", again, err)
	}
	if _, err := e.charge(tok, "dup-1", rupees("501")); !amazonpay.IsDuplicateChargeID(err) {
		t.Errorf("same id, other amount: %v", err)
	}
	code, _ := e.raw(defaultSigner(), e.clock.Now(), "POST", amazonpay.PathCharge, nil, map[string]string{
		"intent": "Capture", "amount": "500.00", "currencyCode": "INR", "callbackUrl": callbackURL,
		"accessToken": tok.AccessToken, "chargeId": "dup-1", "referenceId": "dup-1",
		"merchantId": sandbox.DefaultCredentials().MerchantID, "attributableProgram": "S2SPay",
		"timeoutInSecs": "300", "selectedPaymentInstrumentType": "AmazonPayLater",
	}, nil)
	if code != http.StatusBadRequest {
		t.Errorf("raw duplicate: HTTP %d", code)
	}
	if n := e.sim.ChargeCount("dup-1"); n != 1 {
		t.Errorf("charge count = %d", n)
	}
	if got := e.sim.Credit("9000000001"); got != rupees("49500") {
		t.Errorf("credit = %s", got)
	}
	_, err = e.client.ChargeStatus(context.Background(), "never-made")
	if !amazonpay.IsNotFound(err) {
		t.Errorf("unknown charge: %v", err)
	}
}

func TestRefunds(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.link("9000000001")
	if _, err := e.charge(tok, "ref-c1", rupees("1000")); err != nil {
		t.Fatal(err)
	}
	req := amazonpay.RefundRequest{RefundID: "r1", ChargeID: "ref-c1", Amount: rupees("400")}
	rf, err := e.client.Refund(ctx, req)
	if err != nil || rf.Status != amazonpay.StatusPending || rf.Amount != rupees("400") || !strings.HasPrefix(rf.AmazonRefundID, rf.AmazonChargeID+"-R") {
		t.Fatalf("refund = %+v, %v", rf, err)
	}
	if got := e.sim.Credit("9000000001"); got != rupees("49400") {
		t.Errorf("credit after approval = %s", got)
	}
	rf, err = e.client.RefundStatus(ctx, "r1")
	if err != nil || rf.Status != amazonpay.StatusApproved {
		t.Fatalf("refund status = %+v, %v", rf, err)
	}
	again, err := e.client.Refund(ctx, req)
	if err != nil || again.AmazonRefundID != rf.AmazonRefundID || again.Status != amazonpay.StatusApproved {
		t.Errorf("duplicate refund = %+v, %v", again, err)
	}
	if _, err := e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "r1", ChargeID: "ref-c1", Amount: rupees("1")}); !amazonpay.IsDuplicateRefundID(err) {
		t.Errorf("reused refund id, other amount: %v", err)
	}
	_, err = e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "r2", ChargeID: "ref-c1", Amount: rupees("600.01")})
	wantCode(t, err, amazonpay.CodeExcessRefundAmount)
	if _, err := e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "r3", ChargeID: "ref-c1", Amount: rupees("600")}); err != nil {
		t.Error(err)
	}
	_, err = e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "r4", ChargeID: "nope", Amount: rupees("1")})
	wantCode(t, err, amazonpay.CodeInvalidChargeID)
	if _, err := e.client.RefundStatus(ctx, "nope"); !amazonpay.IsNotFound(err) {
		t.Errorf("unknown refund: %v", err)
	}
	if got := e.sim.Credit("9000000001"); got != rupees("50000") {
		t.Errorf("credit after full refund = %s", got)
	}
	if got := e.sim.Charges("9000000001"); len(got) != 1 || got[0].Refunded != rupees("1000") {
		t.Errorf("charges = %+v", got)
	}

	declined := e.link("9000000006")
	if _, err := e.charge(declined, "ref-d1", rupees("10")); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "r5", ChargeID: "ref-d1", Amount: rupees("10")})
	wantCode(t, err, amazonpay.CodeChargeNotApproved)
}

// TestConcurrentChargesNeverExceedCredit fires 50 parallel charges at the
// ₹1,000 persona and 20 parallel repeats of one charge id.
func TestConcurrentChargesNeverExceedCredit(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000002")
	var wg sync.WaitGroup
	var mu sync.Mutex
	approved, refused := 0, 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, err := e.charge(tok, fmt.Sprintf("par-%02d", i), rupees("100"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && ch.Status == amazonpay.StatusCaptureApproved:
				approved++
			case amazonpay.Code(err) == amazonpay.CodeInsufficientFunds:
				refused++
			default:
				t.Errorf("charge %d: %+v, %v", i, ch, err)
			}
		}()
	}
	wg.Wait()
	if approved != 10 || refused != 40 {
		t.Errorf("approved %d, refused %d", approved, refused)
	}
	if got := e.sim.Credit("9000000002"); got != 0 {
		t.Errorf("credit = %s", got)
	}

	other := e.link("9000000001")
	ids := make(chan string, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, err := e.charge(other, "same-id", rupees("700"))
			if err != nil {
				t.Error(err)
			}
			ids <- ch.AmazonChargeID
		}()
	}
	wg.Wait()
	close(ids)
	first := <-ids
	for id := range ids {
		if id != first {
			t.Errorf("amazon ids differ: %s, %s", first, id)
		}
	}
	if got := e.sim.Credit("9000000001"); got != rupees("49300") {
		t.Errorf("credit = %s", got)
	}
}
