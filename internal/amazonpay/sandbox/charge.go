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
		MerchantID: s.opts.MerchantID, ChargeID: c.id, AmazonChargeID: c.amazonID,
		RequestedAmount: c.amount.String(), ApprovedAmount: c.approved.String(), CurrencyCode: "INR",
		Status: string(c.status), ReasonCode: ptr(c.reasonCode), ReasonDescription: ptr(c.reasonDesc),
		CustomData: ptr(c.customData), CreateTime: c.created.Format(timeLayout), UpdateTime: c.updated.Format(timeLayout),
	}
	if c.status == amazonpay.StatusCapturePending && c.needsOTP {
		w.AmazonPayURL = ptr(s.base(r) + "/pay/" + url.PathEscape(c.amazonID))
	}
	return w
}

// chargeInput is a validated charge request.
type chargeInput struct {
	id, accessToken, callbackURL, customData string
	amount                                   money.Paise
	timeout                                  time.Duration
}

func (s *Simulator) parseCharge(f map[string]string) (chargeInput, *apiError) {
	var in chargeInput
	if f["merchantId"] != s.opts.MerchantID {
		return in, errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist.")
	}
	instrument := f["selectedPaymentInstrumentType"]
	if instrument == "" {
		instrument = f["selectedPaymentInstrument"]
	}
	switch {
	case f["intent"] != "Capture":
		return in, invalidArg("intent must be Capture for Amazon Pay Later.")
	case instrument != "AmazonPayLater":
		return in, invalidArg("selectedPaymentInstrumentType must be AmazonPayLater.")
	case f["currencyCode"] != "INR":
		return in, invalidArg("currencyCode must be INR.")
	case !chargeIDPattern.MatchString(f["chargeId"]):
		return in, invalidArg("chargeId must be 1 to 50 characters from [A-Za-z0-9_-].")
	case f["referenceId"] == "" || f["attributableProgram"] == "" || f["accessToken"] == "":
		return in, invalidArg("referenceId, attributableProgram and accessToken are required.")
	case len(f["noteToCustomer"]) > 200 || len(f["customData"]) > 2000:
		return in, invalidArg("noteToCustomer or customData is too long.")
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
		amount: amount, timeout: time.Duration(secs) * time.Second,
	}, nil
}

func (s *Simulator) createCharge(w http.ResponseWriter, r *http.Request) {
	body, e := s.authenticate(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	f, e := decodeBody(body)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	in, e := s.parseCharge(f)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleLocked(now)
	if s.charges[in.id] != nil {
		s.writeError(w, r, errorf(http.StatusBadRequest, amazonpay.CodeDuplicateChargeID, "This charge id was already processed."))
		return
	}
	phone, e := s.phoneForTokenLocked(in.accessToken, now)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	c, e := s.chargeLocked(in, phone, now)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	if s.accountLocked(phone).persona.Outcome == ServerErrorOnce {
		s.writeError(w, r, errorf(http.StatusInternalServerError, amazonpay.CodeInternalServerError, "Internal error. Retry later."))
		return
	}
	s.writeSigned(w, r, http.StatusOK, s.wireCharge(r, c))
}

// chargeLocked records a charge and plays the persona's script. Charges
// refused for KYC or credit are recorded as Declined and answered with the
// matching error code.
func (s *Simulator) chargeLocked(in chargeInput, phone string, now time.Time) (*charge, *apiError) {
	a := s.accountLocked(phone)
	c := &charge{
		id: in.id, amazonID: s.nextAmazonIDLocked(), phone: phone, callbackURL: in.callbackURL,
		customData: in.customData, amount: in.amount, status: amazonpay.StatusCapturePending,
		created: now, updated: now,
	}
	s.charges[c.id], s.byAmazon[c.amazonID] = c, c
	switch {
	case a.persona.Ineligible == CodeKYCExpired:
		c.status, c.reasonCode, c.reasonDesc = amazonpay.StatusDeclined, ReasonCodeNonKYCAccount, ReasonKYCExpired
		return c, errorf(http.StatusBadRequest, amazonpay.CodeNonKYCAccount, "The customer's account is not KYC compliant.")
	case a.persona.Ineligible != "" || in.amount > a.credit:
		c.status, c.reasonCode, c.reasonDesc = amazonpay.StatusDeclined, ReasonCodeInsufficient, ReasonNotAvailable
		return c, errorf(http.StatusBadRequest, amazonpay.CodeInsufficientFunds, "The charge failed for lack of funds.")
	}
	a.credit -= in.amount // held while pending, kept when approved
	switch a.persona.Outcome {
	case Approve, ServerErrorOnce:
		s.finishLocked(c, amazonpay.StatusCaptureApproved, "", "", now)
	case Decline:
		s.finishLocked(c, amazonpay.StatusDeclined, ReasonCodeDeclined, "The charge was declined by Amazon Pay Later.", now)
	case TwoFactor:
		c.needsOTP, c.otpDeadline = true, now.Add(in.timeout)
	case PendingApprove:
		c.resolveAt, c.resolveTo = now.Add(s.opts.PendingDelay), amazonpay.StatusCaptureApproved
	case PendingFail:
		c.resolveAt, c.resolveTo = now.Add(s.opts.PendingDelay), amazonpay.StatusFailed
	}
	return c, nil
}

// chargeStatus is the status API. Like Amazon's, it also answers for
// refund ids.
func (s *Simulator) chargeStatus(w http.ResponseWriter, r *http.Request) {
	q, e := s.statusQuery(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	if c := s.findChargeLocked(q.Get("txnIdType"), q.Get("txnId")); c != nil {
		s.writeSigned(w, r, http.StatusOK, s.wireCharge(r, c))
		return
	}
	if rf := s.findRefundLocked(q.Get("txnIdType"), q.Get("txnId")); rf != nil {
		s.writeSigned(w, r, http.StatusOK, s.wireRefund(rf))
		return
	}
	s.writeError(w, r, errorf(http.StatusBadRequest, amazonpay.CodeInvalidChargeID, "Specified charge id does not exist."))
}

// statusQuery authenticates a status call and checks its query.
func (s *Simulator) statusQuery(r *http.Request) (url.Values, *apiError) {
	if _, e := s.authenticate(r); e != nil {
		return nil, e
	}
	q := r.URL.Query()
	if q.Get("merchantId") != s.opts.MerchantID {
		return nil, errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist.")
	}
	if t := q.Get("txnIdType"); t != "MerchantTxnId" && t != "AmazonTxnId" {
		return nil, invalidArg("txnIdType must be MerchantTxnId or AmazonTxnId.")
	}
	if q.Get("txnId") == "" {
		return nil, invalidArg("txnId is required.")
	}
	return q, nil
}

func (s *Simulator) findChargeLocked(idType, id string) *charge {
	if idType == "AmazonTxnId" {
		return s.byAmazon[id]
	}
	return s.charges[id]
}
