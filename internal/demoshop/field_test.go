package demoshop

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
)

// badValues are values no field may carry to paypage. The control
// characters sit inside the value, where trimming cannot remove them.
var badValues = map[string]string{
	"NUL":             "90000\x0000001",
	"only NUL":        "\x00",
	"newline":         "9000000001\n9000000002",
	"carriage return": "10\r\nX-Injected: 1",
	"tab":             "cust\t1",
	"escape":          "\x1b[31mred",
	"DEL":             "9000\x7f000001",
	"C1 control":      "a\u0085b",
	"invalid UTF-8":   "\xff\xfe",
	"cut UTF-8":       "caf\xc3",
	"over-long":       strings.Repeat("9", 10000),
}

func TestCheckoutRefusesBadFields(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	good := url.Values{"amount": {"10"}, "phone": {"9000000001"}, "customer_id": {"alice"}, "methods": {"balance"}}
	labels := map[string]string{"amount": "Amount", "phone": "Shopper phone", "customer_id": "Customer id", "methods": "Payment methods offered"}
	for field := range good {
		for name, v := range badValues {
			form := maps.Clone(good)
			form[field] = []string{v}
			rec, doc := serve(t, s, postForm(Prefix+"/checkout", form))
			if rec.Code < 400 || rec.Code > 499 {
				t.Errorf("%s %s: status %d, want 4xx", field, name, rec.Code)
				continue
			}
			if msg := text(doc, "shop-error"); !strings.Contains(msg, labels[field]+" ("+field+")") {
				t.Errorf("%s %s: error %q does not name the field", field, name, msg)
			}
			doc.Find("input, option").Each(func(_ int, in *goquery.Selection) {
				if v := in.AttrOr("value", ""); !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) || len(v) > 256 {
					t.Errorf("%s %s: value %q shown back", field, name, v)
				}
			})
		}
	}
	if len(api.sessions) != 0 {
		t.Errorf("%d refused checkouts reached the API: %v", len(api.sessions), api.sessions)
	}
	if rec, _ := serve(t, s, postForm(Prefix+"/checkout", good)); rec.Code != http.StatusSeeOther {
		t.Errorf("good form: status %d", rec.Code)
	}

	huge := maps.Clone(good)
	huge.Set("customer_id", strings.Repeat("x", 70<<10))
	rec, doc := serve(t, s, postForm(Prefix+"/checkout", huge))
	if rec.Code != http.StatusBadRequest || !strings.Contains(text(doc, "shop-error"), "64 KiB") {
		t.Errorf("70 KiB form: status %d, error %q", rec.Code, text(doc, "shop-error"))
	}
}

func TestCartIgnoresBadPhoneInLink(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	for name, v := range badValues {
		rec, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/?phone="+url.QueryEscape(v), nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", name, rec.Code)
		}
		if sel, _ := doc.Find(`select[name="phone"] option[selected]`).Attr("value"); sel != defaultPhone {
			t.Errorf("%s: selected %q", name, sel)
		}
	}
}

func TestReturnRefusesBadParams(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	oid := checkoutOrder(t, s, api)
	base := map[string]string{"order_id": oid, "status": "CHARGED", "status_id": "21", "cart": "headphones:1 case:0"}
	// signed is a return signed over params, as paypage would send it.
	signed := func(params map[string]string) url.Values {
		v := url.Values{}
		for k, x := range params {
			v.Set(k, x)
		}
		v.Set("signature", JuspaySignature(params, testRespKey))
		v.Set("signature_algorithm", "HMAC-SHA256")
		return v
	}
	for _, field := range []string{"order_id", "status", "status_id", "cart", "udf1", "signature", "signature_algorithm"} {
		for name, v := range badValues {
			params := maps.Clone(base)
			var q url.Values
			if field == "signature" || field == "signature_algorithm" {
				q = signed(params)
				q.Set(field, v)
			} else {
				params[field] = v
				q = signed(params)
			}
			for method, r := range map[string]*http.Request{
				"GET":  httptest.NewRequest(http.MethodGet, Prefix+"/return?"+q.Encode(), nil),
				"POST": postForm(Prefix+"/return", q),
			} {
				rec, doc := serve(t, s, r)
				if rec.Code < 400 || rec.Code > 499 {
					t.Errorf("%s %s %s: status %d, want 4xx", method, field, name, rec.Code)
				} else if !strings.Contains(doc.Find("ul.items").Text(), field) {
					t.Errorf("%s %s %s: %q does not name the parameter", method, field, name, doc.Find("main").Text())
				}
			}
		}
	}
	q := signed(base)
	q.Set("a\x00b", "1")
	rec, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/return?"+q.Encode(), nil))
	if rec.Code != http.StatusBadRequest || !strings.Contains(doc.Find("ul.items").Text(), "parameter name") {
		t.Errorf("control character in a parameter name: status %d, %q", rec.Code, doc.Find("main").Text())
	}

	unknown := maps.Clone(base)
	unknown["order_id"] = "shop-not-made"
	if rec, _ := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/return?"+signed(unknown).Encode(), nil)); rec.Code != http.StatusNotFound {
		t.Errorf("signed return for an unknown order: status %d, want 404", rec.Code)
	}
}
