package sandbox

import (
	"time"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/money"
)

// The controls in this file are for QA and tests: they read or change the
// simulator's state directly, as nothing on Amazon's wire can.

// SetOutcome changes what the next charges of phone's account do, keeping
// its credit and links. QA and tests use it to script a decline followed by
// a successful retry on the same order.
func (s *Simulator) SetOutcome(phone string, o Outcome) {
	s.must(func(t *txn) { t.setOutcome(NormalizePhone(phone), o) })
}

// ChargeRecord is the simulator's record of one charge, for tests.
type ChargeRecord struct {
	ChargeID       string
	AmazonChargeID string
	Phone          string
	Instrument     string // AmazonPayLater or AmazonPayBalance
	Amount         money.Paise
	Status         string
	ReasonCode     string
	Refunded       money.Paise
	Created        time.Time
}

// Charges lists the charges made for a phone (any accepted form), oldest
// first; an empty phone lists every charge.
func (s *Simulator) Charges(phone string) []ChargeRecord {
	phone = NormalizePhone(phone)
	var cs []*charge
	s.must(func(t *txn) { cs = t.charges(`($1 = '' OR phone = $1) ORDER BY amazon_id COLLATE "C"`, phone) })
	out := make([]ChargeRecord, 0, len(cs))
	for _, c := range cs {
		out = append(out, ChargeRecord{
			ChargeID: c.id, AmazonChargeID: c.amazonID, Phone: c.phone, Instrument: c.instrument, Amount: c.amount,
			Status: string(c.status), ReasonCode: c.reasonCode, Refunded: c.refunded, Created: c.created,
		})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ChargeCount is how many charges exist under a merchant chargeId: 0 or 1
// per seller, however often it was submitted.
func (s *Simulator) ChargeCount(chargeID string) int {
	var n int
	s.must(func(t *txn) {
		t.one(`SELECT count(*) FROM amazonpay_sandbox.charges WHERE charge_id = $1 AND merchant_id = ANY($2)`,
			[]any{chargeID, pq.Array(s.merchantIDs())}, &n)
	})
	return n
}

// Credit is the Amazon Pay Later credit a phone has available now.
func (s *Simulator) Credit(phone string) money.Paise {
	var a *account
	s.must(func(t *txn) { a = t.account(NormalizePhone(phone)) })
	return a.credit
}

// Balance is the Amazon Pay balance a phone has available now: what
// Get Instruments reports as redeemableBalance.
func (s *Simulator) Balance(phone string) money.Paise {
	var a *account
	s.must(func(t *txn) { a = t.account(NormalizePhone(phone)) })
	return a.balance
}

// RevokeLink simulates the customer removing the merchant's app from their
// Amazon account: the phone's tokens stop working and refreshes answer
// invalid_grant.
func (s *Simulator) RevokeLink(phone string) {
	phone = NormalizePhone(phone)
	s.must(func(t *txn) {
		t.exec(`UPDATE amazonpay_sandbox.refresh_grants SET revoked = true WHERE phone = $1`, phone)
		t.exec(`DELETE FROM amazonpay_sandbox.access_grants WHERE phone = $1`, phone)
	})
}

// ForceCapture makes Amazon hold a captured charge of amount under the
// merchant's chargeId for phone, whatever it said about that id before: a
// charge it reported as declined, refused or unknown turns out captured
// after all. An unknown chargeId becomes a Pay Later charge of the Pay
// Later seller. It is for testing how paypage deals with Amazon changing
// its answer; no persona does it.
func (s *Simulator) ForceCapture(chargeID, phone string, amount money.Paise) {
	phone = NormalizePhone(phone)
	s.must(func(t *txn) {
		c := t.chargeWhere(`charge_id = $1 AND merchant_id = ANY($2) ORDER BY merchant_id = $3 DESC LIMIT 1`,
			chargeID, pq.Array(s.merchantIDs()), s.payLater.merchantID)
		if t.err != nil {
			return
		}
		if c == nil {
			c = &charge{
				id: chargeID, amazonID: t.nextAmazonID(), phone: phone, amount: amount, created: t.now, updated: t.now,
				merchantID: s.payLater.merchantID, instrument: instrumentPayLater, status: amazonpay.StatusDeclined,
			}
			t.insertCharge(c)
		}
		if c.status != amazonpay.StatusCaptureApproved && c.status != amazonpay.StatusCapturePending {
			t.hold(c) // pending charges already hold it
		}
		c.status, c.reasonCode, c.reasonDesc, c.approved, c.updated = amazonpay.StatusCaptureApproved, "", "", c.amount, t.now
		c.needsOTP, c.needsTopUp, c.resolveAt = false, false, time.Time{}
		t.saveCharge(c)
	})
}
