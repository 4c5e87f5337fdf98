package web

import (
	"net/url"
	"testing"
)

// The Key Fact Statement link names the payment page to come back to in
// sandbox mode only; Amazon's own, signed link is passed on unchanged.
func TestTermsURLNamesTheWayBackInSandbox(t *testing.T) {
	t.Parallel()
	const id = "ordeh_0123456789abcdef0123456789abcdef"
	sandbox := NewServer(Options{BaseURL: "http://localhost:8080", SecretKey: "k", Sandbox: true})
	production := NewServer(Options{BaseURL: "https://pay.example.com", SecretKey: "k"})

	got, _ := url.Parse(sandbox.termsURL("http://localhost:8080/sandbox/amazonpay/render_kfs?payload=9000000001", id))
	if got.Query().Get("payload") != "9000000001" || got.Query().Get(kfsReturnParam) != "http://localhost:8080/orders/"+id+"/payment-page" {
		t.Errorf("sandbox link %s", got)
	}
	const amazon = "https://amazonpay.amazon.in/render_kfs?authToken=a&payload=b&iv=c"
	if got := production.termsURL(amazon, id); got != amazon {
		t.Errorf("production link changed: %s", got)
	}
	if got := sandbox.termsURL("javascript:alert(1)", id); got != "" {
		t.Errorf("unsafe link kept: %s", got)
	}
}
