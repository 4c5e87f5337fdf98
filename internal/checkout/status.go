package checkout

// Status is an order status, named and numbered as Juspay does.
type Status string

// The statuses paypage uses (DESIGN.md section 2).
const (
	StatusNew                  Status = "NEW"
	StatusPendingVBV           Status = "PENDING_VBV"
	StatusCharged              Status = "CHARGED"
	StatusJuspayDeclined       Status = "JUSPAY_DECLINED"
	StatusAuthenticationFailed Status = "AUTHENTICATION_FAILED"
	StatusAuthorizationFailed  Status = "AUTHORIZATION_FAILED"
	StatusAutoRefunded         Status = "AUTO_REFUNDED"
)

var statusIDs = map[Status]int{
	StatusNew:                  10,
	StatusCharged:              21,
	StatusJuspayDeclined:       22,
	StatusPendingVBV:           23,
	StatusAuthenticationFailed: 26,
	StatusAuthorizationFailed:  27,
	StatusAutoRefunded:         36,
}

// NotFoundStatusID is the status_id Juspay reports for an unknown order.
const NotFoundStatusID = 40

// ID returns Juspay's numeric status_id.
func (s Status) ID() int { return statusIDs[s] }

// Final reports whether no further change is possible.
func (s Status) Final() bool { return s == StatusCharged || s == StatusAutoRefunded }

// Failed reports whether the latest attempt failed; the order may still be
// retried while it has not expired.
func (s Status) Failed() bool {
	switch s {
	case StatusJuspayDeclined, StatusAuthenticationFailed, StatusAuthorizationFailed:
		return true
	}
	return false
}

// orderTransitions lists every legal order status change. An order moves to
// PENDING_VBV when an attempt starts and to the attempt's outcome when it
// ends; a failed order may start another attempt. CHARGED and AUTO_REFUNDED
// are final. AUTO_REFUNDED is reached when a late success arrives for an
// order that can no longer take it.
var orderTransitions = map[Status][]Status{
	StatusNew:                  {StatusPendingVBV, StatusJuspayDeclined, StatusAutoRefunded},
	StatusPendingVBV:           {StatusCharged, StatusAuthenticationFailed, StatusAuthorizationFailed, StatusJuspayDeclined, StatusAutoRefunded},
	StatusAuthenticationFailed: {StatusPendingVBV, StatusAutoRefunded},
	StatusAuthorizationFailed:  {StatusPendingVBV, StatusAutoRefunded},
	StatusJuspayDeclined:       {StatusPendingVBV, StatusAutoRefunded},
}

// CanMove reports whether an order may move from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range orderTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}
