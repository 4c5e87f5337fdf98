package demoshop

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func TestCartPage(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	rec, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if lang, _ := doc.Find("html").Attr("lang"); lang != "en" {
		t.Errorf("lang %q", lang)
	}
	if v, _ := doc.Find(`input[name="amount"]`).Attr("value"); v != "1499.00" {
		t.Errorf("amount default %q", v)
	}
	opts := doc.Find(`select[name="phone"] option`)
	if opts.Length() != len(personas) {
		t.Errorf("%d personas listed", opts.Length())
	}
	for _, p := range []string{"9000000001", "9000000009", "9000000010", "9000000011", "9000000012", "9876543210"} {
		if doc.Find(`option[value="`+p+`"]`).Length() != 1 {
			t.Errorf("persona %s missing", p)
		}
	}
	if sel, _ := doc.Find(`select[name="phone"] option[selected]`).Attr("value"); sel != "9000000001" {
		t.Errorf("selected persona %q", sel)
	}
	doc.Find("input, select").Each(func(_ int, c *goquery.Selection) {
		id, _ := c.Attr("id")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("control %v has no label", c.AttrOr("name", "?"))
		}
	})
	if doc.Find(`form[method="post"] [data-testid="shop-checkout"]`).Length() != 1 {
		t.Error("no checkout button in a POST form")
	}
	if doc.Find("script, style, [style]").Length() != 0 {
		t.Error("inline script or style found")
	}
	href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
	crec, _ := serve(t, s, httptest.NewRequest(http.MethodGet, href, nil))
	if !strings.HasPrefix(href, Prefix+"/shop.css") || crec.Code != 200 || !strings.HasPrefix(crec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet %q: %d %q", href, crec.Code, crec.Header().Get("Content-Type"))
	}
}

func TestCheckoutRedirectsToPaymentLink(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	rec, _ := serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"1,499.00"}, "phone": {"9000000005"}, "customer_id": {""}}))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != api.URL+"/orders/ordeh_0123/payment-page" {
		t.Fatalf("status %d, Location %q, body %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	if len(api.sessions) != 1 {
		t.Fatalf("%d sessions", len(api.sessions))
	}
	b := api.sessions[0]
	if oid, _ := b["order_id"].(string); !regexp.MustCompile(`^[A-Za-z0-9_-]{1,21}$`).MatchString(oid) {
		t.Errorf("order_id %q", oid)
	}
	want := map[string]string{
		"amount": "1499.00", "currency": "INR", "customer_id": "cust-9000000005",
		"customer_phone": "9000000005", "customer_email": "shopper9000000005@example.com",
		"return_url": testBase + "/sandbox/shop/return?cart=headphones%3A1+case%3A0",
	}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("%s = %v, want %q", k, b[k], v)
		}
	}

	// An explicit customer id is sent as typed.
	serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"10"}, "phone": {"9000000001"}, "customer_id": {"alice"}}))
	if got := api.sessions[1]["customer_id"]; got != "alice" {
		t.Errorf("customer_id %v", got)
	}
}

func TestCheckoutShowsAPIError(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	rec, doc := serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"abc"}, "phone": {"9000000002"}}))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d", rec.Code)
	}
	if msg := text(doc, "shop-error"); !strings.Contains(msg, "amount must be a decimal") || !strings.Contains(msg, "not a number") {
		t.Errorf("error %q", msg)
	}
	if v, _ := doc.Find(`input[name="amount"]`).Attr("value"); v != "abc" {
		t.Errorf("amount kept as %q", v)
	}
	if sel, _ := doc.Find(`select[name="phone"] option[selected]`).Attr("value"); sel != "9000000002" {
		t.Errorf("persona kept as %q", sel)
	}
}

func TestCheckoutAPIDownIsNot500(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	api.Close()
	rec, doc := serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"1"}, "phone": {"9000000001"}}))
	if rec.Code != http.StatusBadGateway || text(doc, "shop-error") == "" {
		t.Fatalf("status %d, error %q", rec.Code, text(doc, "shop-error"))
	}
}

// checkoutOrder creates an order through the shop and returns its id.
func checkoutOrder(t *testing.T, s *Shop, api *fakeAPI) string {
	t.Helper()
	serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"1499.00"}, "phone": {"9000000001"}}))
	oid, _ := api.sessions[len(api.sessions)-1]["order_id"].(string)
	return oid
}

func TestReturnWithValidSignature(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	oid := checkoutOrder(t, s, api)
	api.setStatus(oid, "CHARGED")
	q := signedReturn(oid, "CHARGED", "21")

	get := httptest.NewRequest(http.MethodGet, Prefix+"/return?"+q.Encode(), nil)
	for name, r := range map[string]*http.Request{"GET": get, "POST": postForm(Prefix+"/return", q)} {
		rec, doc := serve(t, s, r)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", name, rec.Code)
		}
		if got := text(doc, "shop-result"); !strings.Contains(got, "CHARGED") {
			t.Errorf("%s: result %q", name, got)
		}
		if got := text(doc, "shop-signature"); got != "valid" {
			t.Errorf("%s: signature %q", name, got)
		}
		if got := text(doc, "shop-amount"); got != "₹1,499.00" {
			t.Errorf("%s: amount %q", name, got)
		}
		if doc.Find(".error").Length() != 0 {
			t.Errorf("%s: unexpected warning %q", name, doc.Find(".error").Text())
		}
		if href, _ := doc.Find(`[data-testid="shop-again"]`).Attr("href"); href != Prefix+"/?phone=9000000001" {
			t.Errorf("%s: again link %q", name, href)
		}
	}
}

func TestReturnWithInvalidSignature(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	oid := checkoutOrder(t, s, api)
	api.setStatus(oid, "CHARGED")

	forged := signedReturn(oid, "AUTHORIZATION_FAILED", "27")
	forged.Set("status", "CHARGED")
	forged.Set("status_id", "21")
	extra := signedReturn(oid, "CHARGED", "21")
	extra.Set("udf1", "added")
	otherKey := signedReturn(oid, "CHARGED", "21")
	otherKey.Set("signature", JuspaySignature(map[string]string{"order_id": oid, "status": "CHARGED", "status_id": "21", "cart": "headphones:1 case:0"}, "wrong"))
	otherAlg := signedReturn(oid, "CHARGED", "21")
	otherAlg.Set("signature_algorithm", "MD5")

	for name, q := range map[string]url.Values{"forged status": forged, "added param": extra, "other key": otherKey, "other algorithm": otherAlg} {
		rec, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/return?"+q.Encode(), nil))
		if got := text(doc, "shop-signature"); got != "INVALID" {
			t.Errorf("%s: signature %q", name, got)
		}
		if got := text(doc, "shop-result"); strings.Contains(got, "CHARGED") || strings.Contains(strings.ToLower(got), "success") {
			t.Errorf("%s: result looks paid: %q", name, got)
		}
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d", name, rec.Code)
		}
	}
}

func TestReturnMissingParams(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	rec, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/return?order_id=x&status=CHARGED", nil))
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status %d", rec.Code)
	}
	items := doc.Find("ul.items li").Text()
	for _, k := range []string{"status_id", "signature", "signature_algorithm"} {
		if !strings.Contains(items, k) {
			t.Errorf("missing %s not listed in %q", k, items)
		}
	}
}

func webhookRequest(user, pass, secret, id string, body string, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, Prefix+"/webhooks", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth(user, pass)
	for k, v := range signWebhook(secret, id, ts, []byte(body)) {
		r.Header[k] = v
	}
	return r
}

func TestWebhookReceiver(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	body := `{"id":"evt_1","date_created":"2030-01-01T00:00:00Z","event_name":"ORDER_SUCCEEDED","content":{"order":{"order_id":"shop1","status":"CHARGED"}}}`
	now := time.Now()

	for i := 0; i < 2; i++ { // the second is a retry with the same webhook-id
		rec, _ := serve(t, s, webhookRequest(testHookUser, testHookPass, testSecret, "msg_1", body, now))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("delivery %d: status %d", i, rec.Code)
		}
	}
	rejected := map[string]*http.Request{
		"wrong password": webhookRequest(testHookUser, "nope", testSecret, "msg_2", body, now),
		"wrong secret":   webhookRequest(testHookUser, testHookPass, "whsec_b3RoZXI=", "msg_3", body, now),
		"old timestamp":  webhookRequest(testHookUser, testHookPass, testSecret, "msg_4", body, now.Add(-10*time.Minute)),
	}
	for name, r := range rejected {
		if rec, _ := serve(t, s, r); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d", name, rec.Code)
		}
	}
	tampered := webhookRequest(testHookUser, testHookPass, testSecret, "msg_5", body, now)
	tampered.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "CHARGED", "REFUNDED", 1)))
	if rec, _ := serve(t, s, tampered); rec.Code != http.StatusUnauthorized {
		t.Errorf("tampered body: status %d", rec.Code)
	}

	got := s.Webhooks()
	if len(got) != 5 {
		t.Fatalf("%d webhooks recorded, want 5 (one verified, four rejected)", len(got))
	}
	first := got[0]
	if !first.Verified || first.WebhookID != "msg_1" || first.EventID != "evt_1" || first.EventName != "ORDER_SUCCEEDED" || first.OrderID != "shop1" || first.Status != "CHARGED" {
		t.Errorf("first %+v", first)
	}
	for _, w := range got[1:] {
		if w.Verified || w.Reason == "" {
			t.Errorf("rejected one recorded as %+v", w)
		}
	}

	_, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/", nil))
	rows := doc.Find(`[data-testid="shop-webhook"]`)
	if rows.Length() != 5 || !strings.Contains(rows.Last().Text(), "shop1") || text(doc, "shop-webhook-verified") == "" {
		t.Errorf("cart lists %d webhooks: %q", rows.Length(), rows.Text())
	}
	if v := strings.TrimSpace(rows.Last().Find(`[data-testid="shop-webhook-verified"]`).Text()); v != "verified" {
		t.Errorf("oldest (the verified one) shows %q", v)
	}
}
