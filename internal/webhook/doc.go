// Package webhook delivers merchant webhooks from the outbox and offers
// merchants a helper to verify them.
//
// The store writes an events row (the exact JSON body) and a
// webhook_deliveries row in the same transaction as each order change; a
// Dispatcher, running in every paypage instance, claims due deliveries row
// by row with FOR UPDATE SKIP LOCKED, POSTs them outside any transaction
// and records the outcome. A claim leases the row (pushes next_attempt_at
// forward), so a crash mid-delivery only delays it. Failed tries are
// retried on Juspay's schedule with the same webhook-id and body, then the
// delivery is marked FAILED. The SQL lives in internal/postgres.
//
// Every request carries Basic auth with the merchant's webhook user and
// password (Juspay style) and Standard Webhooks headers: webhook-id (the
// event id, the same on every retry), webhook-timestamp (unix seconds of
// this try) and webhook-signature ("v1," + base64 HMAC-SHA256 over
// "id.timestamp.body", keyed with the UTF-8 bytes of the webhook secret
// without its optional "whsec_" prefix). Any 2xx counts as delivered;
// redirects are not followed.
//
// Merchants verifying in Go can use Verify on the raw body:
//
//	func receive(w http.ResponseWriter, r *http.Request) {
//		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//		if err != nil {
//			http.Error(w, "bad body", http.StatusBadRequest)
//			return
//		}
//		if err := webhook.Verify(secret, r.Header, body, time.Now(), webhook.DefaultTolerance); err != nil {
//			http.Error(w, "bad signature", http.StatusUnauthorized)
//			return
//		}
//		// Deliveries can repeat: deduplicate on r.Header.Get("webhook-id").
//		w.WriteHeader(http.StatusNoContent)
//	}
package webhook
