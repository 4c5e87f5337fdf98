package checkout

import (
	"bufio"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	whatwg "github.com/nlnwa/whatwg-url/url"
)

// The corpus tests check MatchesPrefix against an independent WHATWG URL
// parser (github.com/nlnwa/whatwg-url, which passes the web-platform-tests
// URL suite): whatever MatchesPrefix accepts, a browser must resolve inside
// one of the prefixes.

// corpusPrefixes are the registered prefixes the corpus is matched against.
var corpusPrefixes = []string{
	"https://shop.example/return",
	"https://pay.example.com:8443/cb/",
	"http://127.0.0.1:8080/sandbox/shop/",
	"https://[2001:db8::1]/hook/",
	"https://xn--bcher-kva.example/r/",
	"https://hooks.example:443/in/",
}

// corpusBases are pages on which a browser meets a return URL, in a
// Location header or a form action; relative references resolve against
// them, and "https:x" means something else on an https page.
var corpusBases = []string{
	"https://paypage.example/orders/ordeh_0/return",
	"http://paypage.example:8080/orders/ordeh_0/return",
}

type payload struct {
	want string // "ok" (must be accepted), "no" (must be refused) or "any"
	url  string
}

// loadCorpus reads the hand-written payloads in testdata.
func loadCorpus(t testing.TB) []payload {
	t.Helper()
	f, err := os.Open("testdata/urlprefix-corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []payload
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		want, quoted, _ := strings.Cut(line, " ")
		raw, err := strconv.Unquote(quoted)
		if err != nil || want != "ok" && want != "no" && want != "any" {
			t.Fatalf("corpus line %d: %q", n, line)
		}
		out = append(out, payload{want, raw})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// generatedPayloads crosses templates with encodings: every way of writing
// a dot segment in every place of a path, stray whitespace and control
// characters at every point of a good URL, and every look-alike of a dot
// in a host. All of them must be refused.
func generatedPayloads() []payload {
	var out []payload
	add := func(s string) { out = append(out, payload{"no", s}) }

	dots := []string{
		".", "%2e", "%2E", "..", ".%2e", "%2e.", "%2e%2e", ".%2E", "%2E.", "%2E%2E", "%2e%2E", "%2E%2e",
		".\t.", "%2\te", ".\n%2e", "\t..", "..\r", "..;", ".;", "..;x", "%2e%2e;", ".%2e;jsessionid=1",
	}
	for _, base := range []string{"https://shop.example/return", "https://pay.example.com:8443/cb", "http://127.0.0.1:8080/sandbox/shop"} {
		for _, d := range dots {
			for _, tmpl := range []string{"B/D/admin", "B/x/D/D/admin", "B/D", "B/D/", "B/D?q=1", "B/D#f", "B/D/D/D/etc/passwd"} {
				add(strings.NewReplacer("B", base, "D", d).Replace(tmpl))
			}
		}
	}

	good := "https://shop.example/return/ok"
	for _, c := range []string{"\t", "\n", "\r", "\x00", "\x01", "\x1f", " ", "\x7f", "\u00a0", "\u2028", "\ufeff", "\u200b", "\u3000"} {
		for _, at := range []int{0, len("https"), len("https:/"), len("https://"), len("https://shop"), len("https://shop.example"), len("https://shop.example/re"), len(good)} {
			add(good[:at] + c + good[at:])
		}
	}

	for _, dot := range []string{"\u3002", "\uff0e", "\uff61", "\u2024", "\ufe52", "%2e", "%2E", "%E3%80%82", "%EF%BC%8E"} {
		add("https://shop" + dot + "example/return/ok")
		add("https://shop.example" + dot + "/return/ok")
		add("http://127" + dot + "0" + dot + "0" + dot + "1:8080/sandbox/shop/ok")
		add("https://xn--bcher-kva" + dot + "example/r/ok")
	}
	return out
}

func TestPrefixCorpus(t *testing.T) {
	hand := loadCorpus(t)
	corpus := append(hand, generatedPayloads()...)
	if len(corpus) < 300 {
		t.Fatalf("corpus has %d payloads, want at least 300", len(corpus))
	}
	accepted := 0
	for _, p := range corpus {
		err := checkPrefixes(p.url, corpusPrefixes)
		if got := MatchesPrefix(p.url, corpusPrefixes); got != (err == nil) {
			t.Errorf("MatchesPrefix(%q) = %v but checkPrefixes says %v", p.url, got, err)
		}
		switch {
		case p.want == "ok" && err != nil:
			t.Errorf("refused %q: %v", p.url, err)
		case p.want == "no" && err == nil:
			t.Errorf("accepted %q", p.url)
		}
		if err == nil {
			accepted++
			if err := resolvesWithin(p.url, corpusPrefixes); err != nil {
				t.Errorf("accepted %q, but %v", p.url, err)
			}
		}
	}
	t.Logf("%d payloads (%d hand-written), %d accepted", len(corpus), len(hand), accepted)
}

// FuzzMatchesPrefix looks for URLs that MatchesPrefix accepts and a browser
// resolves elsewhere, under the corpus prefixes and under a fuzzed prefix
// that parsePrefix accepted. Without -fuzz it runs the corpus as seeds.
func FuzzMatchesPrefix(f *testing.F) {
	for i, p := range append(loadCorpus(f), generatedPayloads()...) {
		f.Add(p.url, corpusPrefixes[i%len(corpusPrefixes)])
	}
	f.Fuzz(func(t *testing.T, raw, prefix string) {
		if MatchesPrefix(raw, corpusPrefixes) {
			if err := resolvesWithin(raw, corpusPrefixes); err != nil {
				t.Fatalf("accepted %q, but %v", raw, err)
			}
		}
		if _, err := parsePrefix(prefix); err == nil && MatchesPrefix(raw, []string{prefix}) {
			if err := resolvesWithin(raw, []string{prefix}); err != nil {
				t.Fatalf("accepted %q under %q, but %v", raw, prefix, err)
			}
		}
	})
}

// resolvesWithin checks raw the way each reader of a return or webhook URL
// sees it: a browser on a paypage page, a browser given the URL as
// return.go rebuilds it with net/url, and the webhook worker's HTTP client
// with a merchant's server that decodes and cleans the path.
func resolvesWithin(raw string, prefixes []string) error {
	for _, base := range corpusBases {
		u, err := whatwg.ParseRef(base, raw)
		if err != nil {
			return fmt.Errorf("a browser on %s cannot resolve it: %v", base, err)
		}
		if !whatwgWithin(u, prefixes) {
			return fmt.Errorf("a browser on %s goes to %s", base, u.Href(false))
		}
	}
	gu, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("net/url cannot parse it: %v", err)
	}
	if !netURLWithin(gu, prefixes) {
		return fmt.Errorf("an HTTP client posts to %s %s", gu.Host, gu.Path)
	}
	gu.RawQuery = "order_id=o&status=CHARGED&signature=s"
	rebuilt := gu.String()
	u, err := whatwg.Parse(rebuilt)
	if err != nil {
		return fmt.Errorf("a browser cannot resolve the rebuilt %q: %v", rebuilt, err)
	}
	if !whatwgWithin(u, prefixes) {
		return fmt.Errorf("rebuilt as %q, a browser goes to %s", rebuilt, u.Href(false))
	}
	return nil
}

// whatwgWithin reports whether u, as the WHATWG parser resolved it, has a
// prefix's origin and a path under the prefix's path, with no user info.
func whatwgWithin(u *whatwg.Url, prefixes []string) bool {
	if u.Username() != "" || u.Password() != "" {
		return false
	}
	for _, p := range prefixes {
		pu, err := whatwg.Parse(p)
		if err != nil {
			continue
		}
		// Host includes the port unless it is the scheme's default.
		if u.Protocol() == pu.Protocol() && u.Host() == pu.Host() && pathUnder(u.Pathname(), pu.Pathname()) {
			return true
		}
	}
	return false
}

// netURLWithin is whatwgWithin for net/url's reading, with the path
// decoded as a server would and refused if it then has dot or empty
// segments that the server would clean away.
func netURLWithin(u *url.URL, prefixes []string) bool {
	path := u.Path
	if path == "" {
		path = "/"
	}
	for _, seg := range strings.Split(path, "/")[1:] {
		if seg == "." || seg == ".." || strings.Contains(seg, "\\") {
			return false
		}
	}
	if strings.Contains(strings.TrimSuffix(path, "/"), "//") || u.User != nil {
		return false
	}
	for _, p := range prefixes {
		pu, err := url.Parse(p)
		if err != nil {
			continue
		}
		pp := pu.Path
		if pp == "" {
			pp = "/"
		}
		if strings.EqualFold(u.Scheme, pu.Scheme) && strings.EqualFold(u.Hostname(), pu.Hostname()) &&
			effectivePort(u) == effectivePort(pu) && pathUnder(path, pp) {
			return true
		}
	}
	return false
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// pathUnder reports whether path is prefix or continues it at a segment
// boundary.
func pathUnder(path, prefix string) bool {
	return prefix == "/" || path == prefix || strings.HasSuffix(prefix, "/") && strings.HasPrefix(path, prefix) ||
		strings.HasPrefix(path, prefix+"/")
}
