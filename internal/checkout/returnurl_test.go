package checkout

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/errs"
)

func TestMatchesPrefix(t *testing.T) {
	prefixes := []string{"https://shop.example/return", "https://pay.example.com:8443/cb/"}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://shop.example/return", true},
		{"https://shop.example/return?x=1&y=2", true},
		{"https://shop.example/return/ok", true},
		{"https://SHOP.example/return", true},
		{"https://pay.example.com:8443/cb/done", true},
		{"https://shop.example/returnevil", false},
		{"http://shop.example/return", false},
		{"https://shop.example@evil.example/return", false},
		{"https://shop.example.evil.example/return", false},
		{"https://evil.example/https://shop.example/return", false},
		{"//evil.example/return", false},
		{"https://shop.example\\@evil.example/return", false},
		{"https:\\\\evil.example/return", false},
		{"https://shop.example/return/../admin", false},
		{"https://shop.example/return/%2e%2e/admin", false},
		{"javascript:alert(1)//shop.example/return", false},
		{"https://shop.example/return\n", false},
		{"https://shop.example /return", false},
		{"https://pay.example.com/cb/done", false},
		{"https://pay.example.com:9443/cb/done", false},
		{"", false},
		{"https://shop.example:443/return", true},
		{"https://pay.example.com:8443/cb/%2e%2e/admin", false},
		{"https://shop.example/return/.%2E/admin", false},
		{"https://shop\u3002example/return", false},
	}
	for _, tt := range tests {
		if got := MatchesPrefix(tt.url, prefixes); got != tt.want {
			t.Errorf("MatchesPrefix(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}

// The reason for a refusal reaches the merchant in the 400 answer, so it
// has to say what to change.
func TestPrefixRefusalMessages(t *testing.T) {
	prefixes := []string{"https://shop.example/return/", "http://127.0.0.1:8080/"}
	for raw, want := range map[string]string{
		"https://shop.example/return/%2e%2e/admin":  "must not percent-encode dots, slashes or backslashes in the path",
		"https://shop.example/return/../admin":      "must not contain . or .. path segments",
		"https://shop.example/return//x":            "must not contain an empty path segment (//)",
		"https://shop.example@evil.example/return/": "must not contain user info",
		"https://shop.example/re\tturn/":            "must not contain spaces, backslashes or control characters",
		"https://b\u00fccher.example/return/":       "must be ASCII: percent-encode other characters and write international domain names in their xn-- form",
		"http://0x7f.1:8080/":                       errIPv4Host.Error(),
		"https://[fe80::1%25eth0]/return/":          errIPv6Host.Error(),
		"https://shop.example:0443/return/":         errPort.Error(),
		"https://shop.example./return/":             "must not have an empty label or a trailing dot in the host",
		"https://shop%2eexample/return/":            "must not percent-encode the host",
		"https://shop.example/return/a|b":           `must percent-encode '|' in the path`,
		"//shop.example/return/":                    "must be an absolute http or https URL",
		"https://evil.example/return/":              errOutsidePrefixes.Error(),
	} {
		if err := checkPrefixes(raw, prefixes); err == nil || err.Error() != want {
			t.Errorf("checkPrefixes(%q) = %v, want %q", raw, err, want)
		}
	}
}

// A prefix is held to the same rules, so that a merchant cannot register a
// form that browsers read differently from paypage.
func TestParsePrefixRefusesAmbiguousForms(t *testing.T) {
	for _, p := range []string{
		"https://shop.example/return/../", "https://shop.example/%2e%2e/", "https://shop.example/a%2fb/",
		"https://shop.example//x/", "https://user@shop.example/", "https://shop.example\\x/",
		"https://shop\u3002example/", "https://b\u00fccher.example/", "https://shop.example./",
		"http://0x7f.1/", "http://2130706433/", "http://127.1/", "http://0177.0.0.1/",
		"https://[fe80::1%25eth0]/", "https://shop.example:0443/", "https://shop.example:/",
		"https://shop.example/x?", "https://shop.example/x?a=1", "https://shop.example/x#", "https://shop.example\t/",
		"//shop.example/", "https:shop.example/", "javascript:alert(1)", "",
	} {
		if _, err := parsePrefix(p); err == nil {
			t.Errorf("parsePrefix(%q) accepted", p)
		}
	}
	for _, p := range []string{
		"https://shop.example/", "https://SHOP.example/return", "http://127.0.0.1:8080/sandbox/shop/",
		"https://[2001:db8::1]/hook/", "https://xn--bcher-kva.example/r/", "https://shop.example:443/in/",
	} {
		if _, err := parsePrefix(p); err != nil {
			t.Errorf("parsePrefix(%q): %v", p, err)
		}
	}
	_, err := BuildMerchant(NewMerchant{ID: "m", Name: "M", ReturnURLPrefixes: []string{"https://shop.example/%2e%2e/"},
		WebhookURL: "http://0x7f.1/hooks"}, Credentials{})
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) != 2 || e.Fields[0].Field != "return-url-prefix" || e.Fields[1].Field != "webhook-url" {
		t.Errorf("BuildMerchant with ambiguous prefixes: %v", err)
	}
}

// POST /session names the field and gives the reason.
func TestSessionURLFieldMessages(t *testing.T) {
	m := Merchant{ID: "m", ReturnURLPrefixes: []string{"https://shop.example/return/"}, WebhookURL: "https://hooks.example/in"}
	in := SessionInput{OrderID: "o1", Amount: "100", Currency: "INR", CustomerID: "c1",
		ReturnURL: "https://shop.example/return/.%2e/admin", WebhookURL: "https://hooks.example/in/%2E%2E/x"}
	_, err := in.validate(m, time.Now())
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) != 2 {
		t.Fatalf("validate: %v", err)
	}
	for i, field := range []string{"return_url", "metadata.webhook_url"} {
		if e.Fields[i].Field != field || !strings.Contains(e.Fields[i].Message, "percent-encode dots") {
			t.Errorf("field %d: %+v", i, e.Fields[i])
		}
	}
	in.ReturnURL, in.WebhookURL = "https://shop.example/elsewhere", "https://hooks.example/other"
	_, err = in.validate(m, time.Now())
	if !errors.As(err, &e) || len(e.Fields) != 2 || !strings.Contains(e.Fields[0].Message, "registered return URL prefixes") ||
		!strings.Contains(e.Fields[1].Message, "registered URL prefixes") {
		t.Errorf("outside the prefixes: %v", err)
	}
	in.ReturnURL, in.WebhookURL = "https://SHOP.example:443/return/ok?x=1#y", "https://hooks.example/in/ok"
	if _, err := in.validate(m, time.Now()); err != nil {
		t.Errorf("good URLs: %v", err)
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{"9000000001": "9000000001", "+919000000001": "9000000001", "919000000001": "9000000001"} {
		if got, ok := NormalizePhone(in); !ok || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"900000000", "+19000000001", "90000000011", "9000-000001", ""} {
		if _, ok := NormalizePhone(in); ok {
			t.Errorf("NormalizePhone(%q) accepted", in)
		}
	}
}

func TestCanMove(t *testing.T) {
	for _, final := range []Status{StatusCharged, StatusAutoRefunded} {
		for s := range statusIDs {
			if CanMove(final, s) {
				t.Errorf("final %s may move to %s", final, s)
			}
		}
	}
	if !CanMove(StatusNew, StatusPendingVBV) || !CanMove(StatusPendingVBV, StatusCharged) || !CanMove(StatusAuthorizationFailed, StatusPendingVBV) {
		t.Error("a legal move is refused")
	}
	if CanMove(StatusNew, StatusCharged) {
		t.Error("NEW may not jump to CHARGED without an attempt")
	}
}

// A return URL whose query a map-based verifier cannot read back is refused
// at create time, naming return_url.
func TestSessionRefusesUnverifiableReturnQuery(t *testing.T) {
	m := Merchant{ID: "m", ReturnURLPrefixes: []string{"https://shop.example/return/"}}
	for raw, want := range map[string]string{
		"https://shop.example/return/?a=1&a=2":       `repeats the query key "a"`,
		"https://shop.example/return/?a=1&%61=2":     `repeats the query key "a"`,
		"https://shop.example/return/?a+b=1&a%20b=2": `repeats the query key "a b"`,
		"https://shop.example/return/?x=%FF":         "UTF-8",
	} {
		in := SessionInput{OrderID: "o1", Amount: "100", Currency: "INR", CustomerID: "c1", ReturnURL: raw}
		_, err := in.validate(m, time.Now())
		var e *errs.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "return_url" || !strings.Contains(e.Fields[0].Message, want) {
			t.Errorf("%s: %v", raw, err)
		}
	}
	for _, raw := range []string{
		"https://shop.example/return/?a=1&b=2&empty=&flag",
		"https://shop.example/return/?note=a+b%2Bc&city=%E2%82%B9&k%C3%A9=v&a_=1&a~=2",
	} {
		in := SessionInput{OrderID: "o1", Amount: "100", Currency: "INR", CustomerID: "c1", ReturnURL: raw}
		if _, err := in.validate(m, time.Now()); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
}
