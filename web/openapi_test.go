package web_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

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
