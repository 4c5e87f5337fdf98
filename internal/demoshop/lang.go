package demoshop

import (
	"context"
	"net/http"
	"net/url"

	"github.com/paypage/paypage/internal/i18n"
)

// langParam names the shop's language in its own URLs (?lang=hi) and in
// the return URL it gives paypage, so the result page speaks it too.
const langParam = "lang"

type pickedKey struct{}

// withLanguage returns r in the shop's language: pick (the cart's
// "Payment page language" choice, or the lang of a return) when it is one
// of i18n.Languages, else ?lang=, else Accept-Language, else English. A
// picked language is kept for the shop's links.
func withLanguage(r *http.Request, pick string) *http.Request {
	if !i18n.Valid(pick) {
		pick = r.URL.Query().Get(langParam)
	}
	ctx := r.Context()
	if i18n.Valid(pick) {
		ctx = context.WithValue(ctx, pickedKey{}, pick)
	}
	return r.WithContext(i18n.WithLang(ctx, i18n.Pick(r.Header.Get("Accept-Language"), pick)))
}

// pickedLang is the language someone chose for the shop, or "" when it
// follows the browser.
func pickedLang(ctx context.Context) string {
	code, _ := ctx.Value(pickedKey{}).(string)
	return code
}

// shopURL is a shop path with q, and the picked language when there is one.
func shopURL(ctx context.Context, path string, q url.Values) string {
	if code := pickedLang(ctx); code != "" {
		if q == nil {
			q = url.Values{}
		}
		q.Set(langParam, code)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
