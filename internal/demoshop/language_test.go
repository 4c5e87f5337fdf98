package demoshop

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCheckoutSendsLanguage(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	_, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/", nil))
	sel := doc.Find(`form[method="post"] select[name="language"][data-testid="shop-language"]`)
	if sel.Length() != 1 || sel.Find("option").Length() != 9 || sel.Find("option[selected]").AttrOr("value", "x") != "" {
		t.Fatalf("language select: %d, %d options", sel.Length(), sel.Find("option").Length())
	}
	for i, lang := range []string{"", "ta"} {
		form := url.Values{"amount": {"100"}, "phone": {"9000000001"}, "language": {lang}}
		if rec, _ := serve(t, s, postForm(Prefix+"/checkout", form)); rec.Code != http.StatusSeeOther {
			t.Fatalf("language %q: status %d\n%s", lang, rec.Code, rec.Body)
		}
		got, sent := api.sessions[i]["language"]
		if lang == "" && sent || lang != "" && got != lang {
			t.Errorf("language %q: sent %v (%v)", lang, got, sent)
		}
	}
	rec, doc := serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"100"}, "phone": {"9000000001"}, "language": {"fr"}}))
	if rec.Code != http.StatusBadRequest || !strings.Contains(text(doc, "shop-error"), "language") || len(api.sessions) != 2 {
		t.Errorf("language fr: status %d, error %q, %d sessions", rec.Code, text(doc, "shop-error"), len(api.sessions))
	}
}

func TestCartSpeaksAcceptLanguage(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	r := httptest.NewRequest(http.MethodGet, Prefix+"/", nil)
	r.Header.Set("Accept-Language", "hi-IN,hi;q=0.9,en;q=0.5")
	rec, doc := serve(t, s, r)
	if lang := doc.Find("html").AttrOr("lang", ""); lang != "hi" {
		t.Errorf("html lang %q", lang)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="shop-checkout"]`).Text()); got != "चेकआउट करें" {
		t.Errorf("checkout button %q", got)
	}
	if got := doc.Find(`label[for="amount"]`).Text(); got != "राशि (₹)" {
		t.Errorf("amount label %q", got)
	}
	// The browser's language is not a choice: the select still says so,
	// and the shop's links do not pin it.
	if v := doc.Find(`select[name="language"] option[selected]`).AttrOr("value", "x"); v != "" {
		t.Errorf("language select preselects %q", v)
	}
	if href := doc.Find("a.logo").AttrOr("href", ""); href != Prefix+"/" {
		t.Errorf("home link %q", href)
	}
	if !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
		t.Errorf("Vary %q", rec.Header().Get("Vary"))
	}

	// ?lang= wins over the browser and preselects the choice.
	r = httptest.NewRequest(http.MethodGet, Prefix+"/?lang=ta", nil)
	r.Header.Set("Accept-Language", "hi")
	_, doc = serve(t, s, r)
	if lang := doc.Find("html").AttrOr("lang", ""); lang != "ta" {
		t.Errorf("?lang=ta: html lang %q", lang)
	}
	if v := doc.Find(`select[name="language"] option[selected]`).AttrOr("value", ""); v != "ta" {
		t.Errorf("?lang=ta: language select preselects %q", v)
	}

	// Nothing that names a language: English.
	_, doc = serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/?lang=fr", nil))
	if lang := doc.Find("html").AttrOr("lang", ""); lang != "en" {
		t.Errorf("?lang=fr: html lang %q", lang)
	}
}

func TestLanguageChoiceCarriesToResult(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	// An API error re-renders the cart in the chosen language, the API's
	// own message kept as it is.
	form := url.Values{"amount": {"abc"}, "phone": {"9000000001"}, "language": {"bn"}}
	r := postForm(Prefix+"/checkout", form)
	r.Header.Set("Accept-Language", "en")
	rec, doc := serve(t, s, r)
	if rec.Code != http.StatusBadRequest || doc.Find("html").AttrOr("lang", "") != "bn" ||
		!strings.HasPrefix(text(doc, "shop-error"), "paypage অর্ডারটি বাতিল করেছে: ") || !strings.Contains(text(doc, "shop-error"), "amount must be a decimal") {
		t.Fatalf("rejected in bn: status %d, lang %q, error %q", rec.Code, doc.Find("html").AttrOr("lang", ""), text(doc, "shop-error"))
	}

	form.Set("amount", "1499.00")
	if rec, _ := serve(t, s, postForm(Prefix+"/checkout", form)); rec.Code != http.StatusSeeOther {
		t.Fatalf("checkout: status %d", rec.Code)
	}
	sess := api.sessions[len(api.sessions)-1]
	oid, _ := sess["order_id"].(string)
	ru, err := url.Parse(sess["return_url"].(string))
	if err != nil || ru.Query().Get("lang") != "bn" {
		t.Fatalf("return_url %v (%v)", sess["return_url"], err)
	}
	api.setStatus(oid, "CHARGED")

	// paypage signs the return URL's own parameters with its result.
	p := map[string]string{"order_id": oid, "status": "CHARGED", "status_id": "21", "cart": ru.Query().Get("cart"), "lang": "bn"}
	q := url.Values{}
	for k, v := range p {
		q.Set(k, v)
	}
	q.Set("signature", JuspaySignature(p, testRespKey))
	q.Set("signature_algorithm", "HMAC-SHA256")
	get := httptest.NewRequest(http.MethodGet, Prefix+"/return?"+q.Encode(), nil)
	get.Header.Set("Accept-Language", "hi")
	for name, r := range map[string]*http.Request{"GET": get, "POST": postForm(Prefix+"/return?lang=bn", q)} {
		rec, doc := serve(t, s, r)
		if rec.Code != http.StatusOK || doc.Find("html").AttrOr("lang", "") != "bn" {
			t.Fatalf("%s: status %d, lang %q", name, rec.Code, doc.Find("html").AttrOr("lang", ""))
		}
		if got := text(doc, "shop-result"); got != "পেমেন্ট সফল: CHARGED" {
			t.Errorf("%s: result %q", name, got)
		}
		if got := text(doc, "shop-signature"); got != "ঠিক" {
			t.Errorf("%s: signature %q", name, got)
		}
		again, _ := url.Parse(doc.Find(`[data-testid="shop-again"]`).AttrOr("href", ""))
		if again == nil || again.Query().Get("lang") != "bn" || again.Query().Get("phone") != "9000000001" {
			t.Errorf("%s: pay again link %v", name, again)
		}
	}
}
