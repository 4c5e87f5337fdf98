package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"

	"github.com/paypage/paypage/internal/demoshop"
)

func TestJavaURLEncode(t *testing.T) {
	for in, want := range map[string]string{
		"abcXYZ019":  "abcXYZ019",
		"*-._":       "*-._",
		"a b":        "a+b",
		"+/~=&?%":    "%2B%2F%7E%3D%26%3F%25",
		"₹":          "%E2%82%B9",
		"é":          "%C3%A9",
		"order_id=1": "order_id%3D1",
	} {
		if got := JavaURLEncode(in); got != want {
			t.Errorf("JavaURLEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// The expected values were computed outside Go with a separate
// implementation of Juspay's published algorithm.
func TestSignReturnVectors(t *testing.T) {
	tests := []struct {
		params []Param
		want   string
	}{
		{[]Param{{"order_id", "ord_1"}, {"status", "CHARGED"}, {"status_id", "21"}}, "HkGIzX3K2C44UbL4J0EtfFDepAGfQGYnmXLzo4XkHww="},
		{[]Param{{"order_id", "o-1"}, {"status", "AUTHORIZATION_FAILED"}, {"status_id", "27"},
			{"note", "a b+c/d~e*f"}, {"city", "₹ Bengaluru é"}}, "/zS1jYLK03742ON0zzy6UmXl1JxmdF2AS25Fg0NzkwU="},
	}
	for _, tt := range tests {
		if got := SignReturn(tt.params, "rk_test"); got != tt.want {
			t.Errorf("SignReturn(%v) = %s, want %s", tt.params, got, tt.want)
		}
		// The demo shop's verifier is written independently of this
		// package; both must agree.
		m := map[string]string{}
		for _, p := range tt.params {
			m[p.Key] = p.Value
		}
		if !demoshop.VerifyJuspaySignature(m, "rk_test", tt.want) {
			t.Errorf("demo shop rejects %v", tt.params)
		}
		if demoshop.VerifyJuspaySignature(m, "rk_other", tt.want) {
			t.Errorf("demo shop accepts a wrong key")
		}
	}
}

// Juspay's Java sample sorts raw keys in a TreeMap before encoding them, so
// "a_" comes before "a~" (whose encoded form "a%7E" would sort first), "z"
// before "é", and U+1F600 (a surrogate pair in Java) before U+FF21.
func TestSignReturnSortsByRawKeyInJavaOrder(t *testing.T) {
	params := []Param{{"\uFF21", "5"}, {"é", "4"}, {"z", "3"}, {"a~", "1"}, {"a_", "2"}, {"😀", "6"}}
	message := "a_=2&a%7E=1&z=3&%C3%A9=4&%F0%9F%98%80=6&%EF%BC%A1=5"
	mac := hmac.New(sha256.New, []byte("rk_test"))
	mac.Write([]byte(JavaURLEncode(message)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if got := SignReturn(params, "rk_test"); got != want {
		t.Errorf("SignReturn = %s, want %s (message %s)", got, want, message)
	}
	m := map[string]string{}
	for _, p := range params {
		m[p.Key] = p.Value
	}
	if !demoshop.VerifyJuspaySignature(m, "rk_test", want) {
		t.Error("demo shop rejects the Java-order signature")
	}
}
