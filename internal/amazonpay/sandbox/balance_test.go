package sandbox_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/money"
)

func TestBalanceInstrumentsPerPersona(t *testing.T) {
	for _, tt := range []struct {
		phone   string
		enabled bool
		balance string
		credit  string // availableCredit when both types are asked; "" when not registered
	}{
		{"9000000001", true, "1000.00", "50000.00"},
		{"9000000009", true, "1000.00", "10000.00"},
		{"9000000010", true, "100000.00", ""},
		{"9000000011", true, "100.00", "10000.00"},
		{"9000000012", false, "0.00", ""},
		{"9876543210", true, "1000.00", "10000.00"},
	} {
		t.Run(tt.phone, func(t *testing.T) {
			e := newEnv(t)
			tok := e.link(tt.phone)
			status, code, in := e.instruments(payLaterSeller(), tok, "AmazonPayBalance", rupees("100"))
			if status != http.StatusOK || code != "" || in.AmazonPayLater != nil || in.AmazonPayBalance == nil {
				t.Fatalf("HTTP %d %s: %+v", status, code, in)
			}
			b := in.AmazonPayBalance
			if b.Enabled != tt.enabled || b.TotalBalance != tt.balance || b.RedeemableBalance != tt.balance || b.Priority == 0 {
				t.Errorf("amazonPayBalance = %+v", *b)
			}
			if got := e.sim.Balance(tt.phone); got.String() != tt.balance {
				t.Errorf("Balance = %s", got)
			}

			status, _, in = e.instruments(payLaterSeller(), tok, "AmazonPayLater,AmazonPayBalance", rupees("100"))
			if status != http.StatusOK || in.AmazonPayLater == nil || in.AmazonPayBalance == nil {
				t.Fatalf("both types: HTTP %d, %+v", status, in)
			}
			if deref(in.AmazonPayLater.AvailableCredit) != tt.credit || in.AmazonPayBalance.RedeemableBalance != tt.balance {
				t.Errorf("both types: credit %q, balance %q", deref(in.AmazonPayLater.AvailableCredit), in.AmazonPayBalance.RedeemableBalance)
			}
		})
	}
}

func TestInstrumentTypesChecked(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000001")
	for _, types := range []string{"", "AmazonPay", "AmazonPayLater,Card", "AmazonPayLaterX"} {
		if status, code, _ := e.instruments(payLaterSeller(), tok, types, rupees("10")); status != http.StatusBadRequest || code != amazonpay.CodeInvalidArguments {
			t.Errorf("instrumentTypes %q: HTTP %d %s", types, status, code)
		}
	}
	// Pay Later alone is answered as before: no balance object.
	if _, _, in := e.instruments(payLaterSeller(), tok, "AmazonPayLater", rupees("10")); in.AmazonPayLater == nil || in.AmazonPayBalance != nil {
		t.Errorf("Pay Later only = %+v", in)
	}
}

func TestBalanceChargeApprovedAndSpent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.link("9000000010")
	status, code, ch := e.balanceCharge(tok, "bal-1", rupees("2500.50"))
	if status != http.StatusOK || ch.Status != "CaptureApproved" || ch.ApprovedAmount != "2500.50" || ch.AmazonPayURL != nil {
		t.Fatalf("charge: HTTP %d %s %+v", status, code, ch)
	}
	if got := e.sim.Balance("9000000010"); got != rupees("97499.50") {
		t.Errorf("balance = %s", got)
	}
	if _, _, in := e.instruments(payLaterSeller(), tok, "AmazonPayBalance", rupees("1")); in.AmazonPayBalance.RedeemableBalance != "97499.50" {
		t.Errorf("instruments after the charge = %+v", *in.AmazonPayBalance)
	}
	st, err := e.client.ChargeStatus(ctx, "bal-1")
	if err != nil || st.Status != amazonpay.StatusCaptureApproved || st.AmazonChargeID != ch.AmazonChargeID {
		t.Errorf("status = %+v, %v", st, err)
	}
	if got := e.sim.Charges("9000000010"); len(got) != 1 || got[0].Instrument != "AmazonPayBalance" {
		t.Errorf("charges = %+v", got)
	}
	// Not registered for Pay Later: a Pay Later charge is refused, the
	// balance untouched.
	if _, err := e.charge(tok, "bal-apl", rupees("10")); amazonpay.Code(err) != amazonpay.CodeInsufficientFunds {
		t.Errorf("Pay Later charge: %v", err)
	}

	// A balance that exactly covers the amount is charged at once.
	low := e.link("9000000011")
	if _, _, ch := e.balanceCharge(low, "bal-exact", rupees("100")); ch.Status != "CaptureApproved" || e.sim.Balance("9000000011") != 0 {
		t.Errorf("exact charge = %+v, balance %s", ch, e.sim.Balance("9000000011"))
	}
	if got := e.sim.Credit("9000000011"); got != rupees("10000") {
		t.Errorf("a balance charge moved Pay Later credit: %s", got)
	}
	if status, code, _ := e.balanceCharge(low, "bal-exact", rupees("100")); status != http.StatusBadRequest || code != amazonpay.CodeDuplicateChargeID {
		t.Errorf("repeat: HTTP %d %s", status, code)
	}
}

// TestBalanceChargeFollowsPersonaScript: when the balance covers the
// amount, the persona's script decides, except that Amazon asks no OTP for
// balance.
func TestBalanceChargeFollowsPersonaScript(t *testing.T) {
	for _, tt := range []struct {
		phone, status, final string
		balance              money.Paise // once final
	}{
		{"9000000005", "CaptureApproved", "CaptureApproved", rupees("750")},
		{"9000000006", "Declined", "Declined", rupees("1000")},
		{"9000000007", "CapturePending", "CaptureApproved", rupees("750")},
		{"9000000008", "CapturePending", "Failed", rupees("1000")},
	} {
		t.Run(tt.phone, func(t *testing.T) {
			e := newEnv(t)
			status, _, ch := e.balanceCharge(e.link(tt.phone), "script-1", rupees("250"))
			if status != http.StatusOK || ch.Status != tt.status || ch.AmazonPayURL != nil {
				t.Fatalf("charge: HTTP %d %+v", status, ch)
			}
			e.clock.Advance(20 * time.Second)
			if st, err := e.client.ChargeStatus(context.Background(), "script-1"); err != nil || string(st.Status) != tt.final {
				t.Errorf("status = %+v, %v", st, err)
			}
			if got := e.sim.Balance(tt.phone); got != tt.balance {
				t.Errorf("balance = %s", got)
			}
		})
	}

	e := newEnv(t)
	tok := e.link("9000000009")
	if status, code, _ := e.balanceCharge(tok, "flaky-b", rupees("300")); status != http.StatusInternalServerError || code != amazonpay.CodeInternalServerError {
		t.Errorf("first call: HTTP %d %s", status, code)
	}
	if st, err := e.client.ChargeStatus(context.Background(), "flaky-b"); err != nil || st.Status != amazonpay.StatusCaptureApproved {
		t.Errorf("status = %+v, %v", st, err)
	}
	if e.sim.ChargeCount("flaky-b") != 1 || e.sim.Balance("9000000009") != rupees("700") {
		t.Errorf("count %d, balance %s", e.sim.ChargeCount("flaky-b"), e.sim.Balance("9000000009"))
	}
}

func TestNonKYCAccountRefusesBalanceCharge(t *testing.T) {
	e := newEnv(t)
	tok := e.link("9000000012")
	// api checks that the error answer is signed.
	if status, code, _ := e.balanceCharge(tok, "nokyc-1", rupees("1")); status != http.StatusBadRequest || code != amazonpay.CodeNonKYCAccount {
		t.Fatalf("HTTP %d %s", status, code)
	}
	st, err := e.client.ChargeStatus(context.Background(), "nokyc-1")
	if err != nil || st.Status != amazonpay.StatusDeclined || st.ReasonCode != sandbox.ReasonCodeNonKYCAccount {
		t.Errorf("status = %+v, %v", st, err)
	}
	if _, err := e.charge(tok, "nokyc-apl", rupees("1")); amazonpay.Code(err) != amazonpay.CodeInsufficientFunds {
		t.Errorf("Pay Later charge: %v", err)
	}
}

func TestRefundGoesBackToTheChargedInstrument(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.link("9000000001")
	if _, _, ch := e.balanceCharge(tok, "rb-1", rupees("600")); ch.Status != "CaptureApproved" {
		t.Fatalf("balance charge = %+v", ch)
	}
	if _, err := e.charge(tok, "rp-1", rupees("2000")); err != nil {
		t.Fatal(err)
	}
	if e.sim.Balance("9000000001") != rupees("400") || e.sim.Credit("9000000001") != rupees("48000") {
		t.Fatalf("balance %s, credit %s", e.sim.Balance("9000000001"), e.sim.Credit("9000000001"))
	}
	rf, err := e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "rfb-1", ChargeID: "rb-1", Amount: rupees("250")})
	if err != nil || rf.Status != amazonpay.StatusPending {
		t.Fatalf("refund = %+v, %v", rf, err)
	}
	if rf, err := e.client.RefundStatus(ctx, "rfb-1"); err != nil || rf.Status != amazonpay.StatusApproved {
		t.Fatalf("refund status = %+v, %v", rf, err)
	}
	if e.sim.Balance("9000000001") != rupees("650") || e.sim.Credit("9000000001") != rupees("48000") {
		t.Errorf("after the balance refund: balance %s, credit %s", e.sim.Balance("9000000001"), e.sim.Credit("9000000001"))
	}
	if _, err := e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "rfp-1", ChargeID: "rp-1", Amount: rupees("2000")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.RefundStatus(ctx, "rfp-1"); err != nil {
		t.Fatal(err)
	}
	if e.sim.Balance("9000000001") != rupees("650") || e.sim.Credit("9000000001") != rupees("50000") {
		t.Errorf("after the Pay Later refund: balance %s, credit %s", e.sim.Balance("9000000001"), e.sim.Credit("9000000001"))
	}
	_, err = e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "rfb-2", ChargeID: "rb-1", Amount: rupees("350.01")})
	wantCode(t, err, amazonpay.CodeExcessRefundAmount)
}
