package checkout

import (
	"context"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

// TimelineKind says what a timeline entry records.
type TimelineKind string

// The kinds of timeline entries.
const (
	// TimelineStatus is a change of an order's, attempt's or refund's
	// status, recorded by the store in the transaction of the change.
	TimelineStatus TimelineKind = "status"
	// TimelineProviderCall is one call to a payment method's provider.
	TimelineProviderCall TimelineKind = "provider_call"
	// TimelineWebhookAttempt is one HTTP try of a merchant webhook.
	TimelineWebhookAttempt TimelineKind = "webhook_attempt"
	// TimelineReturn is a signed return to the merchant, as built.
	TimelineReturn TimelineKind = "return"
)

// TimelineEntry is one thing that happened to an order. Fields holds
// neutral facts only (statuses, operation names, HTTP statuses, latencies,
// the provider's codes), never tokens, signatures or personal data, so the
// merchant and QA can read it as it is.
type TimelineEntry struct {
	OrderID string
	At      time.Time
	Kind    TimelineKind
	Fields  map[string]any
}

// Timeline keeps the order timeline. internal/postgres implements it; the
// service records into it best effort: a failed write is logged and never
// fails a payment.
type Timeline interface {
	// RecordTimeline adds e to its order's timeline.
	RecordTimeline(ctx context.Context, e TimelineEntry) error
	// OrderTimeline returns every entry of order orderID (paypage's id),
	// webhook tries included, oldest first.
	OrderTimeline(ctx context.Context, orderID string) ([]TimelineEntry, error)
}

// noTimeline records nothing and has nothing to show.
type noTimeline struct{}

func (noTimeline) RecordTimeline(context.Context, TimelineEntry) error { return nil }
func (noTimeline) OrderTimeline(context.Context, string) ([]TimelineEntry, error) {
	return nil, nil
}

// The operations a provider call entry names.
const (
	OpOffer        = "offer"
	OpCharge       = "charge"
	OpChargeStatus = "charge_status"
	OpRefund       = "refund"
	OpRefundStatus = "refund_status"
)

// recordCall adds a provider call of method m for order orderID to the
// timeline: the operation, how long it took, and what the provider
// answered, read off reply (never a token or the shopper's data).
func (s *Service) recordCall(ctx context.Context, orderID, op string, m Method, took time.Duration, reply Reply) {
	f := map[string]any{
		"operation":  op,
		"method":     m.Kind().Name,
		"latency_ms": took.Milliseconds(),
		"verified":   reply.Verified,
	}
	if reply.HTTPStatus != 0 {
		f["http_status"] = reply.HTTPStatus
	}
	if reply.Code != "" {
		f["provider_code"] = reply.Code
	}
	if reply.Reason != "" {
		f["provider_reason"] = reply.Reason
	}
	s.recordTimeline(ctx, orderID, TimelineProviderCall, f)
}

// recordOffer adds an offer call to the timeline. Offers carry no reply, so
// the entry says whether the method answered and was listed. Offers are
// asked on every page view, so the entry is written beside the page rather
// than before it.
func (s *Service) recordOffer(ctx context.Context, orderID string, m Method, took time.Duration, off Offer, err error) {
	f := map[string]any{
		"operation":  OpOffer,
		"method":     m.Kind().Name,
		"latency_ms": took.Milliseconds(),
		"answered":   err == nil,
	}
	if err == nil {
		f["listed"], f["payable"] = off.Listed, off.Payable
	}
	at := s.now()
	go s.writeTimeline(ctx, TimelineEntry{OrderID: orderID, At: at, Kind: TimelineProviderCall, Fields: f})
}

// timelineTimeout bounds one timeline write: a slow database may cost the
// timeline an entry, never the shopper much time.
const timelineTimeout = 2 * time.Second

// recordTimeline writes one entry, best effort, in a context that outlives
// the request's own cancellation.
func (s *Service) recordTimeline(ctx context.Context, orderID string, kind TimelineKind, fields map[string]any) {
	s.writeTimeline(ctx, TimelineEntry{OrderID: orderID, At: s.now(), Kind: kind, Fields: fields})
}

// writeTimeline writes entry e, best effort.
func (s *Service) writeTimeline(ctx context.Context, e TimelineEntry) {
	if e.OrderID == "" {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timelineTimeout)
	defer cancel()
	if err := s.opts.Timeline.RecordTimeline(rctx, e); err != nil {
		s.log.WarnContext(ctx, "timeline entry not recorded", "order_id", e.OrderID, "kind", string(e.Kind), "error", err)
	}
}

// OrderTimeline is an order's timeline as the merchant API shows it.
type OrderTimeline struct {
	Order   Order
	Entries []TimelineEntry
}

// MerchantOrderTimeline returns the timeline of the merchant's order by its
// own order_id.
func (s *Service) MerchantOrderTimeline(ctx context.Context, merchantID, orderID string) (OrderTimeline, error) {
	o, err := s.MerchantOrder(ctx, merchantID, orderID)
	if err != nil {
		return OrderTimeline{}, err
	}
	return s.timelineOf(ctx, o)
}

func (s *Service) timelineOf(ctx context.Context, o Order) (OrderTimeline, error) {
	entries, err := s.opts.Timeline.OrderTimeline(ctx, o.ID)
	if err != nil {
		return OrderTimeline{}, err
	}
	return OrderTimeline{Order: o, Entries: entries}, nil
}

// OrderTimelineByID returns the timeline of order id, which is paypage's id
// of any order or else merchantID's own order_id: the sandbox's QA page
// takes either.
func (s *Service) OrderTimelineByID(ctx context.Context, merchantID, id string) (OrderTimeline, error) {
	if ValidOrderID(id) {
		o, err := s.store.OrderByID(ctx, id)
		if err == nil {
			return s.timelineOf(ctx, o)
		}
		if !errs.Is(err, errs.NotFound) {
			return OrderTimeline{}, err
		}
	}
	return s.MerchantOrderTimeline(ctx, merchantID, id)
}
