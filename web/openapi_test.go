package web_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paypage/paypage/internal/apptest"
	"github.com/paypage/paypage/web"
)

// TestOpenAPIDocumentIsServed: GET /openapi.json answers the embedded
// document without credentials, as cacheable JSON, and revalidates by ETag.
func TestOpenAPIDocumentIsServed(t *testing.T) {
	t.Parallel()
	ts := failingServer(t, nil, nil)
	resp, err := http.Get(ts.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !bytes.Equal(body, web.OpenAPI()) {
		t.Errorf("served %d bytes, not the embedded document (%d bytes)", len(body), len(web.OpenAPI()))
	}
	etag := resp.Header.Get("ETag")
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") || etag == "" {
		t.Errorf("Cache-Control %q, ETag %q: want a public max-age and an ETag", cc, etag)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match the ETag: %d, want 304", resp.StatusCode)
	}
}

// TestOpenAPIDocumentCoversTheAPIRoutes: the document is a valid OpenAPI
// 3.1 document, and every merchant API route (route names starting with
// "api.") has its path and method in it.
func TestOpenAPIDocumentCoversTheAPIRoutes(t *testing.T) {
	t.Parallel()
	doc, err := apptest.LoadOpenAPI(web.OpenAPI())
	if err != nil {
		t.Fatalf("web/openapi.json: %v", err)
	}
	var templates []string
	for tmpl := range doc.Paths.PathItems.KeysFromOldest() {
		templates = append(templates, tmpl)
	}
	srv := web.NewServer(web.Options{BaseURL: "http://paypage.test", SecretKey: "test-secret-key-0123456789abcdef0123456789"})
	n := 0
	for _, r := range srv.Echo().Routes() {
		if !strings.HasPrefix(r.Name, "api.") {
			continue
		}
		n++
		tmpl := documented(templates, r.Path)
		if tmpl == "" {
			t.Errorf("route %s (%s %s) has no path in the document (paths: %v)", r.Name, r.Method, r.Path, templates)
			continue
		}
		if doc.Paths.PathItems.GetOrZero(tmpl).GetOperations().GetOrZero(strings.ToLower(r.Method)) == nil {
			t.Errorf("route %s: the document has no %s %s", r.Name, r.Method, tmpl)
		}
	}
	if n < 3 {
		t.Errorf("found %d API routes; the route names no longer start with \"api.\"?", n)
	}
}

// documented returns the document's path template for an Echo route path
// (/orders/:id matches /orders/{order_id}), or "".
func documented(templates []string, route string) string {
	rs := strings.Split(route, "/")
next:
	for _, tmpl := range templates {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(rs) {
			continue
		}
		for i := range ts {
			param := strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}")
			if param != strings.HasPrefix(rs[i], ":") || (!param && ts[i] != rs[i]) {
				continue next
			}
		}
		return tmpl
	}
	return ""
}
