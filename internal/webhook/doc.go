// Package webhook delivers signed merchant webhooks from the outbox.
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
// password (Juspay style) and Standard Webhooks 1.0 headers: webhook-id (the
// event id, the same on every retry), webhook-timestamp (unix seconds of
// this try) and webhook-signature ("v1," + base64 HMAC-SHA256 over
// "id.timestamp.body"). A webhook secret has the specification's form,
// "whsec_" + standard base64 of the key bytes, and the HMAC key is those
// decoded bytes (DecodeSecret), so the official Standard Webhooks libraries
// verify paypage's webhooks with the secret as printed. Signatures are made
// at each try from the merchant's secrets as they are then, never stored:
// while a rotated-out secret is still within its overlap the header carries
// two signatures, space-separated, the new secret's first. Any 2xx counts as
// delivered; redirects are not followed.
//
// Verify checks a received webhook by the same rules, for paypage's own
// tests and tools. Merchants cannot import this package (it is internal);
// they use a Standard Webhooks library, as the README shows.
package webhook
