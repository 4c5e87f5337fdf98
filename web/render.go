package web

import (
	"bytes"
	"context"
	"io"
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

func getBuf() *bytes.Buffer {
	buf := renderBufs.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

func putBuf(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuf {
		renderBufs.Put(buf)
	}
}

// render writes a templ component through a buffer, so that a failed render
// becomes a clean error page instead of half a document.
//
// A streamPart in the page sends what is rendered before it at once: the
// status, the headers and the buffer go out then, and the rest is written
// as it is rendered. A failure before that point is still a clean error
// page; after it, the response has begun, so the error is logged and the
// document ends where it stopped (streamPart itself ends with a notice
// rather than half its part).
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := getBuf()
	defer putBuf(buf)
	// Rendering is CPU only; it must also work for error pages written after
	// the request's context was cancelled or timed out.
	w := &streamWriter{c: c, status: status, buf: buf}
	ctx := templ.WithNonce(context.WithoutCancel(c.Request().Context()), cspNonce(c))
	ctx = context.WithValue(ctx, streamKey{}, w)
	err := comp.Render(ctx, w)
	if w.started {
		if err != nil {
			s.log.ErrorContext(c.Request().Context(), "streamed page failed after its first part", "error", err, "request_id", requestID(c))
		}
		return nil
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// streamKey finds the render's streamWriter in the render context.
type streamKey struct{}

// streamWriter holds a page in its buffer until start; from then on it
// writes straight to the response.
type streamWriter struct {
	c       echo.Context
	status  int
	buf     *bytes.Buffer
	started bool
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if !w.started {
		return w.buf.Write(p)
	}
	return w.c.Response().Write(p)
}

// start sends the status, the headers and what is buffered, and pushes
// it to the network (through the gzip middleware's own flush).
func (w *streamWriter) start() error {
	if w.started {
		return nil
	}
	w.started = true
	r := w.c.Response()
	h := r.Header()
	h.Set("Cache-Control", "no-store")
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	r.WriteHeader(w.status)
	if _, err := r.Write(w.buf.Bytes()); err != nil {
		return err
	}
	r.Flush()
	return nil
}

// Flush is how templ's writer passes a flush on (templ.Flush, and the end
// of every render): it pushes bytes to the network only once the page has
// started; before that the bytes stay in the buffer.
func (w *streamWriter) Flush() {
	if w.started {
		w.c.Response().Flush()
	}
}

// streamPart is the part of a page that waits for something slow. It
// first sends everything rendered before it (the page starts: status,
// headers and those bytes go to the browser at once), then calls part and
// renders what it returns through a buffer of its own, so that a failure
// writes fallback (a short notice that ends the part cleanly) instead of
// half a part, and is logged. Rendered outside render, it just renders.
func (s *Server) streamPart(c echo.Context, part func() (templ.Component, error), fallback templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if sw, ok := ctx.Value(streamKey{}).(*streamWriter); ok {
			// templ's own buffer first hands what it holds to sw.
			if f, ok := w.(interface{ Flush() error }); ok {
				if err := f.Flush(); err != nil {
					return err
				}
			}
			if err := sw.start(); err != nil {
				return err
			}
		}
		buf := getBuf()
		defer putBuf(buf)
		comp, err := part()
		if err == nil {
			err = comp.Render(ctx, buf)
		}
		if err != nil {
			s.log.ErrorContext(c.Request().Context(), "payment page part failed; the page ends with a notice", "error", err, "request_id", requestID(c))
			return fallback.Render(ctx, w)
		}
		_, err = w.Write(buf.Bytes())
		return err
	})
}

// head returns the shell settings for a page titled title. The stylesheet
// goes inline, so the first paint needs nothing but the HTML.
func (s *Server) head(title string) layout.Head {
	return layout.Head{Title: title + " · paypage", CSS: static.Text("app.css")}
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
