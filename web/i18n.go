package web

import (
	"context"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/i18n"
	tplpay "github.com/paypage/paypage/templates/pay"
)

const (
	langParam   = "lang" // ?lang=hi: the shopper's choice from the switcher
	sessionLang = "lang" // the choice, remembered in the session cookie
	ctxLang     = "i18n.lang"
	ctxLangPick = "i18n.picked" // the shopper picked it: carry it on links
)

// useLanguage settles the language of this request and puts it in the
// request's context for the pages and the wording code. The shopper's own
// choice wins (?lang=, then the one remembered in the session), then the
// order's language from its session, then Accept-Language, then English.
// A choice made with ?lang= is remembered for the rest of the visit.
func (s *Server) useLanguage(c echo.Context, orderLang string) context.Context {
	if code, ok := c.Get(ctxLang).(string); ok && (orderLang == "" || c.Get(ctxLangPick) == true) {
		return i18n.WithLang(c.Request().Context(), code)
	}
	code, picked := s.pickedLanguage(c)
	if !picked {
		code = i18n.Pick(c.Request().Header.Get("Accept-Language"), orderLang)
	}
	c.Set(ctxLang, code)
	c.Set(ctxLangPick, picked)
	c.Response().Header().Add("Vary", "Accept-Language")
	r := c.Request()
	ctx := i18n.WithLang(r.Context(), code)
	c.SetRequest(r.WithContext(ctx))
	return ctx
}

// pickedLanguage is the shopper's own choice, if any: a valid ?lang= (then
// remembered in the session, when the browser keeps cookies) or the one
// the session remembers.
func (s *Server) pickedLanguage(c echo.Context) (string, bool) {
	q := c.QueryParam(langParam)
	if c.Request().Method == "POST" {
		q = c.Request().URL.Query().Get(langParam) // never the form body
	}
	sess, err := s.sessions.Get(c.Request(), sessionName)
	remembered := ""
	if err == nil {
		remembered, _ = sess.Values[sessionLang].(string)
	}
	if i18n.Valid(q) {
		if _, live := sess.Values[sessionCSRF].(string); q != remembered && err == nil && live {
			sess.Values[sessionLang] = q
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				s.log.WarnContext(c.Request().Context(), "remembering the shopper's language failed", "error", err)
			}
		}
		return q, true
	}
	if i18n.Valid(remembered) {
		return remembered, true
	}
	return "", false
}

// reqCtx is the request's context with its language settled.
func (s *Server) reqCtx(c echo.Context) context.Context { return s.useLanguage(c, "") }

// withLang adds the shopper's picked language to a page URL, so the choice
// survives a browser that drops cookies; the default choice adds nothing.
func withLang(c echo.Context, u string) string {
	code, _ := c.Get(ctxLang).(string)
	if picked, _ := c.Get(ctxLangPick).(bool); !picked || code == "" {
		return u
	}
	sep := "?"
	if parsed, err := url.Parse(u); err == nil && parsed.RawQuery != "" {
		sep = "&"
	}
	return u + sep + langParam + "=" + url.QueryEscape(code)
}

// languageLinks are the switcher's links: this page in each language.
func languageLinks(c echo.Context, page string) []tplpay.LanguageVM {
	current, _ := c.Get(ctxLang).(string)
	out := make([]tplpay.LanguageVM, 0, len(i18n.Languages))
	for _, l := range i18n.Languages {
		out = append(out, tplpay.LanguageVM{
			Code: l.Code, Name: l.Name, URL: page + "?" + langParam + "=" + l.Code, Current: l.Code == current,
		})
	}
	return out
}
