package sandbox_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/money"
)

// shortCharge charges persona 9000000011 (balance ₹100) more than its
// balance and checks the CapturePending answer and its top-up page.
func shortCharge(t *testing.T, e *env, id string, amount money.Paise) (wireCharge, *goquery.Document) {
	t.Helper()
	status, code, ch := e.balanceCharge(e.link("9000000011"), id, amount)
	if status != http.StatusOK || ch.Status != "CapturePending" || ch.ApprovedAmount != "0.00" {
		t.Fatalf("charge: HTTP %d %s %+v", status, code, ch)
	}
	if want := e.srv.URL + prefix + "/topup/" + ch.AmazonChargeID; deref(ch.AmazonPayURL) != want {
		t.Fatalf("amazonPayUrl = %q, want %q", deref(ch.AmazonPayURL), want)
	}
	if got := e.sim.Balance("9000000011"); got != 0 {
		t.Errorf("balance while the charge waits = %s, want it held", got)
	}
	st, err := e.client.ChargeStatus(context.Background(), id)
	if err != nil || st.Status != amazonpay.StatusCapturePending || st.AmazonPayURL != deref(ch.AmazonPayURL) {
		t.Errorf("status = %+v, %v", st, err)
	}
	resp, doc := page(t, deref(ch.AmazonPayURL))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("top-up page: HTTP %d", resp.StatusCode)
	}
	return ch, doc
}

// backTo checks a top-up decision's redirect to the charge's callbackUrl.
func backTo(t *testing.T, resp *http.Response, ch wireCharge, status string) {
	t.Helper()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), "https://shop.example/amazonpay/return?") ||
		q.Get("attempt") != "1" || q.Get("chargeId") != ch.ChargeID || q.Get("amazonChargeId") != ch.AmazonChargeID || q.Get("status") != status {
		t.Errorf("HTTP %d to %s, want status %s", resp.StatusCode, loc, status)
	}
}

func TestTopUpPagePays(t *testing.T) {
	e := newEnv(t)
	ch, doc := shortCharge(t, e, "top-1", rupees("150000"))
	for id, want := range map[string]string{
		"topup-amount": "₹1,50,000.00", "topup-balance": "₹100.00", "topup-shortfall": "₹1,49,900.00",
	} {
		if got := strings.TrimSpace(doc.Find(`[data-testid="` + id + `"]`).Text()); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	for _, id := range []string{"topup-pay", "topup-cancel"} {
		if doc.Find(`[data-testid="`+id+`"]`).Closest(`form[method="post"]`).Length() != 1 {
			t.Errorf("%s is not in its own POST form", id)
		}
	}
	if doc.Find(`[data-testid="topup-pay"]`).Closest("form").Is(`:has([data-testid="topup-cancel"])`) {
		t.Error("pay and cancel share a form")
	}
	if doc.Find("style, script, [style]").Length() != 0 {
		t.Error("page has inline styles or scripts")
	}
	if href := doc.Find(`link[rel="stylesheet"]`).AttrOr("href", ""); !strings.HasPrefix(href, prefix+"/assets/sandbox.css?v=") {
		t.Errorf("stylesheet = %q", href)
	}

	backTo(t, submit(t, e.srv.URL, doc, "topup-pay", nil), ch, "CaptureApproved")
	st, err := e.client.ChargeStatus(context.Background(), "top-1")
	if err != nil || st.Status != amazonpay.StatusCaptureApproved || st.ApprovedAmount != rupees("150000") || st.AmazonPayURL != "" {
		t.Errorf("status = %+v, %v", st, err)
	}
	if got := e.sim.Balance("9000000011"); got != 0 {
		t.Errorf("balance = %s, want all of it spent", got)
	}
	// The page of a finished charge, and a second submit, go straight back
	// and change nothing.
	resp, err := browser().Get(deref(ch.AmazonPayURL))
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "status=CaptureApproved") {
		t.Errorf("finished page: %v %v", resp, err)
	}
	backTo(t, submit(t, e.srv.URL, doc, "topup-cancel", nil), ch, "CaptureApproved")

	// A refund of a topped-up charge goes to the balance, all of it.
	if _, err := e.client.Refund(context.Background(), amazonpay.RefundRequest{RefundID: "top-r1", ChargeID: "top-1", Amount: rupees("500")}); err != nil {
		t.Fatal(err)
	}
	if got := e.sim.Balance("9000000011"); got != rupees("500") {
		t.Errorf("balance after refund = %s", got)
	}
}

func TestTopUpPageCancels(t *testing.T) {
	e := newEnv(t)
	ch, doc := shortCharge(t, e, "top-2", rupees("500"))
	backTo(t, submit(t, e.srv.URL, doc, "topup-cancel", nil), ch, "Declined")
	st, err := e.client.ChargeStatus(context.Background(), "top-2")
	if err != nil || st.Status != amazonpay.StatusDeclined || st.ReasonCode != amazonpay.CodeInsufficientFunds || st.ReasonMessage != sandbox.ReasonTopUpCancelled {
		t.Errorf("status = %+v, %v", st, err)
	}
	if got := e.sim.Balance("9000000011"); got != rupees("100") {
		t.Errorf("balance = %s, want it given back", got)
	}
	backTo(t, submit(t, e.srv.URL, doc, "topup-pay", nil), ch, "Declined")
	_, err = e.client.Refund(context.Background(), amazonpay.RefundRequest{RefundID: "top-r2", ChargeID: "top-2", Amount: rupees("1")})
	wantCode(t, err, amazonpay.CodeChargeNotApproved)
}

func TestTopUpTimesOut(t *testing.T) {
	e := newEnv(t)
	ch, _ := shortCharge(t, e, "top-3", rupees("500"))
	e.clock.Advance(299 * time.Second)
	if st, _ := e.client.ChargeStatus(context.Background(), "top-3"); st.Status != amazonpay.StatusCapturePending {
		t.Errorf("before timeoutInSecs: %s", st.Status)
	}
	e.clock.Advance(time.Second)
	st, err := e.client.ChargeStatus(context.Background(), "top-3")
	if err != nil || st.Status != amazonpay.StatusFailed || st.ReasonCode != sandbox.ReasonCodeTimedOut {
		t.Errorf("status = %+v, %v", st, err)
	}
	if got := e.sim.Balance("9000000011"); got != rupees("100") {
		t.Errorf("balance = %s", got)
	}
	resp, err := browser().Get(deref(ch.AmazonPayURL))
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "status=Failed") {
		t.Errorf("timed-out page: %v %v", resp, err)
	}
}

func TestTopUpPageRejectsBadRequests(t *testing.T) {
	e := newEnv(t)
	if resp, _ := page(t, e.srv.URL+prefix+"/topup/S04-nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown charge: HTTP %d", resp.StatusCode)
	}
	ch, doc := shortCharge(t, e, "top-4", rupees("500"))
	if back := submit(t, e.srv.URL, doc, "topup-pay", url.Values{"decision": {"maybe"}}); back.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown decision: HTTP %d", back.StatusCode)
	}
	// A Pay Later 2FA page is not a way to settle a balance charge.
	resp, err := browser().Get(strings.Replace(deref(ch.AmazonPayURL), "/topup/", "/pay/", 1))
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "status=CapturePending") {
		t.Errorf("2FA page for a top-up charge: %v %v", resp, err)
	}
	if st, _ := e.client.ChargeStatus(context.Background(), "top-4"); st.Status != amazonpay.StatusCapturePending {
		t.Errorf("status = %s", st.Status)
	}
}

func TestTopUpRefusesCrossOriginPosts(t *testing.T) {
	e := newEnv(t)
	_, doc := shortCharge(t, e, "top-csrf", rupees("500"))
	for name, h := range crossOrigin {
		for _, button := range []string{"topup-pay", "topup-cancel"} {
			back := submitWith(t, e.srv.URL, doc, button, nil, h)
			if back.StatusCode != http.StatusForbidden || back.Header.Get("Location") != "" {
				t.Errorf("%s, %s: HTTP %d, Location %q", name, button, back.StatusCode, back.Header.Get("Location"))
			}
		}
	}
	if st, _ := e.client.ChargeStatus(context.Background(), "top-csrf"); st.Status != amazonpay.StatusCapturePending {
		t.Errorf("a refused post moved the charge: %s", st.Status)
	}
	for name, h := range sameOrigin(e) {
		id := "top-" + strings.ReplaceAll(name, " ", "-")
		_, doc := shortCharge(t, e, id, rupees("500"))
		if back := submitWith(t, e.srv.URL, doc, "topup-cancel", nil, h); back.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: HTTP %d", name, back.StatusCode)
		}
	}
}
