package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// payTokenField is the pay form's field that carries the per-order token.
const payTokenField = "pay_token"

// payTokenLifetime bounds a token when its order has no expiry to go by.
const payTokenLifetime = time.Hour

// The pay form token lets a browser that blocks or drops the session
// cookie (many in-app webviews do) still press Pay. It is an HMAC, under a
// key derived from PAYPAGE_SECRET_KEY, over the order id, the page render's
// random nonce and an expiry (the order's own), so it is good for one
// order only and for a bounded time, and cannot be made without the key.
//
// It authorises one thing: POST /orders/{id}/pay for its order, which
// starts that order's attempt or joins the one in flight (never a second
// charge). Replaying it does no more than pressing Pay on the page again,
// which anyone holding the payment link can do. What stops another site
// from making a shopper's browser post it is the Origin check that goes
// with it (sameOrigin): a form token alone is never enough.

// payTokenKey is the HMAC key for pay tokens, apart from the cookie keys.
func (s *Server) payTokenKey() []byte {
	m := hmac.New(sha256.New, []byte(s.opts.SecretKey))
	m.Write([]byte("paypage pay form token"))
	return m.Sum(nil)
}

func (s *Server) payTokenMAC(orderID, exp, nonce string) string {
	m := hmac.New(sha256.New, s.payTokenKey())
	m.Write([]byte(orderID + "\n" + exp + "\n" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// payToken returns a fresh form token for order orderID, good until
// expires (or payTokenLifetime from now when expires is zero).
func (s *Server) payToken(orderID string, expires time.Time) string {
	if expires.IsZero() {
		expires = s.svc.Now().Add(payTokenLifetime)
	}
	exp := strconv.FormatInt(expires.Unix(), 10)
	nonce := randomString(12)
	return exp + "." + nonce + "." + s.payTokenMAC(orderID, exp, nonce)
}

// validPayToken reports whether tok was made by payToken for orderID and
// has not expired.
func (s *Server) validPayToken(tok, orderID string) bool {
	exp, rest, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	nonce, mac, ok := strings.Cut(rest, ".")
	if !ok || nonce == "" || orderID == "" {
		return false
	}
	want := s.payTokenMAC(orderID, exp, nonce)
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return false
	}
	until, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && s.svc.Now().Unix() < until
}

// sameOrigin reports whether r was sent from a page of paypage's own
// origin (PAYPAGE_BASE_URL's): by its Origin header or, when a browser
// sent none, by its Referer. Neither, "null" or another origin is not.
func (s *Server) sameOrigin(r *http.Request) bool {
	own := originOf(s.opts.BaseURL)
	if own == "" {
		return false
	}
	from := r.Header.Get(echo.HeaderOrigin)
	if from == "" {
		from = originOf(r.Referer())
	} else {
		from = originOf(from)
	}
	return from != "" && from == own
}

// originOf is the scheme://host[:port] of an absolute http(s) URL, lower
// case, or "" for anything else.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := strings.ToLower(u.Host)
	if u.Scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	return u.Scheme + "://" + host
}
