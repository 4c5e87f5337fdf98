package demoshop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestFormEncodeMatchesJavaURLEncoder(t *testing.T) {
	// Expected values are what java.net.URLEncoder.encode(s, "UTF-8") gives.
	cases := map[string]string{
		"":            "",
		"AZaz09":      "AZaz09",
		"a b":         "a+b",
		"+":           "%2B",
		"/":           "%2F",
		"~":           "%7E",
		"*":           "*",
		"-._":         "-._",
		"=&%?#:":      "%3D%26%25%3F%23%3A",
		"₹":           "%E2%82%B9",
		"é":           "%C3%A9",
		"₹1,499.00 é": "%E2%82%B91%2C499.00+%C3%A9",
	}
	for in, want := range cases {
		if got := formEncode(in); got != want {
			t.Errorf("formEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// refSign is a second, deliberately naive computation: HMAC-SHA256 over an
// already encoded message, standard base64.
func refSign(key, message string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(message))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestJuspaySignatureFromFirstPrinciples(t *testing.T) {
	const key = "response-key-123"
	cases := []struct {
		name   string
		params map[string]string
		// message is the twice-encoded string, written out by hand.
		message string
	}{
		{
			name: "return params with a merchant parameter",
			params: map[string]string{
				"order_id": "ord_1", "status": "CHARGED", "status_id": "21",
				"cart":      "a b/~*₹",
				"signature": "ignored", "signature_algorithm": "HMAC-SHA256",
			},
			// first pass: cart=a+b%2F%7E*%E2%82%B9&order_id=ord_1&status=CHARGED&status_id=21
			message: "cart%3Da%2Bb%252F%257E*%25E2%2582%25B9%26order_id%3Dord_1%26status%3DCHARGED%26status_id%3D21",
		},
		{
			// The Java sample's TreeMap sorts raw keys, so a_ comes first
			// (encoded, a%7E would sort first).
			name:    "sorted by raw key",
			params:  map[string]string{"a_": "1", "a~": "2"},
			message: "a_%3D1%26a%257E%3D2",
		},
		{
			// Java compares UTF-16 code units: U+1F600 is the pair
			// D83D DE00, which sorts before U+FF21.
			name:    "sorted in Java's String order",
			params:  map[string]string{"\uFF21": "1", "😀": "2"},
			message: "%25F0%259F%2598%2580%3D2%26%25EF%25BC%25A1%3D1",
		},
		{
			name:    "space in value and é in key",
			params:  map[string]string{"é": "x y"},
			message: "%25C3%25A9%3Dx%2By",
		},
	}
	for _, c := range cases {
		want := refSign(key, c.message)
		if got := JuspaySignature(c.params, key); got != want {
			t.Errorf("%s: JuspaySignature = %q, want %q", c.name, got, want)
		}
		if !VerifyJuspaySignature(c.params, key, want) {
			t.Errorf("%s: VerifyJuspaySignature rejected the correct signature", c.name)
		}
	}
}

func TestVerifyJuspaySignatureUndoesTransportEncoding(t *testing.T) {
	const key = "k"
	// Search for params whose signature holds '+' and '/', to exercise the
	// decoding of both.
	params := map[string]string{"order_id": "o1", "status": "CHARGED", "status_id": "21"}
	var sig string
	for i := 0; ; i++ {
		params["n"] = strings.Repeat("x", i)
		sig = JuspaySignature(params, key)
		if strings.Contains(sig, "+") && strings.Contains(sig, "/") {
			break
		}
	}
	once := url.QueryEscape(sig)
	forms := map[string]string{
		"plain":                   sig,
		"encoded once":            once,
		"encoded twice":           url.QueryEscape(once),
		"plus turned into spaces": strings.ReplaceAll(sig, "+", " "),
	}
	for name, received := range forms {
		if !VerifyJuspaySignature(params, key, received) {
			t.Errorf("%s (%q): rejected", name, received)
		}
	}
	for _, bad := range []string{"", "%", "%zz", sig[1:], sig + "A"} {
		if VerifyJuspaySignature(params, key, bad) {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestVerifyJuspaySignatureRejectsTampering(t *testing.T) {
	const key = "response-key"
	base := map[string]string{"order_id": "shop1", "status": "AUTHORIZATION_FAILED", "status_id": "27", "cart": "headphones:1"}
	sig := JuspaySignature(base, key)
	clone := func() map[string]string {
		m := make(map[string]string, len(base))
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	for k := range base {
		m := clone()
		m[k] += "x"
		if VerifyJuspaySignature(m, key, sig) {
			t.Errorf("changed %s: still verified", k)
		}
		m = clone()
		delete(m, k)
		if VerifyJuspaySignature(m, key, sig) {
			t.Errorf("removed %s: still verified", k)
		}
	}
	m := clone()
	m["extra"] = ""
	if VerifyJuspaySignature(m, key, sig) {
		t.Error("added param: still verified")
	}
	m = clone()
	m["status"], m["status_id"] = "CHARGED", "21"
	if VerifyJuspaySignature(m, key, sig) {
		t.Error("failure turned into CHARGED: still verified")
	}
	if VerifyJuspaySignature(base, "other-key", sig) {
		t.Error("other key: still verified")
	}
}
