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
