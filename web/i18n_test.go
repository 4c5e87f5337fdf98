package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
)

// getIn reads url with client and an Accept-Language header ("" sends
// none).
func getIn(t *testing.T, client *http.Client, rawURL, acceptLanguage string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return fetch(t, client, req)
}

func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func pageLang(doc *goquery.Document) string {
	lang, _ := doc.Find("html").Attr("lang")
	return lang
}

func TestAcceptLanguageHindi(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrder(t, s, "9000000001", "12345.67", "")
	resp, doc := getIn(t, browser(t), link, "hi-IN,hi;q=0.9,en;q=0.8")
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	if got := pageLang(doc); got != "hi" {
		t.Errorf("lang %q", got)
	}
	if vary := strings.Join(resp.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") {
		t.Errorf("Vary %q", vary)
	}
	h1 := doc.Find("h1").Text()
	if !strings.Contains(h1, "का भुगतान करें") || !strings.Contains(h1, "₹12,345.67") {
		t.Errorf("heading %q", h1)
	}
	if got := doc.Find(`[data-testid="time-left"]`).Text(); !strings.HasSuffix(got, "मिनट") {
		t.Errorf("time left %q", got)
	}
	// The method card's words come from the catalogue too.
	if got := doc.Find(`[data-testid="method-AMAZONPAYLATER"] [data-testid="pay-button"]`).Text(); got != "Amazon Pay Later लिंक करें और ₹12,345.67 चुकाएं" {
		t.Errorf("pay button %q", got)
	}
	if got := doc.Find("footer").Text(); got != "paypage द्वारा सुरक्षित चेकआउट" {
		t.Errorf("footer %q", got)
	}
	sw := doc.Find(`[data-testid="language-switch"] a`)
	if sw.Length() != 8 {
		t.Fatalf("switcher has %d links", sw.Length())
	}
	current := doc.Find(`[data-testid="language-switch"] a[aria-current]`)
	if current.Text() != "हिन्दी" || current.AttrOr("lang", "") != "hi" {
		t.Errorf("current language %q", current.Text())
	}

	// No header, or one naming no language of ours: English.
	_, doc = getIn(t, browser(t), link, "")
	if got := pageLang(doc); got != "en" || !strings.HasPrefix(doc.Find("h1").Text(), "Pay ") {
		t.Errorf("no header: lang %q, heading %q", got, doc.Find("h1").Text())
	}
	_, doc = getIn(t, browser(t), link, "fr-FR,de;q=0.5")
	if got := pageLang(doc); got != "en" {
		t.Errorf("French browser: lang %q", got)
	}
}

func TestSessionLanguageWinsOverHeader(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrderWith(t, s, "9000000001", "1499.00", "", map[string]any{"language": "ta"})
	_, doc := getIn(t, browser(t), link, "hi")
	if got := pageLang(doc); got != "ta" {
		t.Fatalf("lang %q", got)
	}
	if h1 := doc.Find("h1").Text(); !strings.Contains(h1, "செலுத்துங்கள்") {
		t.Errorf("heading %q", h1)
	}
}

func TestLanguageSwitchPersists(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	_, link := newOrderWith(t, s, "9000000001", "1499.00", "", map[string]any{"language": "bn"})
	b := browser(t)
	_, doc := getIn(t, b, link, "hi")
	if got := pageLang(doc); got != "bn" {
		t.Fatalf("first view: lang %q", got)
	}
	// The switcher is plain links to this page.
	href, ok := doc.Find(`[data-testid="language-switch"] a[lang="ta"]`).Attr("href")
	if !ok {
		t.Fatal("no Tamil link")
	}
	u, _ := url.Parse(link)
	next, _ := u.Parse(href)
	if next.Path != u.Path || next.Query().Get("lang") != "ta" {
		t.Fatalf("Tamil link %q", href)
	}
	_, doc = getIn(t, b, next.String(), "hi")
	if got := pageLang(doc); got != "ta" {
		t.Fatalf("after the switch: lang %q", got)
	}
	action, _ := doc.Find(`[data-testid="pay-button"]`).Closest("form").Attr("action")
	if !strings.HasSuffix(action, "?lang=ta") {
		t.Errorf("the pay form does not carry the choice: %q", action)
	}
	// The choice wins over the session's language and the header for the
	// rest of the visit.
	_, doc = getIn(t, b, link, "hi")
	if got := pageLang(doc); got != "ta" {
		t.Errorf("next view: lang %q", got)
	}
	// Error pages follow it too.
	_, doc = getIn(t, b, s.URL+"/orders/ordeh_00000000000000000000000000000000/payment-page", "hi")
	if got := pageLang(doc); got != "ta" {
		t.Errorf("404 page: lang %q", got)
	}
	// A browser that keeps no cookies still gets the chosen page.
	_, doc = getIn(t, &http.Client{}, next.String(), "hi")
	if got := pageLang(doc); got != "ta" {
		t.Errorf("without cookies: lang %q", got)
	}
	// A made-up ?lang= changes nothing.
	_, doc = getIn(t, browser(t), link+"?lang=xx", "hi")
	if got := pageLang(doc); got != "bn" {
		t.Errorf("?lang=xx: lang %q", got)
	}
}

func TestErrorPageInHindi(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	resp, doc := getIn(t, browser(t), s.URL+"/orders/ordeh_00000000000000000000000000000000/payment-page", "hi")
	if resp.StatusCode != 404 || pageLang(doc) != "hi" {
		t.Fatalf("404: %d lang %q", resp.StatusCode, pageLang(doc))
	}
	if got := doc.Find("h1").Text(); got != "यह भुगतान पेज नहीं मिला" {
		t.Errorf("heading %q", got)
	}
}

func TestSessionLanguageMustBeKnown(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	for _, bad := range []any{"fr", "HI", "hi-IN", "english", 7} {
		body := s.Session("lang-bad", "10.00", "9000000001")
		body["language"] = bad
		r := s.API(t, "POST", "/session", body)
		if r.Status != 400 || !strings.Contains(string(r.Body), `"language"`) {
			t.Errorf("language %v: %d %s", bad, r.Status, r.Body)
		}
	}
	for _, good := range []string{"en", "hi", "bn", "mr", "te", "ta", "gu", "kn", ""} {
		body := s.Session("lang-"+good, "10.00", "9000000001")
		body["language"] = good
		if r := s.API(t, "POST", "/session", body); r.Status != 200 {
			t.Errorf("language %q: %d %s", good, r.Status, r.Body)
		}
	}
}

// TestMethodCardsTranslated reads every method card a shopper can meet
// with the sandbox's personas (first time, linked, a short balance) in
// Hindi: no English word may be left, so a provider that rewords a title,
// button, consent or note fails here until the catalogue says the same.
func TestMethodCardsTranslated(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, nil)
	english := regexp.MustCompile(`[A-Za-z]{2,}`)
	check := func(sh *apptest.Shopper, state string, want int) {
		t.Helper()
		if got := pageLang(sh.Doc); got != "hi" {
			t.Errorf("%s: lang %q", state, got)
		}
		cards := sh.Doc.Find(`section.method`)
		if cards.Length() != want {
			t.Fatalf("%s: %d method cards, want %d:\n%s", state, cards.Length(), want, sh.Body)
		}
		cards.Each(func(_ int, card *goquery.Selection) {
			text := card.Text()
			for _, brand := range []string{"Amazon Pay Later", "Amazon Pay", "Amazon", "KYC", "KFS"} {
				text = strings.ReplaceAll(text, brand, "")
			}
			if w := english.FindString(text); w != "" {
				t.Errorf("%s: %s has the English word %q: %s", state, card.AttrOr("data-testid", ""), w, strings.Join(strings.Fields(card.Text()), " "))
			}
		})
	}
	_, link := newOrder(t, s, "9000000001", "250.00", "cust-words")
	sh := shopper(t, s).Get(link + "?lang=hi")
	check(sh, "first time", 2)
	sh.Submit("pay-button", nil).Submit("consent-allow", nil)
	if got := signedReturn(t, s, sh); got != "CHARGED" {
		t.Fatalf("first payment %s", got)
	}
	_, link = newOrder(t, s, "9000000001", "250.00", "cust-words")
	check(sh.Get(link), "linked", 2)
	if !sh.Has("kfs-link") || !sh.Has("available-balance") {
		t.Errorf("linked cards lack the terms link or the balance:\n%s", sh.Body)
	}
	_, link = newOrder(t, s, "9000000001", "5000.00", "cust-words")
	check(sh.Get(link), "short balance", 2)
	if sh.Text("method-reason") == "" {
		t.Errorf("no note on a short balance:\n%s", sh.Body)
	}
}
