package sandbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

const (
	balanceMerchantID = "A2PAYPAGEBALANCE"
	balanceAccessKey  = "AKIAPAYPAGEBALANCE01"
	balanceSecretKey  = "paypage-sandbox-balance-secret"
)

func balanceSeller() seller {
	return seller{merchantID: balanceMerchantID, signer: amazonpay.Signer{AccessKey: balanceAccessKey, SecretKey: balanceSecretKey}}
}

// newSellersEnv is a simulator whose balance seller has its own id and
// key pair; e.client is the Pay Later seller's.
func newSellersEnv(t *testing.T) *env {
	return newEnvWith(t, sandbox.Options{
		BalanceMerchantID: balanceMerchantID, BalanceAccessKey: balanceAccessKey, BalanceSecretKey: balanceSecretKey,
	})
}

func TestSellersServeOnlyTheirInstrument(t *testing.T) {
	e := newSellersEnv(t)
	ctx := context.Background()
	tok := e.link("9000000001")
	apl, bal := payLaterSeller(), balanceSeller()

	// Each seller, signing with its own keys, for its own instrument; the
	// answers are signed with the same keys (api checks).
	if in, err := e.client.Instruments(ctx, tok.AccessToken, rupees("100")); err != nil || !in.Enabled {
		t.Errorf("Pay Later instruments: %+v, %v", in, err)
	}
	if status, _, in := e.instruments(bal, tok, "AmazonPayBalance", rupees("100")); status != http.StatusOK || in.MerchantID != balanceMerchantID || in.AmazonPayBalance == nil {
		t.Errorf("balance instruments: HTTP %d %+v", status, in)
	}
	if _, err := e.charge(tok, "s-apl", rupees("100")); err != nil {
		t.Errorf("Pay Later charge: %v", err)
	}
	if status, _, ch := e.chargeAs(bal, tok, "AmazonPayBalance", "s-bal", rupees("100")); status != http.StatusOK || ch.MerchantID != balanceMerchantID || ch.Status != "CaptureApproved" {
		t.Errorf("balance charge: HTTP %d %+v", status, ch)
	}

	// The other instrument under a seller's id is refused.
	for _, tt := range []struct {
		name string
		call func() (int, string)
	}{
		{"Pay Later instruments as balance", func() (int, string) {
			s, c, _ := e.instruments(bal, tok, "AmazonPayLater", rupees("100"))
			return s, c
		}},
		{"both instruments as balance", func() (int, string) {
			s, c, _ := e.instruments(bal, tok, "AmazonPayLater,AmazonPayBalance", rupees("100"))
			return s, c
		}},
		{"balance instruments as Pay Later", func() (int, string) {
			s, c, _ := e.instruments(apl, tok, "AmazonPayBalance", rupees("100"))
			return s, c
		}},
		{"Pay Later charge as balance", func() (int, string) {
			s, c, _ := e.chargeAs(bal, tok, "AmazonPayLater", "x-1", rupees("100"))
			return s, c
		}},
		{"balance charge as Pay Later", func() (int, string) {
			s, c, _ := e.chargeAs(apl, tok, "AmazonPayBalance", "x-2", rupees("100"))
			return s, c
		}},
		{"eligibility as balance", func() (int, string) {
			return e.api(bal, "POST", amazonpay.PathEligibility, nil, map[string]string{
				"merchantId": balanceMerchantID, "phoneNumber": "9000000001", "amount": "100.00", "instrumentType": "AmazonPayLater",
			}, nil)
		}},
		{"balance keys naming the Pay Later seller", func() (int, string) {
			s, c, _ := e.chargeAs(seller{merchantID: apl.merchantID, signer: bal.signer}, tok, "AmazonPayBalance", "x-3", rupees("100"))
			return s, c
		}},
	} {
		if status, code := tt.call(); status != http.StatusBadRequest || code != amazonpay.CodeInvalidMerchantID {
			t.Errorf("%s: HTTP %d %s", tt.name, status, code)
		}
	}
	if n := e.sim.ChargeCount("x-1") + e.sim.ChargeCount("x-2") + e.sim.ChargeCount("x-3"); n != 0 {
		t.Errorf("%d refused charges were made", n)
	}
	if got := e.sim.Balance("9000000001"); got != rupees("900") {
		t.Errorf("balance = %s", got)
	}
	// A balance merchant id in the body with the Pay Later keys is not the
	// signer's id.
	status, code := e.api(apl, "GET", amazonpay.PathInstruments, map[string]string{
		"merchantId": balanceMerchantID, "accessToken": tok.AccessToken, "instrumentTypes": "AmazonPayBalance", "amount": "1.00",
	}, nil, nil)
	if status != http.StatusBadRequest || code != amazonpay.CodeInvalidMerchantID {
		t.Errorf("balance id with Pay Later keys: HTTP %d %s", status, code)
	}
	// The balance access key with another secret is a bad signature.
	forged := seller{merchantID: balanceMerchantID, signer: amazonpay.Signer{AccessKey: balanceAccessKey, SecretKey: sandbox.DefaultCredentials().SecretKey}}
	if status, code := e.raw(forged.signer, e.clock.Now(), "GET", amazonpay.PathInstruments, map[string]string{
		"merchantId": balanceMerchantID, "accessToken": tok.AccessToken, "instrumentTypes": "AmazonPayBalance",
	}, nil, nil); status != http.StatusUnauthorized || code != amazonpay.CodeAuthorizationFailed {
		t.Errorf("forged balance signature: HTTP %d %s", status, code)
	}
}

// TestSellersReadAndRefundTheirOwnCharges: status reads and refunds work
// for either seller, each for its own charges only, through the same
// client pointed at each seller's credentials.
func TestSellersReadAndRefundTheirOwnCharges(t *testing.T) {
	e := newSellersEnv(t)
	ctx := context.Background()
	tok := e.link("9000000001")
	cfg := e.cfg
	cfg.MerchantID, cfg.AccessKey, cfg.SecretKey = balanceMerchantID, balanceAccessKey, balanceSecretKey
	balClient := amazonpay.New(cfg)

	// The same merchant chargeId at both sellers is two charges.
	if _, err := e.charge(tok, "same-1", rupees("2000")); err != nil {
		t.Fatal(err)
	}
	_, _, bch := e.chargeAs(balanceSeller(), tok, "AmazonPayBalance", "same-1", rupees("300"))
	if bch.Status != "CaptureApproved" || e.sim.ChargeCount("same-1") != 2 {
		t.Fatalf("balance charge %+v, count %d", bch, e.sim.ChargeCount("same-1"))
	}
	if st, err := balClient.ChargeStatus(ctx, "same-1"); err != nil || st.AmazonChargeID != bch.AmazonChargeID || st.RequestedAmount != rupees("300") {
		t.Errorf("balance seller's status = %+v, %v", st, err)
	}
	if st, err := e.client.ChargeStatus(ctx, "same-1"); err != nil || st.RequestedAmount != rupees("2000") {
		t.Errorf("Pay Later seller's status = %+v, %v", st, err)
	}

	_, _, only := e.chargeAs(balanceSeller(), tok, "AmazonPayBalance", "bal-only", rupees("200"))
	if _, err := e.client.ChargeStatus(ctx, "bal-only"); !amazonpay.IsNotFound(err) {
		t.Errorf("Pay Later seller reads the balance seller's charge: %v", err)
	}
	status, code := e.api(payLaterSeller(), "GET", amazonpay.PathCharge, map[string]string{
		"merchantId": payLaterSeller().merchantID, "txnIdType": "AmazonTxnId", "txnId": only.AmazonChargeID,
	}, nil, nil)
	if status != http.StatusBadRequest || code != amazonpay.CodeInvalidChargeID {
		t.Errorf("by Amazon id across sellers: HTTP %d %s", status, code)
	}
	_, err := e.client.Refund(ctx, amazonpay.RefundRequest{RefundID: "xr-1", ChargeID: "bal-only", Amount: rupees("1")})
	wantCode(t, err, amazonpay.CodeInvalidChargeID)

	rf, err := balClient.Refund(ctx, amazonpay.RefundRequest{RefundID: "br-1", ChargeID: "bal-only", Amount: rupees("200")})
	if err != nil || rf.AmazonChargeID != only.AmazonChargeID {
		t.Fatalf("balance refund = %+v, %v", rf, err)
	}
	if rf, err := balClient.RefundStatus(ctx, "br-1"); err != nil || rf.Status != amazonpay.StatusApproved {
		t.Errorf("balance refund status = %+v, %v", rf, err)
	}
	if _, err := e.client.RefundStatus(ctx, "br-1"); !amazonpay.IsNotFound(err) {
		t.Errorf("Pay Later seller reads the balance seller's refund: %v", err)
	}
	if got := e.sim.Balance("9000000001"); got != rupees("700") {
		t.Errorf("balance = %s", got)
	}
}
