package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Errors Sign and Verify return, for callers that want to tell them apart.
var (
	ErrSecret         = errors.New("webhook: secret is not \"whsec_\" followed by standard base64 of a non-empty key")
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature header")
	ErrTimestamp      = errors.New("webhook: webhook-timestamp missing, malformed or outside the tolerance")
	ErrSignature      = errors.New("webhook: no webhook-signature matches")
)

// DefaultTolerance is how far webhook-timestamp may be from the receiver's
// clock, as the Standard Webhooks specification recommends, to limit
// replays of a captured request.
const DefaultTolerance = 5 * time.Minute

// SecretPrefix starts every webhook secret paypage issues.
const SecretPrefix = "whsec_"

// DecodeSecret returns the HMAC key of a Standard Webhooks secret: the
// standard base64 (with padding) after an optional "whsec_" prefix,
// decoded, as the official libraries read it.
func DecodeSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, ErrSecret
	}
	return key, nil
}

// Sign returns one webhook-signature entry for a webhook with id, sent at
// ts, with body: "v1," + base64(HMAC-SHA256(key, "id.ts.body")), where key
// is DecodeSecret(secret). It fails only on a malformed secret.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := DecodeSecret(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, strconv.FormatInt(ts.Unix(), 10), body)), nil
}

// SignatureHeader returns the webhook-signature header for secrets: one
// Sign entry per secret, space-separated, in the order given. During a
// rotation that is the new secret first, then the old one, so receivers
// holding either verify.
func SignatureHeader(secrets []string, id string, ts time.Time, body []byte) (string, error) {
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		sig, err := Sign(s, id, ts, body)
		if err != nil {
			return "", err
		}
		sigs[i] = sig
	}
	return strings.Join(sigs, " "), nil
}

func mac(key []byte, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id + "." + ts + "."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks the Standard Webhooks headers of a received webhook
// against body (the raw bytes, before any JSON decoding), the same way the
// official libraries do. It accepts the request if webhook-timestamp is
// within tolerance of now (DefaultTolerance when tolerance is 0) and any
// of the space-separated v1 signatures in webhook-signature matches, so a
// secret can be rotated without downtime. paypage's own tests and tools
// use it; merchants use a Standard Webhooks library.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := DecodeSecret(secret)
	if err != nil {
		return err
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return ErrMissingHeaders
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %s away from now", ErrTimestamp, d.Round(time.Second))
	}
	want := mac(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}
