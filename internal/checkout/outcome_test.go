package checkout

import "testing"

var allCalls = [4]Call{CallCharge, CallChargeStatus, CallRefund, CallRefundStatus}

func outcomeOf(call Call, r Reply, t OutcomeTable) Outcome {
	if call == CallCharge || call == CallChargeStatus {
		return Interpret(call, r, t).Outcome
	}
	return InterpretRefund(call, r, t).Outcome
}

// The method's table decides each code per call; the checkout's own rules
// hold whatever the table says: no unverified answer, 429 or 5xx is final,
// a code the table lacks is Unknown, and no status read fails anything.
func TestOutcomeRules(t *testing.T) {
	for code, row := range testTable.Codes {
		for i, call := range allCalls {
			want := row[i]
			if (call == CallChargeStatus || call == CallRefundStatus) && want != OutcomeNotFound {
				want = OutcomeUnknown
			}
			if got := outcomeOf(call, Reply{Verified: true, HTTPStatus: 400, Code: code}, testTable); got != want {
				t.Errorf("%s on %s: %v, want %v", code, call, got, want)
			}
			for _, bad := range []Reply{
				{Verified: false, HTTPStatus: 400, Code: code},
				{Verified: true, HTTPStatus: 429, Code: code},
				{Verified: true, HTTPStatus: 503, Code: code},
			} {
				if got := outcomeOf(call, bad, testTable); got != OutcomeUnknown {
					t.Errorf("%s on %s as %+v: %v, want Unknown", code, call, bad, got)
				}
			}
		}
	}
	// A table that would let a status read decline is overruled.
	strict := OutcomeTable{Codes: map[string][4]Outcome{"X": {OutcomeDeclined, OutcomeDeclined, OutcomeRejected, OutcomeRejected}}}
	for _, call := range []Call{CallChargeStatus, CallRefundStatus} {
		if got := outcomeOf(call, Reply{Verified: true, HTTPStatus: 400, Code: "X"}, strict); got != OutcomeUnknown {
			t.Errorf("a status read failed something on %s: %v", call, got)
		}
	}
	for _, code := range []string{"", "NOT_IN_THE_TABLE", codeThrottled} {
		for _, call := range allCalls {
			if got := outcomeOf(call, Reply{Verified: true, HTTPStatus: 400, Code: code}, testTable); got != OutcomeUnknown {
				t.Errorf("%q on %s: %v, want Unknown", code, call, got)
			}
		}
	}
}

func TestOnlyARelinkCodeRevokesTheLink(t *testing.T) {
	r := Interpret(CallCharge, Reply{Verified: true, HTTPStatus: 403, Code: codeBadToken}, testTable)
	if r.Outcome != OutcomeRejected || !r.LinkRevoked {
		t.Errorf("%s on a charge: %+v", codeBadToken, r)
	}
	for _, code := range []string{codeBadInput, codeNoFunds} {
		if Interpret(CallCharge, Reply{Verified: true, HTTPStatus: 400, Code: code}, testTable).LinkRevoked {
			t.Errorf("%s revokes the link", code)
		}
	}
	if Interpret(CallChargeStatus, Reply{Verified: true, HTTPStatus: 403, Code: codeBadToken}, testTable).LinkRevoked {
		t.Error("a status read revokes the link")
	}
	if Interpret(CallCharge, Reply{HTTPStatus: 403, Code: codeBadToken}, testTable).LinkRevoked {
		t.Error("an unsigned answer revokes the link")
	}
}

func TestStatusDecisions(t *testing.T) {
	tests := []struct {
		state         ReplyState
		shopperFailed bool
		want          Outcome
	}{
		{StateApproved, false, OutcomeSucceeded},
		{StatePending, false, OutcomePending},
		{StateDeclined, false, OutcomeDeclined},
		{StateDeclined, true, OutcomeDeclined},
		{StateNone, false, OutcomeUnknown},
	}
	for _, tt := range tests {
		for _, call := range []Call{CallCharge, CallChargeStatus} {
			got := Interpret(call, Reply{Verified: true, HTTPStatus: 200, State: tt.state, ShopperFailed: tt.shopperFailed,
				ActionURL: "https://provider.example/page"}, testTable)
			if got.Outcome != tt.want || got.AuthenticationFailed != (tt.shopperFailed && tt.want == OutcomeDeclined) {
				t.Errorf("%v on %s: %+v", tt.state, call, got)
			}
			if (got.ActionURL != "") != (tt.want == OutcomePending) {
				t.Errorf("%v on %s: action URL %q", tt.state, call, got.ActionURL)
			}
		}
		for _, call := range []Call{CallRefund, CallRefundStatus} {
			if got := InterpretRefund(call, Reply{Verified: true, HTTPStatus: 200, State: tt.state}, testTable).Outcome; got != tt.want {
				t.Errorf("refund %v on %s: %v, want %v", tt.state, call, got, tt.want)
			}
		}
	}
	// A status body that is not verified (the connector could not check
	// its signature) is no answer.
	if got := Interpret(CallChargeStatus, Reply{HTTPStatus: 200, State: StateDeclined}, testTable).Outcome; got != OutcomeUnknown {
		t.Errorf("unverified decline: %v", got)
	}
	if got := Interpret(CallChargeStatus, Reply{Verified: true, HTTPStatus: 200, State: StateApproved, Code: codeNoFunds}, testTable).Outcome; got != OutcomeSucceeded {
		t.Errorf("approved with a code: %v", got)
	}
}
