package web

import (
	"bytes"
	"context"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/static"
	"github.com/paypage/paypage/templates/layout"
)

// renderBufs keeps page buffers between requests: a page is a few tens of
// kilobytes, and growing a fresh buffer to that size on every view shows up
// in allocation profiles.
var renderBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf keeps an unusually large page from pinning its buffer.
const maxPooledBuf = 256 << 10

// render writes a templ component through a buffer, so that a failed render
// becomes a clean error page instead of half a document.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuf {
			renderBufs.Put(buf)
		}
	}()
	// Rendering is CPU only; it must also work for error pages written after
	// the request's context was cancelled or timed out.
	ctx := templ.WithNonce(context.WithoutCancel(c.Request().Context()), cspNonce(c))
	if err := comp.Render(ctx, buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// head returns the shell settings for a page titled title.
func (s *Server) head(title string) layout.Head {
	return layout.Head{Title: title + " · paypage", CSSURL: static.URL("app.css")}
}

// serveStatic serves fingerprinted assets as immutable.
func (s *Server) serveStatic(c echo.Context) error {
	a, ok := static.Lookup(c.Param("file"))
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, a.ContentType, a.Body)
}

// templComponent is a renderable page.
type templComponent = templ.Component
