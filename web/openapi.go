package web

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

const routeOpenAPI = "openapi"

// openAPIDocument is the OpenAPI 3.1 document of the merchant API: the one
// source of truth for the API's shape. The tests check every API answer
// against it (internal/apptest), so the document and the server cannot
// drift apart.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIETag changes with the document, so caches revalidate cheaply.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDocument)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// OpenAPI returns a copy of the embedded OpenAPI document.
func OpenAPI() []byte { return bytes.Clone(openAPIDocument) }

// serveOpenAPI handles GET /openapi.json: public, no credentials, cacheable.
func (s *Server) serveOpenAPI(c echo.Context) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", openAPIETag)
	http.ServeContent(c.Response(), c.Request(), "openapi.json", time.Time{}, bytes.NewReader(openAPIDocument))
	return nil
}
