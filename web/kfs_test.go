package web

import "testing"

func TestKeyFactStatementLinkIsSafe(t *testing.T) {
	sandbox := &Server{opts: Options{BaseURL: "http://localhost:8080", Sandbox: true}}
	production := &Server{opts: Options{BaseURL: "https://pay.example.com", Sandbox: false}}
	tests := []struct {
		s    *Server
		raw  string
		want bool
	}{
		{production, "https://amazonpay.amazon.in/render_kfs?authToken=a&payload=b", true},
		{sandbox, "http://localhost:8080/sandbox/amazonpay/render_kfs?x=1", true},
		{production, "http://amazonpay.amazon.in/render_kfs", false},
		{sandbox, "http://127.0.0.1:9999/sandbox/amazonpay/pay/S04-1", true},
		{sandbox, "javascript:alert(1)", false},
		{production, "javascript:alert(1)", false},
		{production, "JavaScript://amazon.in/%0aalert(1)", false},
		{production, "data:text/html,<script>alert(1)</script>", false},
		{production, "//amazonpay.amazon.in/render_kfs", false},
		{production, "/render_kfs", false},
		{production, "https://user@amazonpay.amazon.in/", false},
		{production, "", false},
	}
	for _, tt := range tests {
		if got := tt.s.providerURL(tt.raw) != ""; got != tt.want {
			t.Errorf("providerURL(%q) linked %v, want %v", tt.raw, got, tt.want)
		}
	}
}
