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

// Errors Verify returns, for callers that want to tell them apart.
var (
	ErrMissingHeaders = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature header")
	ErrTimestamp      = errors.New("webhook: webhook-timestamp missing, malformed or outside the tolerance")
	ErrSignature      = errors.New("webhook: no webhook-signature matches")
)

// DefaultTolerance is how far webhook-timestamp may be from the receiver's
// clock, as the Standard Webhooks specification recommends, to limit
// replays of a captured request.
const DefaultTolerance = 5 * time.Minute

// Sign returns the webhook-signature header value for a webhook with id,
// sent at ts, with body: "v1," + base64(HMAC-SHA256(key, id.ts.body)),
// where key is the UTF-8 bytes of secret without an optional "whsec_"
// prefix.
func Sign(secret, id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(secret, id, strconv.FormatInt(ts.Unix(), 10), body))
}

func mac(secret, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(strings.TrimPrefix(secret, "whsec_")))
	h.Write([]byte(id + "." + ts + "."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks the Standard Webhooks headers of a received webhook
// against body (the raw bytes, before any JSON decoding). It accepts the
// request if webhook-timestamp is within tolerance of now (DefaultTolerance
// when tolerance is 0) and any of the space-separated v1 signatures in
// webhook-signature matches, so a secret can be rotated without downtime.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
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
	want := mac(secret, id, ts, body)
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
