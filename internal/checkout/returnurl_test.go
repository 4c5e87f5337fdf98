package checkout

import "testing"

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
	}
	for _, tt := range tests {
		if got := MatchesPrefix(tt.url, prefixes); got != tt.want {
			t.Errorf("MatchesPrefix(%q) = %v, want %v", tt.url, got, tt.want)
		}
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
