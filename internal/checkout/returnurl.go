package checkout

import (
	"errors"
	"net/url"
	"strings"
)

// Return and webhook URLs are read by more than one parser: the shopper's
// browser resolves the return URL from a Location header or a form action
// with the WHATWG URL rules, net/url rebuilds it and delivers webhooks, and
// the merchant's server reads the path again. A URL is accepted only in a
// form that all of them read the same way, so that comparing it with a
// registered prefix as text is enough. Anything a browser would quietly
// rewrite is refused rather than normalised: tabs and newlines (which
// WHATWG strips), backslashes (which it reads as slashes), user info, dot
// segments in any encoding, encoded slashes, hosts that are not plain ASCII
// (international names must be registered and sent in their xn-- form),
// and numeric hosts other than a dotted IPv4 address (WHATWG reads
// 0x7f.1 and 2130706433 as 127.0.0.1).

// errOutsidePrefixes is returned for a well-formed URL that no registered
// prefix covers; callers word it for their own field.
var errOutsidePrefixes = errors.New("is not under a registered prefix")

// strictURL is an accepted URL, split into the parts prefix matching
// compares. Each part is what a WHATWG parser would produce from it.
type strictURL struct {
	scheme      string // "http" or "https"
	host        string // lower case: a domain, a dotted IPv4 address or a bracketed IPv6 address
	port        int    // the effective port: the scheme's default when none is written
	path        string // as written, and "/" when nothing is written
	hasQuery    bool
	hasFragment bool
}

// parseStrictURL accepts only plain absolute http(s) URLs that every parser
// splits the same way, and says in a few words what is wrong otherwise.
func parseStrictURL(raw string) (strictURL, error) {
	if raw == "" {
		return strictURL{}, errors.New("is required")
	}
	if len(raw) > 2048 {
		return strictURL{}, errors.New("must be at most 2048 characters")
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c >= 0x80:
			return strictURL{}, errors.New("must be ASCII: percent-encode other characters and write international domain names in their xn-- form")
		case c <= ' ' || c == 0x7f || c == '\\':
			return strictURL{}, errors.New("must not contain spaces, backslashes or control characters")
		}
	}
	scheme, rest, _ := strings.Cut(raw, ":")
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" || !strings.HasPrefix(rest, "//") {
		return strictURL{}, errors.New("must be an absolute http or https URL")
	}
	rest = rest[len("//"):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	end = strings.IndexAny(rest, "?#")
	if end < 0 {
		end = len(rest)
	}
	path, rest := rest[:end], rest[end:]
	query, _, hasFragment := strings.Cut(rest, "#")

	s := strictURL{scheme: scheme, path: path, hasQuery: query != "", hasFragment: hasFragment}
	hostname, port, hasPort, err := splitAuthority(authority)
	if err != nil {
		return strictURL{}, err
	}
	if s.host, err = checkHost(hostname); err != nil {
		return strictURL{}, err
	}
	if s.port, err = checkPort(port, hasPort, scheme); err != nil {
		return strictURL{}, err
	}
	if err := checkPath(path); err != nil {
		return strictURL{}, err
	}
	if s.path == "" {
		s.path = "/"
	}

	// net/url must see the same parts, since it rebuilds the return URL and
	// delivers webhooks.
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != scheme || u.Opaque != "" || u.User != nil ||
		!strings.EqualFold(u.Hostname(), strings.Trim(hostname, "[]")) || u.Port() != port ||
		u.EscapedPath() != path || u.RawQuery != strings.TrimPrefix(query, "?") {
		return strictURL{}, errors.New("must be a valid URL")
	}
	return s, nil
}

// splitAuthority splits host[:port], refusing user info. hasPort is set
// when a colon introduces a port, even an empty one.
func splitAuthority(a string) (host, port string, hasPort bool, err error) {
	if strings.Contains(a, "@") {
		return "", "", false, errors.New("must not contain user info")
	}
	i := strings.LastIndexByte(a, ':')
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 || end+1 < len(a) && a[end+1] != ':' {
			return "", "", false, errIPv6Host
		}
		if i < end {
			return a, "", false, nil
		}
	}
	if i < 0 {
		return a, "", false, nil
	}
	return a[:i], a[i+1:], true, nil
}

// within reports whether s has p's origin and a path inside p's path: the
// same path, or one that continues it at a segment boundary (any path when
// p's ends in "/").
func (s strictURL) within(p strictURL) bool {
	if s.scheme != p.scheme || s.host != p.host || s.port != p.port {
		return false
	}
	if s.path == p.path || strings.HasSuffix(p.path, "/") && strings.HasPrefix(s.path, p.path) {
		return true
	}
	return strings.HasPrefix(s.path, p.path+"/")
}

// checkPrefixes returns nil if raw is a strict URL under one of prefixes,
// the reason it is malformed, or errOutsidePrefixes. Prefixes that no
// longer pass parsePrefix cover nothing.
func checkPrefixes(raw string, prefixes []string) error {
	s, err := parseStrictURL(raw)
	if err != nil {
		return err
	}
	for _, p := range prefixes {
		if ps, err := parsePrefix(p); err == nil && s.within(ps) {
			return nil
		}
	}
	return errOutsidePrefixes
}

// MatchesPrefix reports whether raw is a strict URL that a browser would
// resolve to one of prefixes: the same scheme, host and effective port
// (https://h:443 is https://h), and a path that continues the prefix's path
// at a segment boundary (unless the prefix ends in "/").
func MatchesPrefix(raw string, prefixes []string) bool {
	return checkPrefixes(raw, prefixes) == nil
}
