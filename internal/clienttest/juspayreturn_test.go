package clienttest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/internal/checkout"
)

// returnQueries are merchants' own return URL queries that a signature
// must survive: spaces both ways, +, ~, *, an encoded slash, & and = inside
// values, empty values, keys whose raw and encoded orders differ, and
// non-ASCII keys and values.
var returnQueries = []string{
	"",
	"cart=a%20b&sp=a+b&plus=a%2Bb",
	"tilde=x~y&star=*&slash=a%2Fb&amp=a%26b%3Dc&empty=&flag",
	"a_=1&a~=2&z=3&k%C3%A9y=%E2%82%B9%20100&%F0%9F%98%80=smile&%EF%BC%A1=wide",
}

// Every return, GET or POST, verifies with Juspay's Java sample's
// algorithm run by the JDK (a real TreeMap and URLEncoder), on what the
// merchant's servlet would decode.
func TestReturnVerifiesWithJuspayJavaSample(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for _, method := range []string{checkout.ReturnGET, checkout.ReturnPOST} {
		id := "java-" + strings.ToLower(method)
		creds, err := s.Service.CreateMerchant(context.Background(), "test", checkout.NewMerchant{
			ID: id, Name: "Java " + method, ReturnURLPrefixes: []string{"https://merchant.example/"}, ReturnMethod: method,
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range returnQueries {
			returnURL := "https://merchant.example/back"
			if q != "" {
				returnURL += "?" + q
			}
			body := s.Session(id+"-"+string(rune('a'+i)), "10", "9000000001")
			body["return_url"] = returnURL
			r := s.APIAs(t, id, creds.APIKey, "POST", "/session", body)
			if r.Status != 200 {
				t.Fatalf("%s %q: create: %d %s", method, q, r.Status, r.Body)
			}
			link := r.JSON(t)["payment_links"].(map[string]any)["web"].(string)
			sh := apptest.NewShopper(t, "https://merchant.example/").Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
			params := returned(t, sh, method)
			out, ok := Java(t, "JuspayReturn.java", creds.ResponseKey, params)
			if !ok {
				t.Errorf("%s return for %q: Java sample says: %s", method, q, out)
				continue
			}
			if !strings.Contains(params, "status=CHARGED") {
				t.Errorf("%s return for %q is not CHARGED: %s", method, q, params)
			}
			t.Logf("%s %q: %s", method, q, strings.TrimSpace(string(out)))
		}
	}
}

// returned is what the merchant receives, URL-encoded as it arrives: the
// query of the redirect, or the body the auto-submitting form would post.
func returned(t *testing.T, sh *apptest.Shopper, method string) string {
	t.Helper()
	if method == checkout.ReturnGET {
		loc, err := url.Parse(sh.Location())
		if err != nil || loc.Host != "merchant.example" {
			t.Fatalf("not sent to the merchant: %q (%d %s)", sh.Location(), sh.Status, sh.URL)
		}
		return loc.RawQuery
	}
	form := sh.Doc.Find("form#return-form")
	if action, _ := form.Attr("action"); !strings.HasPrefix(action, "https://merchant.example/back") {
		t.Fatalf("no return form to the merchant on %s:\n%s", sh.URL, sh.Body)
	}
	var pairs []string
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		value, _ := in.Attr("value")
		// As a browser encodes application/x-www-form-urlencoded.
		pairs = append(pairs, url.QueryEscape(name)+"="+url.QueryEscape(value))
	})
	return strings.Join(pairs, "&")
}
