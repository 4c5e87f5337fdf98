package web

import (
	"encoding/base64"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
)

const ctxMerchant = "merchant"

// merchantAuth checks HTTP Basic (the API key as user name, an empty
// password) and the x-merchantid header, which must name the key's
// merchant. The version header or query parameter and x-routing-id that
// Juspay clients send carry nothing paypage needs and are ignored.
//
// Failures are throttled per client address (see authThrottle). While an
// address is throttled every request from it gets a 429, with a valid key
// too: answering a right guess differently would let guessing go on.
func (s *Server) merchantAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ip := c.RealIP()
		if wait := s.authThrottle.wait(ip); wait > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			return echo.NewHTTPError(http.StatusTooManyRequests,
				"too many failed authentications from this address; retry after the seconds in the Retry-After header")
		}
		m, err := s.authenticate(c)
		if errs.Is(err, errs.Unauthorized) && s.authThrottle.fail(ip) {
			s.log.WarnContext(c.Request().Context(), "merchant API authentication throttled",
				"client_ip", ip, "request_id", requestID(c))
		}
		if err != nil {
			return err
		}
		c.Set(ctxMerchant, m)
		return next(c)
	}
}

func (s *Server) authenticate(c echo.Context) (checkout.Merchant, error) {
	key, err := apiKey(c.Request())
	if err != nil {
		return checkout.Merchant{}, err
	}
	mid := c.Request().Header.Get("x-merchantid")
	if mid == "" {
		return checkout.Merchant{}, errs.E(errs.Unauthorized, "access_denied", "missing x-merchantid header")
	}
	return s.svc.Authenticate(c.Request().Context(), mid, key)
}

// apiKey reads the API key from an Authorization: Basic header. Most HTTP
// clients encode "key:" (user name and empty password); Juspay's own SDKs
// encode the bare key with no colon. Both are accepted. A password is
// refused rather than ignored: Juspay has none, and one usually means the
// key was put in the wrong half.
func apiKey(r *http.Request) (string, error) {
	scheme, cred, _ := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", errs.E(errs.Unauthorized, "access_denied", "missing HTTP Basic authorization with the API key as user name")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", errs.E(errs.Unauthorized, "access_denied", "HTTP Basic credentials must be base64 of the API key, or of the API key and a colon")
	}
	key, password, _ := strings.Cut(string(raw), ":")
	switch {
	case password != "":
		return "", errs.E(errs.Unauthorized, "access_denied", "the HTTP Basic password must be empty; send the API key as the user name")
	case key == "":
		return "", errs.E(errs.Unauthorized, "access_denied", "missing API key in HTTP Basic authorization")
	}
	return key, nil
}

func merchantFrom(c echo.Context) checkout.Merchant {
	m, _ := c.Get(ctxMerchant).(checkout.Merchant)
	return m
}
