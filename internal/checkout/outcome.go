package checkout

import "strings"

// Call names the provider call an answer came from: the same error code
// means different things on a charge and on a status read.
type Call int

// Provider calls whose answers checkout interprets.
const (
	CallCharge       Call = iota + 1 // create a charge
	CallChargeStatus                 // read a charge
	CallRefund                       // create a refund
	CallRefundStatus                 // read a refund
)

func (c Call) String() string {
	return map[Call]string{CallCharge: "charge", CallChargeStatus: "charge status",
		CallRefund: "refund", CallRefundStatus: "refund status"}[c]
}

// Reply is a provider's answer as the connector read it off the wire,
// before checkout gives it a meaning. Connectors fill it and decide
// nothing; Interpret and InterpretRefund say what it means.
type Reply struct {
	// Verified is true for a well-formed answer whose signature checked
	// out. A timeout, a reset, an unsigned or wrongly signed body, or a
	// body that could not be read is not verified.
	Verified   bool
	HTTPStatus int
	Code       string // the provider's error code, on an error answer
	Status     string // the charge's or refund's status, on a success answer
	Reason     string // the provider's reason code that comes with Status
	Message    string
	ProviderID string // the provider's own id of the charge or refund
	// RedirectURL is where the shopper must go to finish (2FA), with a
	// pending charge.
	RedirectURL string
	// Detail describes a failed call for the log.
	Detail string
}

// The provider's words for a charge's or refund's status (Amazon Pay
// India, reference section 7-9).
const (
	providerCaptureApproved = "CaptureApproved"
	providerCapturePending  = "CapturePending"
	providerAuthPending     = "AuthPending"
	providerDeclined        = "Declined"
	providerFailed          = "Failed"
	providerPending         = "Pending"  // refund
	providerApproved        = "Approved" // refund
)

// authenticationReasons are the reason codes of a charge that failed at
// the shopper's 2FA step rather than by Amazon's credit decision.
var authenticationReasons = map[string]bool{
	"OTPValidationFailed": true, // wrong one-time password
	"ChargeTimedOut":      true, // 2FA not finished within timeoutInSecs
}

// errorTable decides every documented Amazon Pay error code
// (reference/amazonpay-india-api.md section 10) for each call, in the
// order charge, charge status, refund, refund status. A code missing here,
// a 429, a 5xx and every unverified answer are Unknown: the attempt or
// refund stays open and is asked about again. No status read fails
// anything: at most it says the id is unknown.
//
// On a charge, Declined rows are Amazon's final refusals, and Rejected rows
// refuse the request before any decision; either way nothing was charged
// (the attempt stays watched until a status read agrees). Duplicate ids
// are resolved by the connector with a status read; reaching here means
// that read gave no answer. AuthorizationExpired (clock skew),
// AuthorizationFailed (a bad signature) and InternalServerError mean
// Amazon did not process the request.
var errorTable = map[string][4]Outcome{
	//                        charge            charge status     refund            refund status
	"InvalidArguments":      {OutcomeRejected, OutcomeUnknown, OutcomeRejected, OutcomeUnknown},
	"InvalidMerchantId":     {OutcomeRejected, OutcomeUnknown, OutcomeRejected, OutcomeUnknown},
	"InvalidChargeId":       {OutcomeRejected, OutcomeNotFound, OutcomeDeclined, OutcomeUnknown},
	"InvalidRefundId":       {OutcomeUnknown, OutcomeUnknown, OutcomeRejected, OutcomeNotFound},
	"InvalidCallbackUrl":    {OutcomeRejected, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"NonKYCAccount":         {OutcomeDeclined, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"InsufficientFunds":     {OutcomeDeclined, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"InsufficientLoadLimit": {OutcomeDeclined, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"DuplicateChargeId":     {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"DuplicateRefundId":     {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"ExcessRefundAmount":    {OutcomeUnknown, OutcomeUnknown, OutcomeDeclined, OutcomeUnknown},
	"ChargeNotApproved":     {OutcomeDeclined, OutcomeUnknown, OutcomeDeclined, OutcomeUnknown},
	"AuthorizationExpired":  {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"AuthorizationFailed":   {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"InvalidAccessToken":    {OutcomeRejected, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
	"InternalServerError":   {OutcomeUnknown, OutcomeUnknown, OutcomeUnknown, OutcomeUnknown},
}

// codeLinkRevoked is the charge refusal that means the customer's link no
// longer works (unlinked at Amazon, or a token not valid for Pay Later).
const codeLinkRevoked = "InvalidAccessToken"

// notFoundMessage reports how Amazon words an unknown id when the code is
// missing (Juspay matches the same texts).
func notFoundMessage(m string) bool {
	return m == "Specified charge id does not exist." || strings.HasPrefix(m, "No charge found for") ||
		m == "Specified refund id does not exist."
}

// outcomeOf decides what an error answer to call means.
func outcomeOf(call Call, r Reply) Outcome {
	if !r.Verified || r.HTTPStatus == 429 || r.HTTPStatus >= 500 {
		return OutcomeUnknown
	}
	if row, ok := errorTable[r.Code]; ok {
		return row[call-CallCharge]
	}
	if (call == CallChargeStatus || call == CallRefundStatus) && r.Code == "" && notFoundMessage(r.Message) {
		return OutcomeNotFound
	}
	return OutcomeUnknown
}

// errorOf decides an error answer to call: its outcome, and the words to
// keep (what went wrong on the way when Amazon said nothing).
func errorOf(call Call, r Reply) (Outcome, string) {
	out := outcomeOf(call, r)
	if out == OutcomeUnknown && r.Message == "" {
		return out, r.Detail
	}
	return out, r.Message
}

// isError reports whether r is an error answer rather than a status.
func (r Reply) isError() bool { return !r.Verified || r.HTTPStatus >= 300 || r.Status == "" }

// Interpret says what a charge call's or charge status read's reply means.
// Only a verified CaptureApproved is a success and only a verified decline
// ends a charge; anything else is Unknown and asked again.
func Interpret(call Call, r Reply) ChargeResult {
	res := ChargeResult{AmazonChargeID: r.ProviderID}
	if r.isError() {
		res.Code = r.Code
		res.Outcome, res.Message = errorOf(call, r)
		res.LinkRevoked = res.Outcome == OutcomeRejected && r.Code == codeLinkRevoked
		return res
	}
	res.Code, res.Message = r.Reason, r.Message
	switch r.Status {
	case providerCaptureApproved:
		res.Outcome = OutcomeSucceeded
	case providerCapturePending, providerAuthPending:
		res.Outcome, res.RedirectURL = OutcomePending, r.RedirectURL
	case providerDeclined, providerFailed:
		res.Outcome = OutcomeDeclined
		res.AuthenticationFailed = authenticationReasons[r.Reason]
	default:
		res.Outcome = OutcomeUnknown
	}
	return res
}

// InterpretRefund says what a refund call's or refund status read's reply
// means.
func InterpretRefund(call Call, r Reply) RefundResult {
	res := RefundResult{AmazonRefundID: r.ProviderID}
	if r.isError() {
		res.Code = r.Code
		res.Outcome, res.Message = errorOf(call, r)
		return res
	}
	res.Code, res.Message = r.Reason, r.Message
	switch r.Status {
	case providerApproved:
		res.Outcome = OutcomeSucceeded
	case providerPending:
		res.Outcome = OutcomePending
	case providerDeclined, providerFailed:
		res.Outcome = OutcomeDeclined
	default:
		res.Outcome = OutcomeUnknown
	}
	return res
}
