package sandbox

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/money"
)

var (
	chargeIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,50}$`)
	refundIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

const timeLayout = time.RFC3339

type wireCharge struct {
	MerchantID        string  `json:"merchantId"`
	ChargeID          string  `json:"chargeId"`
	AmazonChargeID    string  `json:"amazonChargeId"`
	RequestedAmount   string  `json:"requestedAmount"`
	ApprovedAmount    string  `json:"approvedAmount"`
	CurrencyCode      string  `json:"currencyCode"`
	Status            string  `json:"status"`
	AmazonPayURL      *string `json:"amazonPayUrl,omitempty"`
	ReasonCode        *string `json:"reasonCode"`
	ReasonDescription *string `json:"reasonDescription"`
	CustomData        *string `json:"customData"`
	CreateTime        string  `json:"createTime"`
	UpdateTime        string  `json:"updateTime"`
}

func (s *Simulator) wireCharge(r *http.Request, c *charge) wireCharge {
	w := wireCharge{
		MerchantID: c.merchantID, ChargeID: c.id, AmazonChargeID: c.amazonID,
		RequestedAmount: c.amount.String(), ApprovedAmount: c.approved.String(), CurrencyCode: "INR",
		Status: string(c.status), ReasonCode: ptr(c.reasonCode), ReasonDescription: ptr(c.reasonDesc),
		CustomData: ptr(c.customData), CreateTime: c.created.Format(timeLayout), UpdateTime: c.updated.Format(timeLayout),
	}
	switch {
	case c.status != amazonpay.StatusCapturePending:
	case c.needsOTP:
		w.AmazonPayURL = ptr(s.base(r) + "/pay/" + url.PathEscape(c.amazonID))
	case c.needsTopUp:
		w.AmazonPayURL = ptr(s.base(r) + "/topup/" + url.PathEscape(c.amazonID))
	}
	return w
}

// chargeInput is a validated charge request.
type chargeInput struct {
	id, accessToken, callbackURL, customData string
	instrument                               string // AmazonPayLater or AmazonPayBalance
	amount                                   money.Paise
	timeout                                  time.Duration
}

func (s *Simulator) parseCharge(sel *seller, f map[string]string) (chargeInput, *apiError) {
	var in chargeInput
	instrument := f["selectedPaymentInstrumentType"]
	if instrument == "" {
		instrument = f["selectedPaymentInstrument"]
	}
	if e := s.checkMerchant(sel, f["merchantId"]); e != nil {
		return in, e
	}
	switch {
	case f["intent"] != "Capture":
		return in, invalidArg("intent must be Capture for a direct debit.")
	case instrument != instrumentPayLater && instrument != instrumentBalance:
		return in, invalidArg("selectedPaymentInstrumentType must be AmazonPayLater or AmazonPayBalance.")
	case f["currencyCode"] != "INR":
		return in, invalidArg("currencyCode must be INR.")
	case !chargeIDPattern.MatchString(f["chargeId"]):
		return in, invalidArg("chargeId must be 1 to 50 characters from [A-Za-z0-9_-].")
	case f["referenceId"] == "" || f["attributableProgram"] == "" || f["accessToken"] == "":
		return in, invalidArg("referenceId, attributableProgram and accessToken are required.")
	case len(f["noteToCustomer"]) > 200 || len(f["customData"]) > 2000:
		return in, invalidArg("noteToCustomer or customData is too long.")
	}
	if e := s.checkMerchant(sel, f["merchantId"], instrument); e != nil {
		return in, e // a Pay Later charge under the balance seller's id, or the reverse
	}
	amount, err := money.Parse(f["amount"])
	if err != nil || amount < 1 {
		return in, invalidArg("amount must be at least 0.01 with at most 2 decimals.")
	}
	secs, err := strconv.Atoi(f["timeoutInSecs"])
	if err != nil || secs < 300 || secs > 900 {
		return in, invalidArg("timeoutInSecs must be between 300 and 900.")
	}
	cb, err := url.Parse(f["callbackUrl"])
	if err != nil || (cb.Scheme != "http" && cb.Scheme != "https") || cb.Host == "" {
		return in, errorf(http.StatusBadRequest, amazonpay.CodeInvalidCallbackURL, "The callback URL is not safelisted.")
	}
	return chargeInput{
		id: f["chargeId"], accessToken: f["accessToken"], callbackURL: f["callbackUrl"], customData: f["customData"],
		instrument: instrument, amount: amount, timeout: time.Duration(secs) * time.Second,
	}, nil
}

func (s *Simulator) createCharge(w http.ResponseWriter, r *http.Request) {
	body, sel, e := s.authenticate(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	f, e := decodeBody(body)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	in, e := s.parseCharge(sel, f)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	var c *charge
	if err := s.change(r.Context(), func(t *txn) {
		t.lockID("charge", sel.merchantID, in.id)
		c, e = t.createCharge(in, sel)
	}); err != nil {
		e = internalError()
	}
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	s.writeSigned(w, r, sel, http.StatusOK, s.wireCharge(r, c))
}

// createCharge makes the charge in, once per seller and chargeId: a
// second call with the same id, from any process, is DuplicateChargeID.
func (t *txn) createCharge(in chargeInput, sel *seller) (*charge, *apiError) {
	if t.chargeByID(sel.merchantID, in.id) != nil {
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeDuplicateChargeID, "This charge id was already processed.")
	}
	phone, e := t.phoneForToken(in.accessToken, in.instrument == instrumentPayLater)
	if e != nil || t.err != nil {
		return nil, e
	}
	t.lockAccount(phone)
	a := t.account(phone)
	c, e := t.charge(in, sel, phone, a)
	if e == nil && a.persona.Outcome == ServerErrorOnce {
		e = errorf(http.StatusInternalServerError, amazonpay.CodeInternalServerError, "Internal error. Retry later.")
	}
	return c, e
}

// charge records a charge and plays the persona's script. Charges refused
// for KYC or credit are recorded as Declined and answered with the
// matching error code. A balance short of the amount waits on the top-up
// page whatever the script; the script decides the rest.
func (t *txn) charge(in chargeInput, sel *seller, phone string, a *account) (*charge, *apiError) {
	now := t.now
	c := &charge{
		id: in.id, amazonID: t.nextAmazonID(), phone: phone, callbackURL: in.callbackURL,
		merchantID: sel.merchantID, instrument: in.instrument,
		customData: in.customData, amount: in.amount, status: amazonpay.StatusCapturePending,
		created: now, updated: now,
	}
	if e := refusal(c, a); e != nil {
		t.insertCharge(c)
		return c, e
	}
	t.hold(c) // held while pending, kept when approved
	switch o := a.persona.Outcome; {
	case c.topUp > 0: // waits on the top-up page whatever the script
		c.needsTopUp, c.deadline = true, now.Add(in.timeout)
	case o == Approve, o == ServerErrorOnce,
		o == TwoFactor && c.instrument == instrumentBalance: // Amazon asks for an OTP for Pay Later only
		t.conclude(c, amazonpay.StatusCaptureApproved, "", "")
	case o == Decline:
		t.conclude(c, amazonpay.StatusDeclined, ReasonCodeDeclined, "The charge was declined by "+instrumentName(c.instrument)+".")
	case o == TwoFactor:
		c.needsOTP, c.deadline = true, now.Add(in.timeout)
	case o == PendingApprove:
		c.resolveAt, c.resolveTo = now.Add(t.s.opts.PendingDelay), amazonpay.StatusCaptureApproved
	case o == PendingFail:
		c.resolveAt, c.resolveTo = now.Add(t.s.opts.PendingDelay), amazonpay.StatusFailed
	}
	t.insertCharge(c) // once, as the script leaves it
	return c, nil
}

// refusal declines c at once when the account cannot pay with its
// instrument at all: no KYC, or no Pay Later credit for the amount. A
// short balance is not refused; the customer tops it up.
func refusal(c *charge, a *account) *apiError {
	nonKYC := errorf(http.StatusBadRequest, amazonpay.CodeNonKYCAccount, "The customer's account is not KYC compliant.")
	switch {
	case c.instrument == instrumentBalance && a.persona.NonKYC:
		c.status, c.reasonCode, c.reasonDesc = amazonpay.StatusDeclined, ReasonCodeNonKYCAccount, ReasonNonKYC
		return nonKYC
	case c.instrument == instrumentBalance:
		return nil
	case a.persona.Ineligible == CodeKYCExpired:
		c.status, c.reasonCode, c.reasonDesc = amazonpay.StatusDeclined, ReasonCodeNonKYCAccount, ReasonKYCExpired
		return nonKYC
	case a.persona.Ineligible != "" || c.amount > a.credit:
		c.status, c.reasonCode, c.reasonDesc = amazonpay.StatusDeclined, ReasonCodeInsufficient, ReasonNotAvailable
		return errorf(http.StatusBadRequest, amazonpay.CodeInsufficientFunds, "The charge failed for lack of funds.")
	}
	return nil
}

func instrumentName(instrument string) string {
	if instrument == instrumentBalance {
		return "Amazon Pay"
	}
	return "Amazon Pay Later"
}

// chargeStatus is the status API. Like Amazon's, it also answers for
// refund ids.
func (s *Simulator) chargeStatus(w http.ResponseWriter, r *http.Request) {
	q, sel, e := s.statusQuery(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	var (
		c  *charge
		rf *refund
	)
	find := func(t *txn) {
		if c = t.findCharge(sel, q.Get("txnIdType"), q.Get("txnId")); c == nil {
			rf = t.findRefund(sel, q.Get("txnIdType"), q.Get("txnId"))
		}
	}
	now := s.now()
	err := s.read(r.Context(), find)
	if phone := duePhone(c, rf, now); err == nil && phone != "" {
		err = s.change(r.Context(), func(t *txn) {
			t.lockAccount(phone)
			find(t)
		})
	}
	switch {
	case err != nil:
		s.writeError(w, r, sel, internalError())
	case c != nil:
		s.writeSigned(w, r, sel, http.StatusOK, s.wireCharge(r, c))
	case rf != nil:
		s.writeSigned(w, r, sel, http.StatusOK, s.wireRefund(rf))
	default:
		s.writeError(w, r, sel, errorf(http.StatusBadRequest, amazonpay.CodeInvalidChargeID, "Specified charge id does not exist."))
	}
}

// statusQuery authenticates a status call and checks its query. Either
// seller may ask, each about its own charges and refunds.
func (s *Simulator) statusQuery(r *http.Request) (url.Values, *seller, *apiError) {
	_, sel, e := s.authenticate(r)
	if e != nil {
		return nil, sel, e
	}
	q := r.URL.Query()
	if e := s.checkMerchant(sel, q.Get("merchantId")); e != nil {
		return nil, sel, e
	}
	if t := q.Get("txnIdType"); t != "MerchantTxnId" && t != "AmazonTxnId" {
		return nil, sel, invalidArg("txnIdType must be MerchantTxnId or AmazonTxnId.")
	}
	if q.Get("txnId") == "" {
		return nil, sel, invalidArg("txnId is required.")
	}
	return q, sel, nil
}

// findCharge finds one of sel's charges by the merchant's or Amazon's id;
// another seller's charge is not found.
func (t *txn) findCharge(sel *seller, idType, id string) *charge {
	if idType == "AmazonTxnId" {
		return t.chargeWhere(`amazon_id = $1 AND merchant_id = $2`, id, sel.merchantID)
	}
	return t.chargeByID(sel.merchantID, id)
}
