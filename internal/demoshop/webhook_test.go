package demoshop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// signWebhook builds Standard Webhooks headers the way the specification
// describes: the key is the standard base64 after "whsec_", decoded.
func signWebhook(secret, id string, ts time.Time, body []byte) http.Header {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		panic(err)
	}
	return signWithKey(key, id, ts, body)
}

func signWithKey(key []byte, id string, ts time.Time, body []byte) http.Header {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + stamp + "." + string(body)))
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", stamp)
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	return h
}

func TestVerifyWebhook(t *testing.T) {
	const secret = "whsec_czNjcmV0" // the key is "s3cret"
	now := time.Unix(1_750_000_000, 0)
	body := []byte(`{"id":"evt_1","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":"o1","status":"CHARGED"}}}`)
	good := signWebhook(secret, "msg_1", now, body)

	if err := VerifyWebhook(secret, good, body, now); err != nil {
		t.Errorf("good: %v", err)
	}
	if err := VerifyWebhook("czNjcmV0", good, body, now); err != nil {
		t.Errorf("the whsec_ prefix is optional: %v", err)
	}
	if err := VerifyWebhook(secret, good, body, now.Add(4*time.Minute)); err != nil {
		t.Errorf("4 minutes late: %v", err)
	}

	rotated := good.Clone()
	rotated.Set("webhook-signature", "v1,bm9wZQ== v2,xyz "+good.Get("webhook-signature"))
	if err := VerifyWebhook(secret, rotated, body, now); err != nil {
		t.Errorf("one matching signature among several: %v", err)
	}

	bad := []struct {
		name   string
		secret string
		h      http.Header
		body   []byte
		now    time.Time
	}{
		{"bad secret", "whsec_b3RoZXI=", good, body, now},
		{"secret not base64", "whsec_s3cret", signWithKey([]byte("s3cret"), "msg_1", now, body), body, now},
		{"key taken as the text", secret, signWithKey([]byte("czNjcmV0"), "msg_1", now, body), body, now},
		{"old timestamp", secret, good, body, now.Add(6 * time.Minute)},
		{"future timestamp", secret, good, body, now.Add(-6 * time.Minute)},
		{"tampered body", secret, good, []byte(`{"id":"evt_1","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":"o2","status":"CHARGED"}}}`), now},
		{"other id", secret, func() http.Header { h := good.Clone(); h.Set("webhook-id", "msg_2"); return h }(), body, now},
		{"no headers", secret, http.Header{}, body, now},
		{"wrong version", secret, func() http.Header {
			h := good.Clone()
			h.Set("webhook-signature", "v2"+good.Get("webhook-signature")[2:])
			return h
		}(), body, now},
		{"timestamp not a number", secret, func() http.Header { h := good.Clone(); h.Set("webhook-timestamp", "soon"); return h }(), body, now},
	}
	for _, c := range bad {
		if err := VerifyWebhook(c.secret, c.h, c.body, c.now); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

func TestWebhookLogIsBoundedAndDeduped(t *testing.T) {
	var l webhookLog
	if !l.add(Webhook{WebhookID: "a", Verified: true}) || l.add(Webhook{WebhookID: "a", Verified: true}) {
		t.Fatal("a verified webhook-id should be recorded once")
	}
	for i := 0; i < maxWebhooks+10; i++ {
		l.add(Webhook{WebhookID: strconv.Itoa(i), Verified: true})
	}
	got := l.list()
	if len(got) != maxWebhooks || got[len(got)-1].WebhookID != strconv.Itoa(maxWebhooks+9) {
		t.Fatalf("len %d, last %q", len(got), got[len(got)-1].WebhookID)
	}
}
