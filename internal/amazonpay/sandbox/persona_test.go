package sandbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/money"
)

// TestPersonas links each persona through the consent page and checks
// pre-link eligibility, instruments and a first charge.
func TestPersonas(t *testing.T) {
	tests := []struct {
		phone      string
		amount     money.Paise
		eligible   bool
		code       string      // ineligibility code
		credit     money.Paise // availableCredit before the charge
		status     amazonpay.Status
		payURL     bool
		chargeErr  string
		creditLeft money.Paise
	}{
		{"9000000001", rupees("100"), true, "", rupees("50000"), amazonpay.StatusCaptureApproved, false, "", rupees("49900")},
		{"9000000002", rupees("1000"), true, "", rupees("1000"), amazonpay.StatusCaptureApproved, false, "", 0},
		{"9000000002", rupees("1000.01"), false, sandbox.CodeNotAvailable, rupees("1000"), "", false, amazonpay.CodeInsufficientFunds, rupees("1000")},
		{"9000000003", rupees("100"), false, sandbox.CodeNotRegistered, 0, "", false, amazonpay.CodeInsufficientFunds, 0},
		{"9000000004", rupees("100"), false, sandbox.CodeKYCExpired, rupees("10000"), "", false, amazonpay.CodeNonKYCAccount, rupees("10000")},
		{"9000000005", rupees("100"), true, "", rupees("10000"), amazonpay.StatusCapturePending, true, "", rupees("9900")},
		{"9000000006", rupees("100"), true, "", rupees("10000"), amazonpay.StatusDeclined, false, "", rupees("10000")},
		{"9000000007", rupees("100"), true, "", rupees("10000"), amazonpay.StatusCapturePending, false, "", rupees("9900")},
		{"9000000008", rupees("100"), true, "", rupees("10000"), amazonpay.StatusCapturePending, false, "", rupees("9900")},
		{"9000000009", rupees("100"), true, "", rupees("10000"), amazonpay.StatusCaptureApproved, false, "", rupees("9900")},
		{"+919876543210", rupees("10000"), true, "", rupees("10000"), amazonpay.StatusCaptureApproved, false, "", 0},
		{"9876543210", rupees("10000.01"), false, sandbox.CodeNotAvailable, rupees("10000"), "", false, amazonpay.CodeInsufficientFunds, rupees("10000")},
	}
	for _, tt := range tests {
		t.Run(tt.phone+"/"+tt.amount.String(), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			el, err := e.client.Eligibility(ctx, tt.phone, tt.amount)
			if err != nil {
				t.Fatal(err)
			}
			if el.Eligible != tt.eligible || el.IneligibilityCode != tt.code || !el.LinkingRequired {
				t.Errorf("eligibility = %+v", el)
			}
			if !tt.eligible && el.IneligibilityReason == "" {
				t.Error("no ineligibility reason")
			}
			tok := e.link(tt.phone)
			if el, _ := e.client.Eligibility(ctx, tt.phone, tt.amount); el.LinkingRequired {
				t.Error("still needs linking after consent")
			}
			in, err := e.client.Instruments(ctx, tok.AccessToken, tt.amount)
			if err != nil {
				t.Fatal(err)
			}
			if in.Enabled != tt.eligible || in.IneligibilityCode != tt.code || in.AvailableCredit != tt.credit {
				t.Errorf("instruments = %+v", in)
			}
			if tt.code != sandbox.CodeNotRegistered && in.KeyFactStatementURL == "" {
				t.Error("no KFS URL")
			}
			ch, err := e.charge(tok, "c-"+tt.phone[len(tt.phone)-4:], tt.amount)
			if tt.chargeErr != "" {
				wantCode(t, err, tt.chargeErr)
			} else if err != nil {
				t.Fatal(err)
			}
			if ch.Status != tt.status || (ch.AmazonPayURL != "") != tt.payURL {
				t.Errorf("charge = %+v", ch)
			}
			if got := e.sim.Credit(tt.phone); got != tt.creditLeft {
				t.Errorf("credit left = %s, want %s", got, tt.creditLeft)
			}
		})
	}
}

func TestPendingPersonasSettleThroughStatusReads(t *testing.T) {
	for _, tt := range []struct {
		phone  string
		final  amazonpay.Status
		credit money.Paise
	}{
		{"9000000007", amazonpay.StatusCaptureApproved, rupees("9750")},
		{"9000000008", amazonpay.StatusFailed, rupees("10000")},
	} {
		t.Run(tt.phone, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			tok := e.link(tt.phone)
			ch, err := e.charge(tok, "pending-1", rupees("250"))
			if err != nil || ch.Status != amazonpay.StatusCapturePending || ch.AmazonPayURL != "" {
				t.Fatalf("charge = %+v, %v", ch, err)
			}
			e.clock.Advance(19 * time.Second)
			if ch, _ := e.client.ChargeStatus(ctx, "pending-1"); ch.Status != amazonpay.StatusCapturePending {
				t.Errorf("before the delay: %s", ch.Status)
			}
			e.clock.Advance(time.Second)
			ch, err = e.client.ChargeStatus(ctx, "pending-1")
			if err != nil || ch.Status != tt.final {
				t.Fatalf("after the delay: %+v %v", ch, err)
			}
			if tt.final == amazonpay.StatusFailed && ch.ReasonCode != sandbox.ReasonCodeProcessing {
				t.Errorf("reason = %q", ch.ReasonCode)
			}
			if got := e.sim.Credit(tt.phone); got != tt.credit {
				t.Errorf("credit = %s, want %s", got, tt.credit)
			}
		})
	}
}

func TestServerErrorPersonaChargesOnce(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000009")
	ch, err := e.charge(tok, "flaky-1", rupees("300"))
	if err != nil || ch.Status != amazonpay.StatusCaptureApproved || ch.ApprovedAmount != rupees("300") {
		t.Fatalf("charge = %+v, %v", ch, err)
	}
	if n := e.sim.ChargeCount("flaky-1"); n != 1 {
		t.Errorf("charge count = %d", n)
	}
	if got := e.sim.Credit("9000000009"); got != rupees("9700") {
		t.Errorf("credit = %s", got)
	}
	if got := e.sim.Charges("9000000009"); len(got) != 1 || got[0].Status != "CaptureApproved" {
		t.Errorf("charges = %+v", got)
	}
}

func TestPersonaLookup(t *testing.T) {
	for in, want := range map[string]string{
		"+91 90000 00005": "9000000005", "919000000005": "9000000005", "09000000005": "9000000005", "9000000005": "9000000005",
	} {
		if got := sandbox.PersonaFor(in); got.Phone != want || got.Outcome != sandbox.TwoFactor {
			t.Errorf("PersonaFor(%q) = %+v", in, got)
		}
	}
	if p := sandbox.PersonaFor("9123456789"); p.Credit != rupees("10000") || p.Outcome != sandbox.Approve {
		t.Errorf("default persona = %+v", p)
	}
	if n := len(sandbox.Personas()); n != 13 {
		t.Errorf("%d personas", n)
	}
	for phone, want := range map[string]sandbox.Persona{
		"9000000001": {Credit: rupees("50000"), Balance: rupees("1000")},
		"9000000010": {Ineligible: sandbox.CodeNotRegistered, Balance: rupees("100000")},
		"9000000011": {Credit: rupees("10000"), Balance: rupees("100")},
		"9000000012": {Ineligible: sandbox.CodeNotRegistered, NonKYC: true},
		"9123456789": {Credit: rupees("10000"), Balance: rupees("1000")},
	} {
		p := sandbox.PersonaFor(phone)
		if p.Credit != want.Credit || p.Balance != want.Balance || p.Ineligible != want.Ineligible || p.NonKYC != want.NonKYC || p.Name == "" {
			t.Errorf("PersonaFor(%s) = %+v", phone, p)
		}
	}
}

func TestEligibilityRejectsBadPhone(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.Eligibility(context.Background(), "12345", rupees("10"))
	wantCode(t, err, amazonpay.CodeInvalidArguments)
}

func TestKeyFactStatementPage(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000001")
	in, err := e.client.Instruments(context.Background(), tok.AccessToken, rupees("10"))
	if err != nil {
		t.Fatal(err)
	}
	resp, doc := page(t, in.KeyFactStatementURL)
	if resp.StatusCode != 200 || !strings.Contains(doc.Text(), "₹50,000.00") {
		t.Errorf("KFS page: HTTP %d %q", resp.StatusCode, doc.Find("main").Text())
	}
	if doc.Find("style, script, [style]").Length() != 0 {
		t.Error("KFS page has inline styles or scripts")
	}
}
