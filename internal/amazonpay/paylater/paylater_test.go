package paylater

import (
	"testing"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/checkout"
)

const (
	U = checkout.OutcomeUnknown
	D = checkout.OutcomeDeclined
	R = checkout.OutcomeRejected
	N = checkout.OutcomeNotFound
)

var calls = [4]checkout.Call{checkout.CallCharge, checkout.CallChargeStatus, checkout.CallRefund, checkout.CallRefundStatus}

func outcome(call checkout.Call, r checkout.Reply) checkout.Outcome {
	if call == checkout.CallCharge || call == checkout.CallChargeStatus {
		return checkout.Interpret(call, r, amazonpay.Outcomes).Outcome
	}
	return checkout.InterpretRefund(call, r, amazonpay.Outcomes).Outcome
}

// One row per documented Amazon error code and call, written out rather
// than derived from the table, so that a changed decision fails here.
func TestErrorCodeDecisions(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   [4]checkout.Outcome // charge, charge status, refund, refund status
	}{
		{400, "InvalidArguments", [4]checkout.Outcome{R, U, R, U}},
		{400, "InvalidMerchantId", [4]checkout.Outcome{R, U, R, U}},
		{400, "InvalidChargeId", [4]checkout.Outcome{R, N, D, U}},
		{400, "InvalidRefundId", [4]checkout.Outcome{U, U, R, N}},
		{400, "InvalidCallbackUrl", [4]checkout.Outcome{R, U, U, U}},
		{400, "NonKYCAccount", [4]checkout.Outcome{D, U, U, U}},
		{400, "InsufficientFunds", [4]checkout.Outcome{D, U, U, U}},
		{400, "InsufficientLoadLimit", [4]checkout.Outcome{D, U, U, U}},
		{400, "DuplicateChargeId", [4]checkout.Outcome{U, U, U, U}},
		{400, "DuplicateRefundId", [4]checkout.Outcome{U, U, U, U}},
		{400, "ExcessRefundAmount", [4]checkout.Outcome{U, U, D, U}},
		{400, "ChargeNotApproved", [4]checkout.Outcome{D, U, D, U}},
		{401, "AuthorizationExpired", [4]checkout.Outcome{U, U, U, U}},
		{401, "AuthorizationFailed", [4]checkout.Outcome{U, U, U, U}},
		{403, "InvalidAccessToken", [4]checkout.Outcome{R, U, U, U}},
		{500, "InternalServerError", [4]checkout.Outcome{U, U, U, U}},
		// Not documented: never final.
		{400, "SomethingNew", [4]checkout.Outcome{U, U, U, U}},
		{400, "", [4]checkout.Outcome{U, U, U, U}},
	}
	if len(amazonpay.Outcomes.Codes) != 16 {
		t.Errorf("the table has %d codes; every documented code needs a row here", len(amazonpay.Outcomes.Codes))
	}
	for _, tt := range tests {
		for i, call := range calls {
			r := checkout.Reply{Verified: true, HTTPStatus: tt.status, Code: tt.code}
			if got := outcome(call, r); got != tt.want[i] {
				t.Errorf("%s on %s: %v, want %v", tt.code, call, got, tt.want[i])
			}
			// The same answer unsigned, or through a rate limiter, or as a
			// 5xx, is never final.
			for _, bad := range []checkout.Reply{
				{Verified: false, HTTPStatus: tt.status, Code: tt.code},
				{Verified: true, HTTPStatus: 429, Code: tt.code},
				{Verified: true, HTTPStatus: 503, Code: tt.code},
			} {
				if got := outcome(call, bad); got != checkout.OutcomeUnknown {
					t.Errorf("%s on %s as %+v: %v, want Unknown", tt.code, call, bad, got)
				}
			}
		}
	}
}

func TestOnlyAnInvalidTokenRevokesTheLink(t *testing.T) {
	r := checkout.Interpret(checkout.CallCharge, checkout.Reply{Verified: true, HTTPStatus: 403, Code: "InvalidAccessToken"}, amazonpay.Outcomes)
	if r.Outcome != checkout.OutcomeRejected || !r.LinkRevoked {
		t.Errorf("InvalidAccessToken on a charge: %+v", r)
	}
	for _, code := range []string{"InvalidArguments", "InsufficientFunds"} {
		if checkout.Interpret(checkout.CallCharge, checkout.Reply{Verified: true, HTTPStatus: 400, Code: code}, amazonpay.Outcomes).LinkRevoked {
			t.Errorf("%s revokes the link", code)
		}
	}
	if checkout.Interpret(checkout.CallChargeStatus, checkout.Reply{Verified: true, HTTPStatus: 403, Code: "InvalidAccessToken"}, amazonpay.Outcomes).LinkRevoked {
		t.Error("a status read revokes the link")
	}
}

// Amazon's statuses, read off the wire by the shared client, mean what
// they should under this method's table.
func TestStatusDecisions(t *testing.T) {
	tests := []struct {
		status, reason string
		want           checkout.Outcome
		authFailed     bool
	}{
		{"CaptureApproved", "", checkout.OutcomeSucceeded, false},
		{"CapturePending", "", checkout.OutcomePending, false},
		{"AuthPending", "", checkout.OutcomePending, false},
		{"Declined", "TransactionDeclined", checkout.OutcomeDeclined, false},
		{"Failed", "ProcessingFailed", checkout.OutcomeDeclined, false},
		{"Failed", "OTPValidationFailed", checkout.OutcomeDeclined, true},
		{"Failed", "ChargeTimedOut", checkout.OutcomeDeclined, true},
		{"AuthApproved", "", checkout.OutcomeUnknown, false},
		{"Whatever", "", checkout.OutcomeUnknown, false},
	}
	for _, tt := range tests {
		for _, call := range calls[:2] {
			reply := amazonpay.ChargeStatusReply(amazonpay.Charge{Status: amazonpay.Status(tt.status), ReasonCode: tt.reason}, nil)
			got := checkout.Interpret(call, reply, amazonpay.Outcomes)
			if got.Outcome != tt.want || got.AuthenticationFailed != tt.authFailed {
				t.Errorf("%s/%s on %s: %+v", tt.status, tt.reason, call, got)
			}
		}
	}
	for status, want := range map[string]checkout.Outcome{"Approved": checkout.OutcomeSucceeded, "Pending": checkout.OutcomePending,
		"Declined": checkout.OutcomeDeclined, "Failed": checkout.OutcomeDeclined, "Odd": checkout.OutcomeUnknown} {
		reply := amazonpay.RefundReply(amazonpay.Refund{Status: amazonpay.Status(status)}, nil, amazonpay.CodeInvalidRefundID)
		if got := checkout.InterpretRefund(checkout.CallRefundStatus, reply, amazonpay.Outcomes).Outcome; got != want {
			t.Errorf("refund %s: %v, want %v", status, got, want)
		}
	}
	// A status body whose signature could not be checked is no answer.
	unsigned := amazonpay.ChargeStatusReply(amazonpay.Charge{}, &amazonpay.APIError{HTTPStatus: 200, Code: "", Message: ""})
	if got := checkout.Interpret(checkout.CallChargeStatus, unsigned, amazonpay.Outcomes).Outcome; got != checkout.OutcomeUnknown {
		t.Errorf("unverified answer: %v", got)
	}
	// Amazon's not-found wording without a code still means not found,
	// on a read only.
	notFound := &amazonpay.APIError{Verified: true, HTTPStatus: 400, Message: "Specified charge id does not exist."}
	msg := amazonpay.ChargeStatusReply(amazonpay.Charge{}, notFound)
	if got := checkout.Interpret(checkout.CallChargeStatus, msg, amazonpay.Outcomes).Outcome; got != checkout.OutcomeNotFound {
		t.Errorf("not-found message on a read: %v", got)
	}
	msg = amazonpay.ChargeReply(amazonpay.Charge{}, notFound)
	if got := checkout.Interpret(checkout.CallCharge, msg, amazonpay.Outcomes).Outcome; got != checkout.OutcomeUnknown {
		t.Errorf("not-found message on a charge: %v", got)
	}
}
