package sandbox

import (
	"sort"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/money"
)

// The controls in this file are for QA and tests: they read or change the
// simulator's state directly, as nothing on Amazon's wire can.

// SetOutcome changes what the next charges of phone's account do, keeping
// its credit and links. QA and tests use it to script a decline followed by
// a successful retry on the same order.
func (s *Simulator) SetOutcome(phone string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accountLocked(NormalizePhone(phone)).persona.Outcome = o
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
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	var out []ChargeRecord
	for _, c := range s.charges {
		if phone == "" || c.phone == phone {
			out = append(out, ChargeRecord{
				ChargeID: c.id, AmazonChargeID: c.amazonID, Phone: c.phone, Instrument: c.instrument, Amount: c.amount,
				Status: string(c.status), ReasonCode: c.reasonCode, Refunded: c.refunded, Created: c.created,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AmazonChargeID < out[j].AmazonChargeID })
	return out
}

// ChargeCount is how many charges exist under a merchant chargeId: 0 or 1
// per seller, however often it was submitted.
func (s *Simulator) ChargeCount(chargeID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.merchantIDs() {
		if s.charges[txnKey{m, chargeID}] != nil {
			n++
		}
	}
	return n
}

// Credit is the Amazon Pay Later credit a phone has available now.
func (s *Simulator) Credit(phone string) money.Paise {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	return s.accountLocked(NormalizePhone(phone)).credit
}

// Balance is the Amazon Pay balance a phone has available now: what
// Get Instruments reports as redeemableBalance.
func (s *Simulator) Balance(phone string) money.Paise {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	return s.accountLocked(NormalizePhone(phone)).balance
}

// RevokeLink simulates the customer removing the merchant's app from their
// Amazon account: the phone's tokens stop working and refreshes answer
// invalid_grant.
func (s *Simulator) RevokeLink(phone string) {
	phone = NormalizePhone(phone)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		if g.phone == phone {
			g.revoked = true
		}
	}
	for tok, g := range s.access {
		if g.phone == phone {
			delete(s.access, tok)
		}
	}
}

// ForceCapture makes Amazon hold a captured charge of amount under the
// merchant's chargeId for phone, whatever it said about that id before: a
// charge it reported as declined, refused or unknown turns out captured
// after all. An unknown chargeId becomes a Pay Later charge of the Pay
// Later seller. It is for testing how paypage deals with Amazon changing
// its answer; no persona does it.
func (s *Simulator) ForceCapture(chargeID, phone string, amount money.Paise) {
	phone = NormalizePhone(phone)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var c *charge
	for _, m := range s.merchantIDs() {
		if c = s.charges[txnKey{m, chargeID}]; c != nil {
			break
		}
	}
	if c == nil {
		c = &charge{
			id: chargeID, amazonID: s.nextAmazonIDLocked(), phone: phone, amount: amount, created: now,
			merchantID: s.payLater.merchantID, instrument: instrumentPayLater,
		}
		s.charges[txnKey{c.merchantID, c.id}], s.byAmazon[c.amazonID] = c, c
	}
	if c.status != amazonpay.StatusCaptureApproved && c.status != amazonpay.StatusCapturePending {
		s.holdLocked(c) // pending charges already hold it
	}
	c.status, c.reasonCode, c.reasonDesc, c.approved, c.updated = amazonpay.StatusCaptureApproved, "", "", c.amount, now
	c.needsOTP, c.needsTopUp, c.resolveAt = false, false, time.Time{}
}
