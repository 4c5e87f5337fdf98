package checkout

import (
	"errors"
	"net/url"
	"strings"
)

// parseStrictURL accepts only plain absolute http(s) URLs: no user info (as
// in https://shop.example@evil), no backslashes, spaces or control
// characters, no dot segments, and a host.
func parseStrictURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is required")
	}
	if len(raw) > 2048 {
		return nil, errors.New("must be at most 2048 characters")
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return nil, errors.New("must not contain spaces, backslashes or control characters")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("must be a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("must be an absolute http or https URL")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("must name a host")
	}
	if u.User != nil {
		return nil, errors.New("must not contain user info")
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if seg == "." || seg == ".." || strings.EqualFold(seg, "%2e") || strings.EqualFold(seg, "%2e%2e") {
			return nil, errors.New("must not contain . or .. path segments")
		}
	}
	return u, nil
}

// MatchesPrefix reports whether raw is a safe URL that starts with one of
// prefixes: the same scheme, host and port, and a path that continues the
// prefix's path at a segment boundary (unless the prefix ends in "/").
func MatchesPrefix(raw string, prefixes []string) bool {
	u, err := parseStrictURL(raw)
	if err != nil {
		return false
	}
	for _, p := range prefixes {
		pu, err := parsePrefix(p)
		if err != nil {
			continue
		}
		if !strings.EqualFold(u.Scheme, pu.Scheme) || !strings.EqualFold(u.Host, pu.Host) {
			continue
		}
		pp, up := pu.EscapedPath(), u.EscapedPath()
		if pp == "" || pp == "/" {
			return true
		}
		if up == pp || (strings.HasPrefix(up, pp) && (strings.HasSuffix(pp, "/") || up[len(pp)] == '/')) {
			return true
		}
	}
	return false
}
