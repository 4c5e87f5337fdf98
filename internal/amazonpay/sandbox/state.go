package sandbox

import (
	"crypto/rand"
	"fmt"
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

// Instruments as Amazon names them on the wire.
const (
	instrumentPayLater = "AmazonPayLater"
	instrumentBalance  = "AmazonPayBalance"
)

type account struct {
	persona Persona
	credit  money.Paise // Pay Later credit available now; pending charges hold credit
	balance money.Paise // Amazon Pay balance available now; pending charges hold balance
}

type authCode struct {
	clientID, redirectURI, phone string
	balanceOnly                  bool
	expires                      time.Time
}

type accessGrant struct {
	phone, refresh string
	balanceOnly    bool // linked for Amazon Pay balance only: refused for Pay Later
	expires        time.Time
}

type refreshGrant struct {
	phone       string
	balanceOnly bool
	revoked     bool
}

// txnKey names a charge or refund: ids are the merchant's, so they are
// unique per seller, not across sellers.
type txnKey struct{ merchantID, id string }

type charge struct {
	id, amazonID, phone, callbackURL, customData string
	merchantID, instrument                       string // the seller that made it and what it draws on
	amount, approved, refunded                   money.Paise
	held                                         money.Paise // taken from the instrument: held while pending, kept when approved
	topUp                                        money.Paise // what the customer adds on the top-up page (balance only)
	status                                       amazonpay.Status
	reasonCode, reasonDesc                       string
	created, updated                             time.Time
	resolveAt                                    time.Time // pending personas settle at this time
	resolveTo                                    amazonpay.Status
	needsOTP, needsTopUp                         bool      // waiting for the customer on amazonPayUrl
	deadline                                     time.Time // when a charge waiting for the customer fails
	refundSeq                                    int
}

type refund struct {
	id, amazonID     string
	charge           *charge
	amount           money.Paise
	status           amazonpay.Status
	created, updated time.Time
	resolveAt        time.Time
}

// accountLocked returns the account for a ten-digit phone, creating it with
// the persona's starting credit and balance.
func (s *Simulator) accountLocked(phone string) *account {
	a := s.accounts[phone]
	if a == nil {
		p := PersonaFor(phone)
		a = &account{persona: p, credit: p.Credit, balance: p.Balance}
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
		case c.needsOTP && !now.Before(c.deadline):
			s.finishLocked(c, amazonpay.StatusFailed, ReasonCodeTimedOut, "The customer did not complete verification in time.", now)
		case c.needsTopUp && !now.Before(c.deadline):
			s.finishLocked(c, amazonpay.StatusFailed, ReasonCodeTimedOut, "The customer did not add money in time.", now)
		case !c.needsOTP && !c.needsTopUp && !c.resolveAt.IsZero() && !now.Before(c.resolveAt):
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
			*s.fundsLocked(r.charge) += r.amount // back to the instrument the charge used
		}
	}
}

// finishLocked gives a pending charge its final status, giving back the
// held credit or balance unless it was approved.
func (s *Simulator) finishLocked(c *charge, st amazonpay.Status, code, desc string, now time.Time) {
	c.status, c.reasonCode, c.reasonDesc, c.updated = st, code, desc, now
	c.needsOTP, c.needsTopUp = false, false
	if st == amazonpay.StatusCaptureApproved {
		c.approved = c.amount
		return
	}
	*s.fundsLocked(c) += c.held
	c.held = 0
}

// fundsLocked is what c draws on: the customer's Pay Later credit or
// Amazon Pay balance.
func (s *Simulator) fundsLocked(c *charge) *money.Paise {
	a := s.accountLocked(c.phone)
	if c.instrument == instrumentBalance {
		return &a.balance
	}
	return &a.credit
}

// holdLocked takes c's amount from its instrument. A balance never goes
// below zero: what it lacks is the top-up the customer adds on Amazon's
// page. Pay Later credit is checked before a charge is made.
func (s *Simulator) holdLocked(c *charge) {
	funds := s.fundsLocked(c)
	take := c.amount
	if c.instrument == instrumentBalance {
		take = max(min(take, *funds), 0)
	}
	*funds -= take
	c.held, c.topUp = take, c.amount-take
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
