package checkout

import "testing"

// One row per documented Amazon error code and call, written out rather
// than derived from errorTable, so that a changed decision fails here.
func TestErrorCodeDecisions(t *testing.T) {
	const (
		U = OutcomeUnknown
		D = OutcomeDeclined
		R = OutcomeRejected
		N = OutcomeNotFound
	)
	tests := []struct {
		status int
		code   string
		want   [4]Outcome // charge, charge status, refund, refund status
	}{
		{400, "InvalidArguments", [4]Outcome{R, U, R, U}},
		{400, "InvalidMerchantId", [4]Outcome{R, U, R, U}},
		{400, "InvalidChargeId", [4]Outcome{R, N, D, U}},
		{400, "InvalidRefundId", [4]Outcome{U, U, R, N}},
		{400, "InvalidCallbackUrl", [4]Outcome{R, U, U, U}},
		{400, "NonKYCAccount", [4]Outcome{D, U, U, U}},
		{400, "InsufficientFunds", [4]Outcome{D, U, U, U}},
		{400, "InsufficientLoadLimit", [4]Outcome{D, U, U, U}},
		{400, "DuplicateChargeId", [4]Outcome{U, U, U, U}},
		{400, "DuplicateRefundId", [4]Outcome{U, U, U, U}},
		{400, "ExcessRefundAmount", [4]Outcome{U, U, D, U}},
		{400, "ChargeNotApproved", [4]Outcome{D, U, D, U}},
		{401, "AuthorizationExpired", [4]Outcome{U, U, U, U}},
		{401, "AuthorizationFailed", [4]Outcome{U, U, U, U}},
		{403, "InvalidAccessToken", [4]Outcome{R, U, U, U}},
		{500, "InternalServerError", [4]Outcome{U, U, U, U}},
		// Not documented: never final.
		{400, "SomethingNew", [4]Outcome{U, U, U, U}},
		{400, "", [4]Outcome{U, U, U, U}},
	}
	if len(errorTable) != 16 {
		t.Errorf("errorTable has %d codes; every documented code needs a row here", len(errorTable))
	}
	calls := [4]Call{CallCharge, CallChargeStatus, CallRefund, CallRefundStatus}
	for _, tt := range tests {
		for i, call := range calls {
			r := Reply{Verified: true, HTTPStatus: tt.status, Code: tt.code}
			var got Outcome
			if call == CallCharge || call == CallChargeStatus {
				got = Interpret(call, r).Outcome
			} else {
				got = InterpretRefund(call, r).Outcome
			}
			if got != tt.want[i] {
				t.Errorf("%s on %s: %v, want %v", tt.code, call, got, tt.want[i])
			}
			// The same answer unsigned, or through a rate limiter, or as a
			// 5xx, is never final.
			for _, bad := range []Reply{
				{Verified: false, HTTPStatus: tt.status, Code: tt.code},
				{Verified: true, HTTPStatus: 429, Code: tt.code},
				{Verified: true, HTTPStatus: 503, Code: tt.code},
			} {
				if got := Interpret(call, bad).Outcome; got != OutcomeUnknown {
					t.Errorf("%s on %s as %+v: %v, want Unknown", tt.code, call, bad, got)
				}
			}
		}
	}
}

func TestOnlyAnInvalidTokenRevokesTheLink(t *testing.T) {
	r := Interpret(CallCharge, Reply{Verified: true, HTTPStatus: 403, Code: "InvalidAccessToken"})
	if r.Outcome != OutcomeRejected || !r.LinkRevoked {
		t.Errorf("InvalidAccessToken on a charge: %+v", r)
	}
	for _, code := range []string{"InvalidArguments", "InsufficientFunds"} {
		if Interpret(CallCharge, Reply{Verified: true, HTTPStatus: 400, Code: code}).LinkRevoked {
			t.Errorf("%s revokes the link", code)
		}
	}
	if Interpret(CallChargeStatus, Reply{Verified: true, HTTPStatus: 403, Code: "InvalidAccessToken"}).LinkRevoked {
		t.Error("a status read revokes the link")
	}
}

func TestStatusDecisions(t *testing.T) {
	tests := []struct {
		status, reason string
		want           Outcome
		authFailed     bool
	}{
		{"CaptureApproved", "", OutcomeSucceeded, false},
		{"CapturePending", "", OutcomePending, false},
		{"AuthPending", "", OutcomePending, false},
		{"Declined", "TransactionDeclined", OutcomeDeclined, false},
		{"Failed", "ProcessingFailed", OutcomeDeclined, false},
		{"Failed", "OTPValidationFailed", OutcomeDeclined, true},
		{"Failed", "ChargeTimedOut", OutcomeDeclined, true},
		{"AuthApproved", "", OutcomeUnknown, false},
		{"Whatever", "", OutcomeUnknown, false},
	}
	for _, tt := range tests {
		for _, call := range []Call{CallCharge, CallChargeStatus} {
			got := Interpret(call, Reply{Verified: true, HTTPStatus: 200, Status: tt.status, Reason: tt.reason})
			if got.Outcome != tt.want || got.AuthenticationFailed != tt.authFailed {
				t.Errorf("%s/%s on %s: %+v", tt.status, tt.reason, call, got)
			}
		}
	}
	for status, want := range map[string]Outcome{"Approved": OutcomeSucceeded, "Pending": OutcomePending,
		"Declined": OutcomeDeclined, "Failed": OutcomeDeclined, "Odd": OutcomeUnknown} {
		if got := InterpretRefund(CallRefundStatus, Reply{Verified: true, HTTPStatus: 200, Status: status}).Outcome; got != want {
			t.Errorf("refund %s: %v, want %v", status, got, want)
		}
	}
	// A status body that is not verified (the connector could not check
	// its signature) is no answer.
	if got := Interpret(CallChargeStatus, Reply{HTTPStatus: 200, Status: "Declined"}).Outcome; got != OutcomeUnknown {
		t.Errorf("unverified Declined: %v", got)
	}
	// Amazon's not-found wording without a code still means not found,
	// on a read only.
	msg := Reply{Verified: true, HTTPStatus: 400, Message: "Specified charge id does not exist."}
	if got := Interpret(CallChargeStatus, msg).Outcome; got != OutcomeNotFound {
		t.Errorf("not-found message on a read: %v", got)
	}
	if got := Interpret(CallCharge, msg).Outcome; got != OutcomeUnknown {
		t.Errorf("not-found message on a charge: %v", got)
	}
}
