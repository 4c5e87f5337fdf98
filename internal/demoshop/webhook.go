package demoshop

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// webhookTolerance is how far a webhook-timestamp may be from now, as the
// Standard Webhooks specification recommends, to limit replays.
const webhookTolerance = 5 * time.Minute

// maxWebhooks bounds the in-memory log so a noisy sender cannot grow it.
const maxWebhooks = 100

// Webhook is one webhook delivery the shop received.
type Webhook struct {
	WebhookID  string // the webhook-id header, the same on every retry
	EventID    string // the body's id
	EventName  string
	OrderID    string // content.order.order_id
	Status     string // content.order.status
	Verified   bool
	Reason     string // why it was rejected; empty when verified
	ReceivedAt time.Time
}

// VerifyWebhook checks the Standard Webhooks headers webhook-id,
// webhook-timestamp and webhook-signature against body with the official
// Go library, as a merchant would: secret is "whsec_" + standard base64 of
// the key, exactly as paypage prints it. Any one of several signatures
// (sent while a secret is rotated) is enough. The timestamp is checked here
// against now, with the library's tolerance, so that tests can set the
// clock.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return errors.New("the webhook secret is not whsec_ followed by standard base64")
	}
	if h.Get(standardwebhooks.HeaderWebhookID) == "" || h.Get(standardwebhooks.HeaderWebhookSignature) == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature header")
	}
	sec, err := strconv.ParseInt(h.Get(standardwebhooks.HeaderWebhookTimestamp), 10, 64)
	if err != nil {
		return errors.New("webhook-timestamp is missing or not a number of seconds")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > webhookTolerance || d < -webhookTolerance {
		return fmt.Errorf("webhook-timestamp is %s away from now", d.Round(time.Second))
	}
	if err := wh.VerifyIgnoringTimestamp(body, h); err != nil {
		return errors.New("no webhook-signature matches")
	}
	return nil
}

// webhookLog keeps the last maxWebhooks deliveries, newest last.
type webhookLog struct {
	mu    sync.Mutex
	items []Webhook
}

// add records w unless a verified delivery with the same webhook-id is
// already there; it reports whether w was new.
func (l *webhookLog) add(w Webhook) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.WebhookID != "" {
		for _, old := range l.items {
			if old.Verified && old.WebhookID == w.WebhookID {
				return false
			}
		}
	}
	l.items = append(l.items, w)
	if n := len(l.items) - maxWebhooks; n > 0 {
		l.items = append([]Webhook(nil), l.items[n:]...)
	}
	return true
}

func (l *webhookLog) list() []Webhook {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Webhook(nil), l.items...)
}

// Webhooks returns the received webhooks, newest last.
func (s *Shop) Webhooks() []Webhook { return s.webhooks.list() }

// webhookBody is the part of a Juspay webhook payload the shop shows.
type webhookBody struct {
	ID        string `json:"id"`
	EventName string `json:"event_name"`
	Content   struct {
		Order struct {
			OrderID string `json:"order_id"`
			Status  string `json:"status"`
		} `json:"order"`
	} `json:"content"`
}

// receiveWebhook checks Basic auth and the Standard Webhooks signature,
// records the delivery either way, and answers 204 or 401.
func (s *Shop) receiveWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	now := time.Now()
	rec := Webhook{WebhookID: r.Header.Get("webhook-id"), ReceivedAt: now}
	var p webhookBody
	if err := json.Unmarshal(body, &p); err == nil {
		rec.EventID, rec.EventName = p.ID, p.EventName
		rec.OrderID, rec.Status = p.Content.Order.OrderID, p.Content.Order.Status
	}
	switch {
	case !s.basicAuthOK(r):
		rec.Reason = "wrong or missing Basic credentials"
	default:
		if err := VerifyWebhook(s.opts.WebhookSecret, r.Header, body, now); err != nil {
			rec.Reason = err.Error()
		} else {
			rec.Verified = true
		}
	}
	isNew := s.webhooks.add(rec)
	s.log.Info("demo shop webhook", "event", rec.EventName, "order_id", rec.OrderID,
		"verified", rec.Verified, "reason", rec.Reason, "duplicate", !isNew)
	if !rec.Verified {
		w.Header().Set("WWW-Authenticate", `Basic realm="demo shop webhooks"`)
		http.Error(w, "webhook not verified", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Shop) basicAuthOK(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if !ok {
		return false
	}
	uOK := subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.WebhookUsername))
	pOK := subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.WebhookPassword))
	return uOK&pOK == 1
}
