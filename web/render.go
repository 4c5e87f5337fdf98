package web

import (
	"bytes"
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/static"
	"github.com/paypage/paypage/templates/layout"
)

// render writes a templ component through a buffer, so that a failed render
// becomes a clean error page instead of half a document.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	// Rendering is CPU only; it must also work for error pages written after
	// the request's context was cancelled or timed out.
	ctx := templ.WithNonce(context.WithoutCancel(c.Request().Context()), cspNonce(c))
	if err := comp.Render(ctx, &buf); err != nil {
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
