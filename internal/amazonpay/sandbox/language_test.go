package sandbox_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// pageIn reads u with an Accept-Language header.
func pageIn(t *testing.T, u, acceptLanguage string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := browser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

func TestPagesSpeakTheCustomersLanguage(t *testing.T) {
	e := newEnv(t)
	consent := e.client.ConsentURL("state-1", redirectURI, "9000000001")
	resp, doc := pageIn(t, consent, "kn-IN,kn;q=0.9,en;q=0.5")
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	if lang, _ := doc.Find("html").Attr("lang"); lang != "kn" {
		t.Errorf("lang %q", lang)
	}
	if got := doc.Find(`[data-testid="consent-allow"]`).Text(); got != "ಅನುಮತಿಸಿ" {
		t.Errorf("allow button %q", got)
	}
	if got := doc.Find("h1").Text(); got != "Amazon Pay ಲಿಂಕ್ ಮಾಡಿ" {
		t.Errorf("heading %q", got)
	}
	if vary := strings.Join(resp.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") {
		t.Errorf("Vary %q", vary)
	}
	// ?lang= wins over the header; English without either.
	_, doc = pageIn(t, consent+"&lang=gu", "kn")
	if lang, _ := doc.Find("html").Attr("lang"); lang != "gu" {
		t.Errorf("?lang=gu: lang %q", lang)
	}
	_, doc = pageIn(t, consent, "")
	if lang, _ := doc.Find("html").Attr("lang"); lang != "en" || doc.Find(`[data-testid="consent-allow"]`).Text() != "Allow" {
		t.Errorf("no header: lang %q", lang)
	}
	// The customer's messages too: an unknown charge.
	resp, doc = pageIn(t, e.srv.URL+prefix+"/pay/S04-0000000-0000000", "te")
	if resp.StatusCode != 404 || doc.Find("h1").Text() != "చెల్లింపు కనిపించలేదు" {
		t.Errorf("unknown charge: %d %q", resp.StatusCode, doc.Find("h1").Text())
	}
}
