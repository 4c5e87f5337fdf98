package web

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// compressMinSize is the smallest response worth compressing: under two
// packets the saving is lost in the headers.
const compressMinSize = 2048

// compressed gzips HTML, CSS and JSON for phones on slow networks, with
// klauspost/compress's gzhttp at its stateless level: each write is
// compressed on its own and no compressor state is kept between them or
// between requests. A page goes out in one or two large writes (render
// buffers it, see render), so the size is that of gzip's fastest level,
// while a pooled stateful compressor would hold about a megabyte per
// response in flight and, freed at every collection, be allocated again.
// Zstandard is not offered: its encoders are larger still. The simulator's
// API and token endpoint (server-to-server on loopback) and logos
// (compressed already) pass through as they are.
func compressed() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.CompressionLevel(gzip.StatelessCompression),
		gzhttp.MinSize(compressMinSize),
		gzhttp.EnableZstd(false),
	)
	if err != nil {
		panic(err) // the options are constants
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p := c.Request().URL.Path
			if simulatorAPICall(p) || strings.HasPrefix(p, "/brand/") {
				return next(c)
			}
			res := c.Response()
			orig := res.Writer
			defer func() { res.Writer = orig }()
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				// The error page must be written while the compressing
				// writer is still open: it is closed when this returns.
				if err := next(c); err != nil {
					c.Error(err)
				}
			})).ServeHTTP(orig, c.Request())
			return nil
		}
	}
}
