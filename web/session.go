package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
)

const (
	sessionName = "paypage"
	sessionSID  = "sid"  // opaque shopper reference
	sessionCSRF = "csrf" // CSRF secret for this browser
	ctxCSRF     = "csrf_token"
	csrfField   = "csrf"
)

// newSessionStore returns the cookie store. The cookie is signed and
// encrypted with keys derived from the server's secret key, HttpOnly,
// SameSite=Lax (it must survive the top-level return from Amazon Pay) and
// Secure on https. It holds only an opaque id and the CSRF secret; order
// state lives in PostgreSQL.
func newSessionStore(baseURL, secret string) (sessions.Store, bool) {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("paypage cookie " + label))
		return m.Sum(nil)
	}
	store := sessions.NewCookieStore(derive("hash"), derive("block"))
	secure := strings.HasPrefix(baseURL, "https://")
	store.Options = &sessions.Options{
		Path: "/", MaxAge: 24 * 3600, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
	return store, secure
}

// withSession loads or starts the shopper session and checks the CSRF token
// on unsafe methods. A missing or undecodable cookie starts a new session.
func (s *Server) withSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := s.sessions.Get(c.Request(), sessionName)
		foreign := sealedElsewhere(err)
		secret, _ := sess.Values[sessionCSRF].(string)
		if secret == "" {
			sess.Values[sessionSID] = randomString(18)
			secret = randomString(32)
			sess.Values[sessionCSRF] = secret
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		c.Set(ctxCSRF, secret)
		withShopper(c)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			got := c.FormValue(csrfField)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
				if foreign {
					// Nothing else would tell the operator why every
					// Pay fails when instances disagree on the key.
					s.log.WarnContext(c.Request().Context(), "form refused: the session cookie was sealed with another PAYPAGE_SECRET_KEY: do all instances share one key?",
						"request_id", requestID(c), "method", c.Request().Method, "route", c.Path())
				} else if c.Path() == payPath && c.FormValue(payTokenField) != "" {
					// No cookie (or not the page's): the pay form's own
					// token, from a page of this site, may still pay.
					return s.withPayToken(c, next)
				}
				return s.formExpired(c)
			}
		}
		return next(c)
	}
}

// withPayToken lets a pay form through on its per-order token (see
// pay_token.go) when the request comes from paypage's own origin. A token
// for another order, forged or expired is refused as an expired form; a
// good token from another site is refused too, each with a way back to
// the payment page.
func (s *Server) withPayToken(c echo.Context, next echo.HandlerFunc) error {
	ctx := c.Request().Context()
	if !s.validPayToken(c.FormValue(payTokenField), c.Param("id")) {
		s.log.InfoContext(ctx, "pay form refused: no session and no valid pay token", "request_id", requestID(c))
		return s.formExpired(c)
	}
	if !s.sameOrigin(c.Request()) {
		s.log.WarnContext(ctx, "pay form refused: sent from another origin", "request_id", requestID(c),
			"origin", c.Request().Header.Get(echo.HeaderOrigin))
		return s.backToPage(c, http.StatusForbidden, "error.not_started.title", "error.not_started.heading", "error.not_started.message")
	}
	s.log.InfoContext(ctx, "pay form accepted by its pay token (no session cookie)", "request_id", requestID(c))
	return next(c)
}

// sealedElsewhere reports whether err, from loading the session, says that
// the cookie's signature does not verify: it was sealed with another secret
// key (or altered), as opposed to missing, expired or malformed.
func sealedElsewhere(err error) bool {
	var multi securecookie.MultiError
	if !errors.As(err, &multi) {
		return errors.Is(err, securecookie.ErrMacInvalid)
	}
	for _, e := range multi {
		if errors.Is(e, securecookie.ErrMacInvalid) {
			return true
		}
	}
	return false
}

// formExpired answers a form post whose CSRF token does not match the
// session. The shopper's way on is the payment page, which carries a fresh
// token (this request has already set a new session if it needed one).
func (s *Server) formExpired(c echo.Context) error {
	id := c.Param("id")
	if id == "" || !strings.HasPrefix(c.Path(), "/orders/:id/") {
		return echo.NewHTTPError(http.StatusForbidden, "the form has expired; reload the page and try again")
	}
	return s.backToPage(c, http.StatusForbidden, "error.form_expired.title", "error.form_expired.heading", "error.form_expired.message")
}

// csrfToken returns the token to put in forms for this request.
func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// withShopper tells the checkout who is at the browser, for Amazon's
// x-amz-user-ip and x-amz-user-agent headers.
func withShopper(c echo.Context) {
	r := c.Request()
	ctx := checkout.WithShopper(r.Context(), checkout.Shopper{IP: c.RealIP(), UserAgent: r.UserAgent()})
	c.SetRequest(r.WithContext(ctx))
}

// renewSessionID gives the browser a fresh opaque reference when a payment
// leaves paypage. Browsers keep even no-store pages in their back-forward
// cache but drop them when the site's cookies change, so back after paying
// asks the server (which shows the result) instead of restoring a page
// with a live Pay button, also in webviews without JavaScript.
func (s *Server) renewSessionID(c echo.Context) {
	sess, _ := s.sessions.Get(c.Request(), sessionName)
	if _, ok := sess.Values[sessionCSRF].(string); !ok {
		sess.Values[sessionCSRF] = randomString(32)
	}
	sess.Values[sessionSID] = randomString(18)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		s.log.WarnContext(c.Request().Context(), "renewing the shopper session failed", "error", err)
	}
}
