package sandbox

import (
	"crypto/rand"
	"fmt"
	"sort"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/money"
)

// Reason codes the simulator puts on declined or failed charges. Amazon
// does not publish charge reason codes; these name the scripted cause.
const (
	ReasonCodeDeclined      = "TransactionDeclined"               // persona 9000000006
	ReasonCodeOTPFailed     = amazonpay.ReasonOTPValidationFailed // wrong OTP on the 2FA page
	ReasonCodeTimedOut      = amazonpay.ReasonChargeTimedOut      // 2FA not finished within timeoutInSecs
	ReasonCodeProcessing    = "ProcessingFailed"                  // persona 9000000008
	ReasonCodeInsufficient  = amazonpay.CodeInsufficientFunds
	ReasonCodeNonKYCAccount = amazonpay.CodeNonKYCAccount
)

type account struct {
	persona Persona
	credit  money.Paise // available now; pending charges hold credit
}

type authCode struct {
	clientID, redirectURI, phone string
	expires                      time.Time
}

type accessGrant struct {
	phone, refresh string
	expires        time.Time
}

type refreshGrant struct {
	phone   string
	revoked bool
}

type charge struct {
	id, amazonID, phone, callbackURL, customData string
	amount, approved, refunded                   money.Paise
	status                                       amazonpay.Status
	reasonCode, reasonDesc                       string
	created, updated                             time.Time
	resolveAt                                    time.Time // pending personas settle at this time
	resolveTo                                    amazonpay.Status
	needsOTP                                     bool
	otpDeadline                                  time.Time
	refundSeq                                    int
}

type refund struct {
	id, amazonID, chargeID string
	amount                 money.Paise
	status                 amazonpay.Status
	created, updated       time.Time
	resolveAt              time.Time
}

// accountLocked returns the account for a ten-digit phone, creating it with
// the persona's starting credit.
func (s *Simulator) accountLocked(phone string) *account {
	a := s.accounts[phone]
	if a == nil {
		p := PersonaFor(phone)
		a = &account{persona: p, credit: p.Credit}
		s.accounts[phone] = a
	}
	return a
}

// settleLocked moves pending charges and refunds whose time has come to
// their final status and forgets expired grants. Every request calls it first, so pending outcomes
// resolve lazily without goroutines.
func (s *Simulator) settleLocked(now time.Time) {
	for _, c := range s.charges {
		if c.status != amazonpay.StatusCapturePending {
			continue
		}
		switch {
		case c.needsOTP && !now.Before(c.otpDeadline):
			s.finishLocked(c, amazonpay.StatusFailed, ReasonCodeTimedOut, "The customer did not complete verification in time.", now)
		case !c.needsOTP && !c.resolveAt.IsZero() && !now.Before(c.resolveAt):
			if c.resolveTo == amazonpay.StatusCaptureApproved {
				s.finishLocked(c, amazonpay.StatusCaptureApproved, "", "", now)
			} else {
				s.finishLocked(c, amazonpay.StatusFailed, ReasonCodeProcessing, "The charge could not be processed.", now)
			}
		}
	}
	for code, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, code)
		}
	}
	for tok, g := range s.access {
		if now.After(g.expires) {
			delete(s.access, tok)
		}
	}
	for _, r := range s.refunds {
		if r.status == amazonpay.StatusPending && !now.Before(r.resolveAt) {
			r.status, r.updated = amazonpay.StatusApproved, now
			if c := s.charges[r.chargeID]; c != nil {
				s.accountLocked(c.phone).credit += r.amount
			}
		}
	}
}

// finishLocked gives a pending charge its final status, releasing the held
// credit unless it was approved.
func (s *Simulator) finishLocked(c *charge, st amazonpay.Status, code, desc string, now time.Time) {
	c.status, c.reasonCode, c.reasonDesc, c.updated = st, code, desc, now
	if st == amazonpay.StatusCaptureApproved {
		c.approved = c.amount
		return
	}
	s.accountLocked(c.phone).credit += c.amount
}

func (s *Simulator) nextAmazonIDLocked() string {
	s.seq++
	return fmt.Sprintf("S04-%07d-%07d", s.seq, randomDigits())
}

func randomDigits() int {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int(uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2])) % 10_000_000
}

// ChargeRecord is the simulator's record of one charge, for tests.
type ChargeRecord struct {
	ChargeID       string
	AmazonChargeID string
	Phone          string
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
				ChargeID: c.id, AmazonChargeID: c.amazonID, Phone: c.phone, Amount: c.amount,
				Status: string(c.status), ReasonCode: c.reasonCode, Refunded: c.refunded, Created: c.created,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AmazonChargeID < out[j].AmazonChargeID })
	return out
}

// ChargeCount is how many charges exist under a merchant chargeId: 0 or 1,
// however often it was submitted.
func (s *Simulator) ChargeCount(chargeID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.charges[chargeID] != nil {
		return 1
	}
	return 0
}

// Credit is the Amazon Pay Later credit a phone has available now.
func (s *Simulator) Credit(phone string) money.Paise {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	return s.accountLocked(NormalizePhone(phone)).credit
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
// after all. It is for testing how paypage deals with Amazon changing its
// answer; no persona does it.
func (s *Simulator) ForceCapture(chargeID, phone string, amount money.Paise) {
	phone = NormalizePhone(phone)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c := s.charges[chargeID]
	if c == nil {
		c = &charge{id: chargeID, amazonID: s.nextAmazonIDLocked(), phone: phone, amount: amount, created: now}
		s.charges[c.id], s.byAmazon[c.amazonID] = c, c
	}
	if c.status != amazonpay.StatusCaptureApproved && c.status != amazonpay.StatusCapturePending {
		s.accountLocked(c.phone).credit -= c.amount // pending charges already hold it
	}
	c.status, c.reasonCode, c.reasonDesc, c.approved, c.updated = amazonpay.StatusCaptureApproved, "", "", c.amount, now
	c.needsOTP, c.resolveAt = false, time.Time{}
}
