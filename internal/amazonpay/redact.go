package amazonpay

import (
	"errors"
	"net/url"
	"strings"
)

// secretParams are query parameters whose values must not reach a log: the
// shopper's Amazon tokens, the LWA authorization code and client secret,
// and the request signature.
var secretParams = []string{"accesstoken", "access_token", "refreshtoken", "refresh_token", "code", "client_secret", "signature"}

// redactTransport returns err with the request URL's secret query values
// replaced, for the *url.Error an http.Client returns: its text carries the
// full URL, which for Get Instruments and Balance includes the shopper's
// accessToken. The wrapped cause (a timeout, a refused connection) stays
// reachable for errors.Is and errors.As.
func redactTransport(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
}

// RedactURL replaces the values of secret query parameters in raw with
// "REDACTED"; a URL that does not parse is dropped to its path.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexAny(raw, "?#"); i >= 0 {
			return raw[:i] + "?REDACTED"
		}
		return raw
	}
	if u.RawQuery == "" {
		return raw
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		u.RawQuery = "REDACTED"
		return u.String()
	}
	for k := range q {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				q[k] = []string{"REDACTED"}
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
