package checkout

import (
	"context"
	"regexp"

	"github.com/paypage/paypage/internal/errs"
)

// WebhookReplayer queues an event's webhook again. internal/postgres
// implements it.
type WebhookReplayer interface {
	// ReplayWebhook makes the delivery of event eventID due now, with a
	// fresh retry schedule, to the order's (or merchant's) webhook URL as it
	// is now. The event keeps its id, which is the webhook-id, so a receiver
	// that already processed it can tell. orderID, unless empty, is
	// paypage's id of the order the event must belong to. An unknown event
	// is errs.NotFound; one with no webhook URL to go to, errs.Conflict.
	ReplayWebhook(ctx context.Context, eventID, orderID string) (WebhookReplay, error)
}

// WebhookReplay is an event queued again.
type WebhookReplay struct {
	EventID    string `json:"event_id"`
	EventName  string `json:"event_name"`
	MerchantID string `json:"merchant_id"`
	OrderID    string `json:"order_id"` // the merchant's order_id
}

// eventIDPattern is how paypage's event ids look.
var eventIDPattern = regexp.MustCompile(`^evt_[0-9a-f]{24}$`)

var errEventNotFound = errs.E(errs.NotFound, "event.not_found", "event not found")

// ReplayWebhook re-sends event eventID with the same webhook-id, as
// Standard Webhooks asks providers to offer, for an operator (actor, logged).
func (s *Service) ReplayWebhook(ctx context.Context, actor, eventID string) (WebhookReplay, error) {
	if err := checkActor(actor); err != nil {
		return WebhookReplay{}, err
	}
	r, err := s.replay(ctx, eventID, "")
	if err == nil {
		s.log.InfoContext(ctx, "webhook replayed", "event_id", r.EventID, "merchant_id", r.MerchantID, "actor", actor)
	}
	return r, err
}

// ReplayMerchantWebhook re-sends event eventID of the merchant's order
// orderID (its own order_id) with the same webhook-id.
func (s *Service) ReplayMerchantWebhook(ctx context.Context, merchantID, orderID, eventID string) (WebhookReplay, error) {
	o, err := s.MerchantOrder(ctx, merchantID, orderID)
	if err != nil {
		return WebhookReplay{}, err
	}
	r, err := s.replay(ctx, eventID, o.ID)
	if err == nil {
		s.log.InfoContext(ctx, "webhook replayed", "event_id", r.EventID, "merchant_id", merchantID, "actor", "api")
	}
	return r, err
}

func (s *Service) replay(ctx context.Context, eventID, orderID string) (WebhookReplay, error) {
	if !eventIDPattern.MatchString(eventID) {
		return WebhookReplay{}, errEventNotFound
	}
	if s.opts.Webhooks == nil {
		return WebhookReplay{}, errs.E(errs.Unavailable, "webhook.unconfigured", "webhooks cannot be replayed here")
	}
	r, err := s.opts.Webhooks.ReplayWebhook(ctx, eventID, orderID)
	if errs.Is(err, errs.NotFound) {
		return WebhookReplay{}, errEventNotFound
	}
	return r, err
}
