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
	phone       string
	balanceOnly bool // linked for Amazon Pay balance only: refused for Pay Later
	expires     time.Time
}

type refreshGrant struct {
	phone       string
	balanceOnly bool
}

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
	otpTries                                     int // wrong OTPs entered so far (see maxOTPTries)
}

type refund struct {
	id, amazonID     string
	charge           *charge // the charge it returns money from, loaded with it
	amount           money.Paise
	status           amazonpay.Status
	created, updated time.Time
	resolveAt        time.Time
}

// finish gives a pending charge its final status, giving back the held
// credit or balance unless it was approved, and saves it.
func (t *txn) finish(c *charge, st amazonpay.Status, code, desc string) {
	t.conclude(c, st, code, desc)
	t.saveCharge(c)
}

// conclude is finish for a charge not yet stored: the caller inserts it.
func (t *txn) conclude(c *charge, st amazonpay.Status, code, desc string) {
	c.status, c.reasonCode, c.reasonDesc, c.updated = st, code, desc, t.now
	c.needsOTP, c.needsTopUp = false, false
	if st == amazonpay.StatusCaptureApproved {
		c.approved = c.amount
	} else {
		t.addFunds(c.phone, c.instrument, c.held)
		c.held = 0
	}
}

// hold takes c's amount from its instrument. A balance never goes below
// zero: what it lacks is the top-up the customer adds on Amazon's page.
// Pay Later credit is checked before a charge is made. The caller saves c.
func (t *txn) hold(c *charge) {
	take := c.amount
	if c.instrument == instrumentBalance {
		take = max(min(take, t.account(c.phone).balance), 0)
	}
	t.addFunds(c.phone, c.instrument, -take)
	c.held, c.topUp = take, c.amount-take
}

func (t *txn) nextAmazonID() string {
	return fmt.Sprintf("S04-%07d-%07d", t.nextSeq()%10_000_000, randomDigits())
}

func randomDigits() int {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int(uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2])) % 10_000_000
}
