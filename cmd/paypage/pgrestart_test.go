package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/paypage/paypage/internal/apptest"
)

// TestServeSurvivesPostgresKill9 kills the embedded postmaster under a
// running `paypage serve` with requests in flight. While it is down /readyz
// fails and requests get 503 with Retry-After (JSON for the API, a
// try-again page for shoppers), never a 500, also those whose connection
// died under them; once paypage has restarted it, everything works again
// without restarting paypage.
func TestServeSurvivesPostgresKill9(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	addr := freeAddr(t)
	s := &server{base: "http://" + addr, stdout: &syncBuffer{}, done: make(chan error, 1)}
	stderr := &syncBuffer{}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(os.Environ(), "PAYPAGE_DATA_DIR="+data, "DATABASE_URL=", "PAYPAGE_ADDR="+addr, "PAYPAGE_BASE_URL="+s.base)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	s.waitReady(t)
	key := regexp.MustCompile(`api_key=(\S+)`).FindStringSubmatch(s.stdout.String())
	if key == nil {
		t.Fatalf("no api key in banner:\n%s", s.stdout)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: apptest.ValidatingTransport(t, nil)}
	api := func(method, path, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-merchantid", "demo")
		req.SetBasicAuth(key[1], "")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	sessionBody := func(id string) string {
		return `{"order_id":"` + id + `","amount":"10","currency":"INR","customer_id":"c1",` +
			`"customer_phone":"9000000001","return_url":"` + s.base + `/sandbox/shop/return"}`
	}
	session := func(id string) string {
		t.Helper()
		resp, m := api("POST", "/session", sessionBody(id))
		if resp.StatusCode != 200 {
			t.Fatalf("session %s: %d %v", id, resp.StatusCode, m)
		}
		return m["payment_links"].(map[string]any)["web"].(string)
	}
	readyz := func() int {
		resp, err := client.Get(s.base + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitReadyz := func(want int, within time.Duration) time.Duration {
		t.Helper()
		began := time.Now()
		for readyz() != want {
			if time.Since(began) > within {
				t.Fatalf("/readyz not %d after %v\nserver log:\n%s", want, within, stderr)
			}
			select {
			case err := <-s.done:
				t.Fatalf("paypage exited: %v\n%s", err, stderr)
			case <-time.After(20 * time.Millisecond):
			}
		}
		return time.Since(began)
	}
	// waitRestarts waits until paypage has logged n restarts: the database
	// answers a moment before the supervisor is done with a restart.
	waitRestarts := func(n int) {
		t.Helper()
		for began := time.Now(); strings.Count(stderr.String(), "embedded postgres restarted") < n; time.Sleep(20 * time.Millisecond) {
			if time.Since(began) > 30*time.Second {
				t.Fatalf("paypage has not logged restart %d:\n%s", n, stderr)
			}
		}
	}
	link := session("before-kill")
	pgDir := filepath.Join(data, "pg")
	load := startLoad(client, s.base, key[1], link, sessionBody)
	load.waitOK(t, 30)

	// Hold the start lock, as a paypage command starting at that moment
	// would, so the outage lasts long enough to look at.
	lock := holdLock(t, filepath.Join(data, "pg.lock"))
	pid := killPostmaster(t, pgDir)
	killed := time.Now()
	waitReadyz(http.StatusServiceUnavailable, 10*time.Second)

	resp, m := api("GET", "/orders/before-kill", "")
	if resp.StatusCode != http.StatusServiceUnavailable || m["status"] != "ERROR" || m["error_code"] != "unavailable" {
		t.Errorf("order status during the outage: %d %v, want 503 error_code unavailable", resp.StatusCode, m)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("order status during the outage: no Retry-After")
	}
	if resp, m := api("POST", "/session", sessionBody("during")); resp.StatusCode != http.StatusServiceUnavailable || m["error_code"] != "unavailable" {
		t.Errorf("session during the outage: %d %v, want 503 error_code unavailable", resp.StatusCode, m)
	}
	checkTryAgainPage(t, client, link)

	lock.Close()
	released := time.Now()
	waitReadyz(http.StatusOK, 60*time.Second)
	t.Logf("outage with the start lock held: recovered %v after the lock was released (%v after kill -9)",
		time.Since(released).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))
	if resp, err := client.Get(link); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("payment page after recovery: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	session("after-first-kill")
	waitRestarts(1)

	// The same again without the lock: how long a plain kill -9 keeps
	// paypage from its database.
	if again := killPostmaster(t, pgDir); again == pid {
		t.Fatalf("postmaster pid %d did not change after the restart", pid)
	}
	killed = time.Now()
	waitReadyz(http.StatusServiceUnavailable, 10*time.Second)
	waitReadyz(http.StatusOK, 60*time.Second)
	down := time.Since(killed)
	session("after-second-kill")
	waitRestarts(2)
	t.Logf("plain kill -9: /readyz 200 again %v after the kill, a session created %v after it",
		down.Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))

	load.waitOK(t, 30)
	load.stop(t)

	select {
	case err := <-s.done:
		t.Fatalf("paypage exited during the test: %v", err)
	default:
	}
	if n := strings.Count(stderr.String(), "embedded postgres restarted"); n != 2 {
		t.Errorf("%d restarts logged, want 2:\n%s", n, stderr)
	}
	if resp, err := client.Get(s.base + "/metrics"); err != nil {
		t.Error(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "paypage_embedded_postgres_restarts_total 2") {
			t.Error("/metrics does not count the two restarts")
		}
	}
	s.terminate(t, data)
}

// load keeps shopper and merchant API requests going through both kills,
// so that some are in flight when the database goes away or comes back.
type load struct {
	quit chan struct{}
	wg   sync.WaitGroup

	mu     sync.Mutex
	ok     int            // 200s
	counts map[string]int // "GET /orders/{id} 503" -> n
	bad    []string       // answers that break the contract, the first few in full
	nBad   int
}

func startLoad(client *http.Client, base, apiKey, link string, sessionBody func(string) string) *load {
	l := &load{quit: make(chan struct{}), counts: map[string]int{}}
	var seq atomic.Int64
	requests := []func() (string, *http.Request){
		func() (string, *http.Request) {
			req, _ := http.NewRequest("GET", base+"/orders/before-kill", nil)
			return "GET /orders/{id}", req
		},
		func() (string, *http.Request) {
			body := sessionBody("load-" + strconv.FormatInt(seq.Add(1), 10))
			req, _ := http.NewRequest("POST", base+"/session", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return "POST /session", req
		},
		func() (string, *http.Request) {
			req, _ := http.NewRequest("GET", link, nil)
			return "GET payment-page", req
		},
	}
	for w := range 4 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := w; ; i++ {
				select {
				case <-l.quit:
					return
				default:
				}
				name, req := requests[i%len(requests)]()
				if name != "GET payment-page" {
					req.Header.Set("x-merchantid", "demo")
					req.SetBasicAuth(apiKey, "")
				}
				l.do(client, name, req)
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	return l
}

func (l *load) do(client *http.Client, name string, req *http.Request) {
	resp, err := client.Do(req)
	if err != nil {
		l.record(name+" error", err.Error())
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	key := name + " " + strconv.Itoa(resp.StatusCode)
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode == http.StatusOK:
		l.mu.Lock()
		l.ok++
		l.mu.Unlock()
		l.record(key, "")
	case resp.StatusCode != http.StatusServiceUnavailable:
		l.record(key, string(b))
	case resp.Header.Get("Retry-After") == "":
		l.record(key+" without Retry-After", string(b))
	case name == "GET payment-page" && !strings.HasPrefix(ct, "text/html"),
		name != "GET payment-page" && !strings.HasPrefix(ct, "application/json"):
		l.record(key+" as "+ct, string(b))
	default:
		l.record(key, "")
	}
}

// waitOK waits for n more 200s: the load is running at full speed before
// a kill, and runs on after a recovery.
func (l *load) waitOK(t *testing.T, n int) {
	t.Helper()
	l.mu.Lock()
	want := l.ok + n
	l.mu.Unlock()
	for began := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		l.mu.Lock()
		ok := l.ok
		l.mu.Unlock()
		if ok >= want {
			return
		}
		if time.Since(began) > 30*time.Second {
			t.Fatalf("load: %d of %d more 200s in 30s", ok-want+n, n)
		}
	}
}

// record counts an answer; a non-empty why marks it as breaking the
// contract.
func (l *load) record(key, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[key]++
	if why != "" {
		l.nBad++
		if len(l.bad) < 5 {
			l.bad = append(l.bad, key+": "+why)
		}
	}
}

// stop ends the load and fails the test on any answer other than a 200 or
// a well-formed 503.
func (l *load) stop(t *testing.T) {
	t.Helper()
	close(l.quit)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Logf("answers under load: %v", l.counts)
	if l.nBad > 0 {
		t.Errorf("%d answers under load were neither 200 nor 503 with Retry-After; the first:\n%s", l.nBad, strings.Join(l.bad, "\n"))
	}
}

// checkTryAgainPage expects the shopper's payment page to be a 503 that
// offers to try the same page again and claims nothing about the money.
func checkTryAgainPage(t *testing.T, client *http.Client, link string) {
	t.Helper()
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("payment page during the outage: %d %s, want 503 HTML", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if h := doc.Find("h1").Text(); !strings.Contains(h, "could not reach") {
		t.Errorf("payment page during the outage: heading %q", h)
	}
	if href, _ := doc.Find(`a[data-testid="try-again"]`).Attr("href"); href == "" || !strings.HasSuffix(link, href) {
		t.Errorf("try-again link %q does not lead back to %s", href, link)
	}
	if strings.Contains(strings.ToLower(doc.Text()), "no money") {
		t.Error("the outage page claims no money was taken")
	}
}

// holdLock takes the flock that pgembed takes to start a server, waiting at
// most 10 seconds. Closing the file releases it.
func holdLock(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	for began := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
			return f
		}
		if time.Since(began) > 10*time.Second {
			t.Fatalf("could not lock %s", path)
		}
	}
}

// killPostmaster SIGKILLs the server named in dir/postmaster.pid.
func killPostmaster(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatalf("postmaster.pid: %v", err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
	return pid
}
