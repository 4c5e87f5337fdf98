package demoshop

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// withHeaders sets browser headers on r; httptest requests are for host
// example.com.
func withHeaders(r *http.Request, h http.Header) *http.Request {
	for k, v := range h {
		r.Header[k] = v
	}
	return r
}

var crossSite = http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}

func TestCheckoutRefusesCrossOriginPosts(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	form := url.Values{"amount": {"10"}, "phone": {"9000000001"}}
	refused := map[string]http.Header{
		"foreign Origin":            {"Origin": {"https://evil.example"}},
		"Sec-Fetch-Site cross-site": crossSite,
		"Sec-Fetch-Site same-site":  {"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://shop.example.com"}},
	}
	for name, h := range refused {
		rec, doc := serve(t, s, withHeaders(postForm(Prefix+"/checkout", form), h))
		if rec.Code != http.StatusForbidden || rec.Header().Get("Location") != "" || doc.Find("h1").Text() != "Checkout refused" {
			t.Errorf("%s: status %d, Location %q, heading %q", name, rec.Code, rec.Header().Get("Location"), doc.Find("h1").Text())
		}
	}
	if len(api.sessions) != 0 {
		t.Fatalf("a refused checkout created %d sessions", len(api.sessions))
	}

	allowed := map[string]http.Header{
		"no browser headers":         nil,
		"Sec-Fetch-Site same-origin": {"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://example.com"}},
		"matching Origin":            {"Origin": {"http://example.com"}},
	}
	for name, h := range allowed {
		rec, _ := serve(t, s, withHeaders(postForm(Prefix+"/checkout", form), h))
		if rec.Code != http.StatusSeeOther {
			t.Errorf("%s: status %d", name, rec.Code)
		}
	}
}

// TestSignedEndpointsAcceptCrossOriginPosts shows that the return, which
// paypage may post from its own origin, and the webhooks, sent by its
// servers, are judged by their signatures and not by browser headers.
func TestSignedEndpointsAcceptCrossOriginPosts(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	oid := checkoutOrder(t, s, api)
	api.setStatus(oid, "CHARGED")
	rec, _ := serve(t, s, withHeaders(postForm(Prefix+"/return", signedReturn(oid, "CHARGED", "21")), crossSite))
	if rec.Code != http.StatusOK {
		t.Errorf("return: status %d", rec.Code)
	}

	body := `{"id":"evt_1","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":"shop1","status":"CHARGED"}}}`
	hook := withHeaders(webhookRequest(testHookUser, testHookPass, testSecret, "msg_x", body, time.Now()), crossSite)
	if rec, _ := serve(t, s, hook); rec.Code != http.StatusNoContent {
		t.Errorf("webhook: status %d", rec.Code)
	}
	if rec, _ := serve(t, s, withHeaders(httptest.NewRequest(http.MethodGet, Prefix+"/", nil), crossSite)); rec.Code != http.StatusOK {
		t.Errorf("cart page: status %d", rec.Code)
	}
}
