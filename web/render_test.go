package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func text(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}

func both(cs ...templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		for _, c := range cs {
			if err := c.Render(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
}

// serve renders the component that page makes on a server with the gzip
// middleware the real one has, and returns the decoded answer and the log.
func serve(t *testing.T, page func(s *Server, c echo.Context) templ.Component) (*http.Response, string, string) {
	t.Helper()
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	e := echo.New()
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 2048}))
	e.GET("/", func(c echo.Context) error { return s.render(c, http.StatusOK, page(s, c)) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		if body, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b), logs.String()
}

// A streamed part that fails after the page has started ends the document
// with its notice (and a log line), not half a part; what came before and
// after it is whole.
func TestStreamPartFailureEndsWithANotice(t *testing.T) {
	resp, body, logs := serve(t, func(s *Server, c echo.Context) templ.Component {
		part := s.streamPart(c, func() (templ.Component, error) {
			return both(text("<p>half a part"), templ.ComponentFunc(func(context.Context, io.Writer) error {
				return errors.New("broken method card")
			})), nil
		}, text(`<p data-testid="page-part-failed">notice</p>`))
		return both(text("<html><main><p>summary</p>"), part, text("</main></html>"))
	})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
	if want := `<html><main><p>summary</p><p data-testid="page-part-failed">notice</p></main></html>`; body != want {
		t.Errorf("body %q, want %q", body, want)
	}
	if !strings.Contains(logs, "broken method card") {
		t.Errorf("failure not logged: %q", logs)
	}
}

// A page that fails before anything was sent is still a clean error: no
// byte of it goes out, and the error handler answers.
func TestRenderFailureBeforeStreamingIsAnError(t *testing.T) {
	resp, body, _ := serve(t, func(s *Server, c echo.Context) templ.Component {
		return both(text("<html><p>summary"), templ.ComponentFunc(func(context.Context, io.Writer) error {
			return errors.New("broken summary")
		}))
	})
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "summary") {
		t.Errorf("%d %q", resp.StatusCode, body)
	}
}

// A part that renders goes out after the bytes before it, flushed first:
// the client has the summary before the part is even computed.
func TestStreamPartSendsWhatCameBefore(t *testing.T) {
	var sentFirst bool
	_, body, _ := serve(t, func(s *Server, c echo.Context) templ.Component {
		part := s.streamPart(c, func() (templ.Component, error) {
			// The response has begun: headers are out.
			sentFirst = c.Response().Committed
			return text("<p>methods</p>"), nil
		}, text("notice"))
		return both(text("<p>summary</p>"), part, text("<footer></footer>"))
	})
	if !sentFirst {
		t.Error("the part ran before the page was sent")
	}
	if body != "<p>summary</p><p>methods</p><footer></footer>" {
		t.Errorf("body %q", body)
	}
}
