// Package static embeds paypage's CSS, scripts and images and gives each a
// fingerprinted URL (its content hash in the name) so that responses can be
// cached as immutable and a new release never serves a stale file.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"strings"
)

//go:embed *.css
var files embed.FS

// Prefix is the URL path under which assets are served.
const Prefix = "/static/"

// Asset is one embedded file ready to serve.
type Asset struct {
	Body        []byte
	ContentType string
}

var (
	byURL  = map[string]Asset{}  // "app.3f2a1b9c.css" -> asset
	byName = map[string]string{} // "app.css" -> "/static/app.3f2a1b9c.css"
)

func init() {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.Contains(e.Name(), ".") || strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		body, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		byURL[hashed] = Asset{Body: body, ContentType: mime.TypeByExtension(ext)}
		if ext == ".css" {
			inline[hashed] = strings.ReplaceAll(cssComment.ReplaceAllString(string(body), ""), "\n", "")
		}
		byName[e.Name()] = Prefix + hashed
	}
}

// URL returns the fingerprinted URL of the named asset, e.g.
// URL("app.css") = "/static/app.0123456789.css". It panics on an unknown
// name, which is a programming error caught by any test that renders a page.
func URL(name string) string {
	u, ok := byName[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return u
}

// Text returns the named asset's content, for a page that inlines it (the
// payment page's stylesheet, so that the first paint needs no second
// request). It panics on an unknown name, as URL does.
func Text(name string) string {
	u, ok := byName[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return inline[strings.TrimPrefix(u, Prefix)]
}

// cssComment matches a CSS comment, which an inlined stylesheet leaves out.
var cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

// inline holds each stylesheet as Text gives it: without its comments
// and line breaks, since every page view carries it.
var inline = map[string]string{}

// Lookup returns the asset served at the fingerprinted file name.
func Lookup(file string) (Asset, bool) {
	a, ok := byURL[file]
	return a, ok
}
