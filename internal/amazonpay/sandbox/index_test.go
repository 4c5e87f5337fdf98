package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/amazonpay/sandbox"
)

// The simulator's root is an index QA can start from: every persona, the
// URLs and the knobs with their current values.
func TestIndexListsPersonasEndpointsAndKnobs(t *testing.T) {
	e := newEnvWith(t, sandbox.Options{Latency: 5 * time.Millisecond, Faults: 0.25})
	resp, doc := page(t, e.srv.URL+prefix+"/")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("index: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if lang, _ := doc.Find("html").Attr("lang"); lang == "" {
		t.Error("no lang")
	}
	main := doc.Find(`main[data-testid="sandbox-index"]`)
	if main.Length() != 1 || main.Find("h1").Length() != 1 {
		t.Fatal("no index main with one h1")
	}
	if doc.Find("[style], script").Length() > 0 {
		t.Error("index has inline styles or scripts")
	}
	for _, p := range sandbox.Personas() {
		id := "persona-" + p.Phone
		if p.Phone == "" {
			id = "persona-default"
		}
		row := main.Find(`tr[data-testid="` + id + `"]`)
		if row.Length() != 1 {
			t.Errorf("no row %s", id)
			continue
		}
		text := row.Text()
		for _, want := range []string{p.Phone, p.Name, p.Description, p.Balance.Indian()} {
			if !strings.Contains(text, want) {
				t.Errorf("row %s lacks %q: %q", id, want, text)
			}
		}
		if p.Ineligible == "" && !strings.Contains(text, p.Credit.Indian()+", eligible") {
			t.Errorf("row %s lacks its credit: %q", id, text)
		}
		if p.Ineligible != "" && !strings.Contains(text, p.Ineligible) {
			t.Errorf("row %s lacks its ineligibility: %q", id, text)
		}
		if row.Find(`th[scope="row"]`).Length() != 1 {
			t.Errorf("row %s has no row header", id)
		}
	}
	text := main.Text()
	base := e.srv.URL + prefix
	for _, want := range []string{
		base + "/v1/payments/instruments", base + "/v1/payments/eligibility", base + "/v1/payments/charge", base + "/v1/payments/refund",
		base + "/lwa/ap/oa", base + "/lwa/auth/o2/token", base + "/pay/{amazonChargeId}", base + "/topup/{amazonChargeId}", base + "/render_kfs",
		"20s", "5ms", "0.25 (25%", redirectURI,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	tables := main.Find("table")
	if tables.Length() != 3 || tables.Find("caption").Length() != 3 {
		t.Errorf("%d tables, %d captions", tables.Length(), tables.Find("caption").Length())
	}
	if n := tables.Find("thead th").Length(); n != tables.Find(`thead th[scope="col"]`).Length() {
		t.Error("a column header without scope")
	}

	head, err := browser().Head(base + "/")
	if err != nil || head.StatusCode != http.StatusOK {
		t.Errorf("HEAD index: %v %v", head, err)
	}
	post, err := browser().Post(base+"/", "text/plain", nil)
	if err != nil || post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST index: %v %v", post, err)
	}
}

// Knobs left unset show as off.
func TestIndexKnobsOff(t *testing.T) {
	e := newEnv(t)
	_, doc := page(t, e.srv.URL+prefix+"/")
	text := doc.Find(`[data-testid="sandbox-knobs"]`).Text()
	for _, want := range []string{"20s", "0s (off)", "0 (off)"} {
		if !strings.Contains(text, want) {
			t.Errorf("knobs lack %q: %q", want, text)
		}
	}
}

// An unknown path under the prefix is the simulator's 404 page.
func TestUnknownPathIsNotFoundPage(t *testing.T) {
	e := newEnv(t)
	resp, doc := page(t, e.srv.URL+prefix+"/nope")
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("unknown path: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if doc.Find(`[data-testid="sandbox-message"]`).Length() != 1 || !strings.Contains(doc.Find("main").Text(), prefix+"/") {
		t.Errorf("not the message page: %q", doc.Find("main").Text())
	}
	_, doc = page(t, e.srv.URL+prefix+"/nope?lang=kn")
	if lang := doc.Find("html").AttrOr("lang", ""); lang != "kn" || doc.Find("h1").Text() != "ಪುಟ ಸಿಗಲಿಲ್ಲ" ||
		!strings.Contains(doc.Find("main").Text(), prefix+"/nope") {
		t.Errorf("in Kannada: lang %q, %q", lang, doc.Find("main").Text())
	}
}

// Served alone, the host's root sends QA to the index.
func TestStandaloneRootRedirectsToIndex(t *testing.T) {
	sim := sandbox.New(sandbox.Options{DB: newDB(t), Prefix: prefix})
	for path, want := range map[string]int{"/": http.StatusFound, prefix: http.StatusTemporaryRedirect, prefix + "/": http.StatusOK} {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: HTTP %d, want %d", path, rec.Code, want)
		}
		if want != http.StatusOK && rec.Header().Get("Location") != prefix+"/" {
			t.Errorf("GET %s: Location %q", path, rec.Header().Get("Location"))
		}
	}
}
