package checkout

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
// before checkout gives it a meaning. Connectors fill it, naming the
// provider's status in the checkout's words (State), and decide nothing;
// Interpret and InterpretRefund say what it means.
type Reply struct {
	// Verified is true for a well-formed answer whose signature checked
	// out. A timeout, a reset, an unsigned or wrongly signed body, or a
	// body that could not be read is not verified.
	Verified   bool
	HTTPStatus int
	Code       string     // the provider's error code, on an error answer
	State      ReplyState // the charge's or refund's status, on a success answer
	Reason     string     // the provider's reason code that comes with State
	Message    string
	// ShopperFailed marks a decline caused by the shopper at the
	// provider's page (a wrong OTP, the page left) rather than by the
	// provider's decision.
	ShopperFailed bool
	ProviderRef   string // the provider's own id of the charge or refund
	// ActionURL is where the shopper must go to finish (a 2FA or top-up
	// page), with a pending charge.
	ActionURL string
	// Detail describes a failed call for the log.
	Detail string
}

// ReplyState is a charge's or refund's status as a provider reported it.
type ReplyState int

// Provider statuses, in the checkout's words.
const (
	StateNone     ReplyState = iota // no status, or one the connector does not know
	StateApproved                   // captured (a charge) or carried out (a refund)
	StatePending                    // not decided yet
	StateDeclined                   // refused or failed, finally
)

// OutcomeTable is what a provider's error codes mean, given by its method:
// per code, the outcome for a charge, a charge status read, a refund and a
// refund status read, in that order. Relink lists the charge refusals that
// mean the customer's link no longer works for this method. A code missing
// from Codes is Unknown.
type OutcomeTable struct {
	Codes  map[string][4]Outcome
	Relink map[string]bool
	// SoftDeclines are the decline reasons after which another try may
	// well succeed (the shopper's own choice, such as a top-up not
	// finished); they do not stop retries as a hard decline does.
	SoftDeclines map[string]bool
}

// outcomeOf decides what an error answer to call means under t. Whatever
// the table says, an unverified answer, a 429 and a 5xx are Unknown, and a
// status read never fails anything: at most it says the id is unknown.
func (t OutcomeTable) outcomeOf(call Call, r Reply) Outcome {
	if !r.Verified || r.HTTPStatus == 429 || r.HTTPStatus >= 500 {
		return OutcomeUnknown
	}
	row, ok := t.Codes[r.Code]
	if !ok {
		return OutcomeUnknown
	}
	out := row[call-CallCharge]
	if (call == CallChargeStatus || call == CallRefundStatus) && out != OutcomeNotFound {
		return OutcomeUnknown
	}
	return out
}

// errorOf decides an error answer to call: its outcome, and the words to
// keep (what went wrong on the way when the provider said nothing).
func (t OutcomeTable) errorOf(call Call, r Reply) (Outcome, string) {
	out := t.outcomeOf(call, r)
	if out == OutcomeUnknown && r.Message == "" {
		return out, r.Detail
	}
	return out, r.Message
}

// isError reports whether r is an error answer rather than a status.
func (r Reply) isError() bool {
	return !r.Verified || r.HTTPStatus >= 300 || r.State == StateNone
}

// Interpret says what a charge call's or charge status read's reply means
// under the method's table t. Only a verified approval is a success and
// only a verified decline ends a charge; anything else is Unknown and asked
// again.
func Interpret(call Call, r Reply, t OutcomeTable) ChargeResult {
	res := ChargeResult{ProviderRef: r.ProviderRef}
	if r.isError() {
		res.Code = r.Code
		res.Outcome, res.Message = t.errorOf(call, r)
		res.LinkRevoked = res.Outcome == OutcomeRejected && t.Relink[r.Code]
		return res
	}
	res.Code, res.Message = r.Reason, r.Message
	switch r.State {
	case StateApproved:
		res.Outcome = OutcomeSucceeded
	case StatePending:
		res.Outcome, res.ActionURL = OutcomePending, r.ActionURL
	case StateDeclined:
		res.Outcome = OutcomeDeclined
		res.AuthenticationFailed = r.ShopperFailed
	default:
		res.Outcome = OutcomeUnknown
	}
	return res
}

// InterpretRefund says what a refund call's or refund status read's reply
// means under the method's table t.
func InterpretRefund(call Call, r Reply, t OutcomeTable) RefundResult {
	res := RefundResult{ProviderRef: r.ProviderRef}
	if r.isError() {
		res.Code = r.Code
		res.Outcome, res.Message = t.errorOf(call, r)
		return res
	}
	res.Code, res.Message = r.Reason, r.Message
	switch r.State {
	case StateApproved:
		res.Outcome = OutcomeSucceeded
	case StatePending:
		res.Outcome = OutcomePending
	case StateDeclined:
		res.Outcome = OutcomeDeclined
	default:
		res.Outcome = OutcomeUnknown
	}
	return res
}

// Outcome is what a charge or refund call or status read means, in
// checkout's terms.
type Outcome int

// Outcomes of a charge or refund.
const (
	OutcomeUnknown   Outcome = iota // no definitive, verified answer (timeout, 429, 5xx, unsigned): ask again later
	OutcomeSucceeded                // money captured (or refunded)
	OutcomePending                  // not decided yet; maybe the shopper must act (ActionURL)
	OutcomeDeclined                 // the provider refused
	OutcomeRejected                 // the request was refused before a decision (bad input, bad token)
	OutcomeNotFound                 // the provider has no such charge or refund
)

// ChargeResult is what a charge call's or status read's reply means.
type ChargeResult struct {
	Outcome     Outcome
	ProviderRef string
	ActionURL   string // the provider's page, with OutcomePending
	// AuthenticationFailed marks a decline caused by the shopper (wrong
	// OTP, page abandoned) rather than by the provider's decision.
	AuthenticationFailed bool
	// LinkRevoked marks a rejection because the customer's link no longer
	// works for this method.
	LinkRevoked bool
	Code        string
	Message     string
}
