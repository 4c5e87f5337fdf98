package demoshop

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestCartOffersMethodChoice(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	_, doc := serve(t, s, httptest.NewRequest(http.MethodGet, Prefix+"/", nil))
	sel := doc.Find(`form[method="post"] select[name="methods"][data-testid="shop-methods"]`)
	if sel.Length() != 1 {
		t.Fatalf("no methods select in the checkout form:\n%s", doc.Find("form").Text())
	}
	var values, labels []string
	sel.Find("option").Each(func(_ int, o *goquery.Selection) {
		values = append(values, o.AttrOr("value", ""))
		labels = append(labels, strings.TrimSpace(o.Text()))
	})
	if strings.Join(values, ",") != "both,paylater,balance" {
		t.Errorf("methods values %v", values)
	}
	if labels[1] != "Amazon Pay Later only" || labels[2] != "Amazon Pay Balance only" || !strings.HasPrefix(labels[0], "Both") {
		t.Errorf("methods labels %q", labels)
	}
	if v := sel.Find("option[selected]").AttrOr("value", ""); v != "both" {
		t.Errorf("preselected %q, want both", v)
	}
	// Inside the form, before the checkout button, and the form's other
	// fields are still there.
	form := sel.Closest("form")
	if next := sel.NextAllFiltered(`[data-testid="shop-checkout"]`); next.Length() != 1 {
		t.Error("the methods select is not before the checkout button")
	}
	for _, name := range []string{"amount", "phone", "customer_id"} {
		if form.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("field %s gone from the checkout form", name)
		}
	}
}

func TestCheckoutSendsPaymentFilter(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	cases := []struct {
		methods string // "-": the field is not sent
		want    string // the payment_filter sent, as JSON; "" for none
	}{
		{"-", ""},
		{"both", ""},
		{"paylater", `{"allowDefaultOptions":false,"options":[{"paymentMethodType":"CONSUMER_FINANCE","enable":true}]}`},
		{"balance", `{"allowDefaultOptions":false,"options":[{"paymentMethodType":"WALLET","enable":true}]}`},
	}
	for i, c := range cases {
		form := url.Values{"amount": {"100"}, "phone": {"9000000001"}}
		if c.methods != "-" {
			form.Set("methods", c.methods)
		}
		rec, _ := serve(t, s, postForm(Prefix+"/checkout", form))
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("methods %s: status %d\n%s", c.methods, rec.Code, rec.Body)
		}
		body := api.sessions[i]
		got, sent := body["payment_filter"]
		switch {
		case c.want == "" && sent:
			t.Errorf("methods %s: sent payment_filter %v", c.methods, got)
		case c.want != "":
			raw, _ := json.Marshal(got)
			if !sent || !sameJSON(t, raw, c.want) {
				t.Errorf("methods %s: payment_filter %s, want %s", c.methods, raw, c.want)
			}
		}
	}
}

func TestCheckoutRefusesUnknownMethods(t *testing.T) {
	api := newFakeAPI(t)
	s := newTestShop(api)
	rec, doc := serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"100"}, "phone": {"9000000001"}, "methods": {"WALLET"}}))
	if rec.Code != http.StatusBadRequest || !strings.Contains(text(doc, "shop-error"), "methods") {
		t.Errorf("status %d, error %q", rec.Code, text(doc, "shop-error"))
	}
	if len(api.sessions) != 0 {
		t.Errorf("%d sessions created for an unknown choice", len(api.sessions))
	}
	if v := doc.Find(`select[name="methods"] option[selected]`).AttrOr("value", ""); v != "both" {
		t.Errorf("shown back with %q selected", v)
	}
}

func TestCheckoutKeepsMethodsOnAPIError(t *testing.T) {
	s := newTestShop(newFakeAPI(t))
	_, doc := serve(t, s, postForm(Prefix+"/checkout", url.Values{"amount": {"abc"}, "phone": {"9000000010"}, "methods": {"balance"}}))
	if v := doc.Find(`select[name="methods"] option[selected]`).AttrOr("value", ""); v != "balance" {
		t.Errorf("methods kept as %q", v)
	}
}

// sameJSON reports whether raw and want are the same JSON value.
func sameJSON(t *testing.T, raw []byte, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
