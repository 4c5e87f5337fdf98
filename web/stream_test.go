package web_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
)

// arrival is when each marker first showed in a response body read as it
// came off the network.
type arrival struct {
	status int
	header http.Header
	body   string
	at     map[string]time.Duration
	total  time.Duration
}

// readTimed GETs url and notes how long after the request each of markers
// first appeared in the body.
func readTimed(t *testing.T, url string, markers ...string) arrival {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(url) // asks for gzip and decodes it as it comes
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := arrival{status: resp.StatusCode, header: resp.Header, at: map[string]time.Duration{}}
	var body bytes.Buffer
	chunk := make([]byte, 512)
	for {
		n, err := resp.Body.Read(chunk)
		body.Write(chunk[:n])
		for _, m := range markers {
			if _, seen := a.at[m]; !seen && strings.Contains(body.String(), m) {
				a.at[m] = time.Since(start)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	a.total, a.body = time.Since(start), body.String()
	return a
}

// With Amazon 800 ms away and nothing prefetched, the payment page sends
// its head, merchant, amount and order at once, and the methods when
// Amazon has answered: the first bytes do not wait for Amazon.
func TestStreamedPageSendsTheSummaryBeforeAmazonAnswers(t *testing.T) {
	t.Parallel()
	const latency = 800 * time.Millisecond
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_LATENCY": latency.String(), "PAYPAGE_PREFETCH_MAX_IN_FLIGHT": "0"})
	_, link := newPayLaterOrder(t, s, "9000000001", "1499.00", "")
	amount, merchant, method := `data-testid="order-amount">₹1,499.00<`, "Demo Shop", `data-testid="pay-button"`
	a := readTimed(t, link, amount, merchant, `data-testid="time-left"`, method, "</html>")
	if a.status != http.StatusOK || a.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %v", a.status, a.header)
	}
	t.Logf("Amazon %v away: amount after %v, time left after %v, pay button after %v, whole page %v",
		latency, a.at[amount], a.at[`data-testid="time-left"`], a.at[method], a.total)
	for _, m := range []string{amount, merchant, `data-testid="time-left"`, method, "</html>"} {
		if _, ok := a.at[m]; !ok {
			t.Fatalf("page lacks %s:\n%s", m, a.body)
		}
	}
	if a.at[amount] >= latency/2 || a.at[merchant] >= latency/2 {
		t.Errorf("merchant after %v, amount after %v, with Amazon %v away: the first bytes waited for Amazon", a.at[merchant], a.at[amount], latency)
	}
	if a.at[method] < latency {
		t.Errorf("the pay button came after %v, before Amazon (%v away) could have answered: the test measures nothing", a.at[method], latency)
	}
	if strings.Count(a.body, "<html") != 1 || strings.Count(a.body, "</html>") != 1 || strings.Contains(a.body, "page-part-failed") {
		t.Errorf("not one whole document:\n%s", a.body)
	}
}

// A page whose offers were prefetched and are fresh comes whole at once,
// without asking Amazon.
func TestPrefetchedPageComesWhole(t *testing.T) {
	t.Parallel()
	const latency = 600 * time.Millisecond
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_LATENCY": latency.String()})
	_, link := newPayLaterOrder(t, s, "9000000001", "1499.00", "")
	s.Service.Wait() // the prefetch has its answer: the shopper arrives after the merchant's redirect
	a := readTimed(t, link, `data-testid="pay-button"`)
	if a.status != http.StatusOK {
		t.Fatalf("page: %d", a.status)
	}
	if at, ok := a.at[`data-testid="pay-button"`]; !ok || at >= latency {
		t.Errorf("pay button after %v (seen %v) with the answer prefetched and Amazon %v away", at, ok, latency)
	}
	t.Logf("prefetched page whole in %v", a.total)
}

// With Amazon slower than the page's listing budget (1.5 s), a method it
// has not answered for is "checking with Amazon", never "no payment
// option": a card with a Try again link and a script that reloads a few
// times, later each time. Once Amazon's answer is in (kept with the
// order), Try again shows the method payable.
func TestCheckingScreenWhenAmazonIsSlow(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_LATENCY": "2500ms", "PAYPAGE_PREFETCH_MAX_IN_FLIGHT": "0"})
	_, link := newPayLaterOrder(t, s, "9000000001", "250", "")
	waits := map[string]string{"2": "8000", "3": "", "x": ""}
	got := map[string]chan string{}
	for tries := range waits {
		got[tries] = make(chan string, 1)
		go func() {
			resp, err := http.Get(link + "?checks=" + tries)
			if err != nil {
				got[tries] <- err.Error()
				return
			}
			defer resp.Body.Close()
			doc, err := goquery.NewDocumentFromReader(resp.Body)
			switch {
			case err != nil:
				got[tries] <- err.Error()
			case doc.Find(`[data-testid="checking"]`).Length() == 0:
				got[tries] <- "no checking card"
			default:
				got[tries] <- doc.Find(`script[data-next]`).AttrOr("data-wait", "")
			}
		}()
	}
	sh := shopper(t, s).Get(link)
	if sh.Status != http.StatusOK || !sh.Has("checking") || !sh.Has("checking-retry") || sh.Has("no-methods") ||
		sh.Has("pay-button") || strings.Contains(strings.ToLower(sh.Body), "no payment option") {
		t.Fatalf("page while Amazon is slow: %d\n%s", sh.Status, sh.Body)
	}
	card := sh.Doc.Find(`[data-testid="checking"]`)
	if card.AttrOr("data-method", "") != "AMAZONPAYLATER" || !strings.Contains(card.Text(), "Amazon Pay Later") || !strings.Contains(card.Text(), "Checking with Amazon") {
		t.Errorf("checking card: %q", card.Text())
	}
	if !sh.Has("cancel-link") || !sh.Has("time-left") {
		t.Errorf("checking screen without the way back or the time left:\n%s", sh.Body)
	}
	retry := hrefOf(sh, "checking-retry")
	if !strings.HasSuffix(retry, "/payment-page") {
		t.Errorf("Try again goes to %q, not the page", retry)
	}
	script := sh.Doc.Find(`script[data-next]`)
	if next := script.AttrOr("data-next", ""); !strings.HasSuffix(next, "/payment-page?checks=1") || script.AttrOr("data-wait", "") != "2000" {
		t.Errorf("automatic retry: next %q after %q ms", next, script.AttrOr("data-wait", ""))
	}
	if script.AttrOr("nonce", "") == "" {
		t.Error("the retry script has no nonce: the CSP blocks it")
	}
	// The later automatic tries wait longer; after the third there is none.
	// (Loaded at the same time as the first, before Amazon's answer is in.)
	for tries, want := range waits {
		if got := <-got[tries]; got != want {
			t.Errorf("?checks=%s: the next automatic try after %q ms, want %q", tries, got, want)
		}
	}
	s.Service.Wait() // Amazon's late answers are in, kept with the order
	sh.Follow("checking-retry")
	if !sh.Has("method-AMAZONPAYLATER") || !sh.Has("pay-button") || sh.Has("checking") {
		t.Fatalf("Try again once Amazon answered:\n%s", sh.Body)
	}
}

// Pay when Amazon is too slow to confirm a first-time shopper's
// eligibility starts nothing and goes back to the page (303), which shows
// the method as being checked: never a 409 or 503 error page.
func TestPayOnASlowAmazonGoesBackToThePage(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_LATENCY": "3500ms"})
	orderID, link := newPayLaterOrder(t, s, "9000000001", "250", "")
	s.Service.Wait() // prefetched within its 5 s
	sh := shopper(t, s).Get(link)
	action, fields := payForm(t, sh, "pay-button")
	// The kept answer grows old: Pay asks Amazon again, which is too slow.
	if _, err := s.DB.SQL().Exec(`UPDATE order_offers SET answered_at = now() - interval '5 minutes'
		WHERE order_id = (SELECT id FROM orders WHERE order_id = $1)`, orderID); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: sh.Client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, action, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.URL)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	took := time.Since(start)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/payment-page") {
		t.Fatalf("Pay on a slow Amazon: %d to %q", resp.StatusCode, loc)
	}
	if took > 5*time.Second {
		t.Errorf("Pay took %v", took)
	}
	// The page shows Amazon still checking, or, when the answer Pay gave
	// up on has come and been kept meanwhile (a slow machine), the method
	// payable: never "no payment option" or an error.
	sh.Get(s.URL + resp.Header.Get("Location"))
	if sh.Status != http.StatusOK || !(sh.Has("checking") || sh.Has("pay-button")) || sh.Has("no-methods") || sh.Has("error-page") {
		t.Errorf("page after Pay: %d\n%s", sh.Status, sh.Body)
	}
	if got := orderStatus(t, s, orderID)["status"]; got != "NEW" {
		t.Errorf("order %v after a Pay that started nothing", got)
	}
}

// The processing screen polls the status endpoint with a small script, says
// how long Amazon may take, keeps "Check again" for browsers without
// JavaScript, and has no meta refresh.
func TestPendingPagePollsTheStatus(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, map[string]string{"PAYPAGE_SANDBOX_PENDING_DELAY": "30s"})
	_, link := newOrder(t, s, "9000000007", "500", "") // pending, approved later
	id := pageID(link)
	sh := shopper(t, s).Get(link).Submit("pay-button", nil).Submit("consent-allow", nil)
	if !sh.Has("processing") || !sh.Has("check-again") {
		t.Fatalf("no processing screen:\n%s", sh.Body)
	}
	script := sh.Doc.Find(`[data-testid="processing"] script[data-status]`)
	if got := script.AttrOr("data-status", ""); got != "/orders/"+id+"/payment-page/status" || script.AttrOr("nonce", "") == "" ||
		!strings.Contains(script.Text(), "fetch(") || !strings.Contains(script.Text(), "location.replace") {
		t.Errorf("polling script: status %q, nonce %q:\n%s", got, script.AttrOr("nonce", ""), script.Text())
	}
	if live := sh.Doc.Find(`[data-testid="processing-live"]`); live.AttrOr("aria-live", "") != "polite" {
		t.Errorf("no polite live region for the script's news")
	}
	text := sh.Text("processing")
	if !strings.Contains(text, "less than a minute") || !strings.Contains(text, "up to 15 minutes") {
		t.Errorf("the wait is not said: %q", text)
	}
	if regexp.MustCompile(`(?i)http-equiv\s*=\s*"?refresh`).MatchString(sh.Body) || strings.Contains(sh.Body, "setTimeout(function(){location.replace(document.getElementById") {
		t.Errorf("the page still reloads itself blindly:\n%s", sh.Body)
	}
	if href := hrefOf(sh, "check-again"); !strings.HasSuffix(href, "/payment-page?wait=1") {
		t.Errorf("Check again goes to %q", href)
	}
}

// hrefOf is the href of the element with testid on the shopper's page.
func hrefOf(sh *apptest.Shopper, testid string) string {
	return sh.Doc.Find(`[data-testid="`+testid+`"]`).First().AttrOr("href", "")
}
