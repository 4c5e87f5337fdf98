package checkout

// Webhook event names (DESIGN.md section 2).
const (
	EventTxnCreated          = "TXN_CREATED"
	EventOrderSucceeded      = "ORDER_SUCCEEDED"
	EventOrderFailed         = "ORDER_FAILED"
	EventOrderRefunded       = "ORDER_REFUNDED"
	EventOrderRefundFailed   = "ORDER_REFUND_FAILED"
	EventAutoRefundSucceeded = "AUTO_REFUND_SUCCEEDED"
)

// OrderEvents names the events that an order's move from one status to
// another causes. started is true when the move started a new attempt.
func OrderEvents(from, to Status, started bool) []string {
	var out []string
	if started {
		out = append(out, EventTxnCreated)
	}
	if from == to {
		return out
	}
	switch {
	case to == StatusCharged:
		out = append(out, EventOrderSucceeded)
	case to.Failed():
		out = append(out, EventOrderFailed)
	}
	return out
}

// RefundEvents names the events of a refund's move to status to.
// Automatic refunds report through AUTO_REFUND_SUCCEEDED on the attempt
// instead.
func RefundEvents(r Refund, to RefundStatus) []string {
	if r.Automatic || r.Status == to {
		return nil
	}
	switch to {
	case RefundSuccess:
		return []string{EventOrderRefunded}
	case RefundFailure:
		return []string{EventOrderRefundFailed}
	}
	return nil
}
