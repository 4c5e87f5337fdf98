package checkout

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The checks on each part of a strict URL (see returnurl.go). They refuse
// every form that a WHATWG parser would rewrite into something else.

var (
	errIPv6Host = errors.New("must write an IPv6 host as a plain address in brackets, without a zone, such as [2001:db8::1]")
	errIPv4Host = errors.New("must write an IP address host as four decimal numbers from 0 to 255 without leading zeros, such as 192.0.2.1")
	errPort     = errors.New("must have a port from 1 to 65535 written without leading zeros, or none")
)

// checkHost returns the host in lower case. A host is an ASCII domain of
// letters, digits, "-", "_" and non-empty dot-separated labels, a dotted
// IPv4 address, or a bracketed IPv6 address.
func checkHost(h string) (string, error) {
	if h == "" {
		return "", errors.New("must name a host")
	}
	if h[0] == '[' {
		return checkIPv6(h)
	}
	h = strings.ToLower(h)
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c == '%':
			return "", errors.New("must not percent-encode the host")
		case !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'):
			return "", errors.New("must name a host of letters, digits, - and . only")
		}
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" {
			return "", errors.New("must not have an empty label or a trailing dot in the host")
		}
	}
	// A WHATWG parser reads a host whose last label is a number (decimal,
	// octal or 0x hex) as an IPv4 address, however it is written.
	if isNumberLabel(labels[len(labels)-1]) && !isDottedIPv4(labels) {
		return "", errIPv4Host
	}
	return h, nil
}

// isNumberLabel reports whether a WHATWG parser would read l as an IPv4
// number: all digits, or 0x followed by hex digits.
func isNumberLabel(l string) bool {
	if hex, ok := strings.CutPrefix(l, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return strings.Trim(l, "0123456789") == ""
}

// isDottedIPv4 reports whether labels are the canonical form of an IPv4
// address: four decimal numbers up to 255 without leading zeros.
func isDottedIPv4(labels []string) bool {
	if len(labels) != 4 {
		return false
	}
	for _, l := range labels {
		n, err := strconv.Atoi(l)
		if err != nil || n > 255 || strconv.Itoa(n) != l {
			return false
		}
	}
	return true
}

// checkIPv6 accepts a bracketed IPv6 address without a zone and returns it
// in lower case. Hosts are compared as written, so [2001:db8::1] and
// [2001:db8:0::1] are different hosts here even though a browser would
// treat them alike; that only ever refuses.
func checkIPv6(h string) (string, error) {
	inner, ok := strings.CutSuffix(h[1:], "]")
	if !ok || strings.Trim(inner, "0123456789abcdefABCDEF:.") != "" {
		return "", errIPv6Host
	}
	a, err := netip.ParseAddr(inner)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", errIPv6Host
	}
	return strings.ToLower(h), nil
}

// checkPort returns the effective port: the written one, or the scheme's
// default when none is written. A browser drops a default port, so
// https://h:443 and https://h are the same origin.
func checkPort(port string, hasPort bool, scheme string) (int, error) {
	def := 80
	if scheme == "https" {
		def = 443
	}
	if !hasPort {
		return def, nil
	}
	if port == "" || len(port) > 5 || port[0] == '0' || strings.Trim(port, "0123456789") != "" {
		return 0, errPort
	}
	n, _ := strconv.Atoi(port)
	if n > 65535 {
		return 0, errPort
	}
	return n, nil
}

// checkPath accepts an empty path or one of RFC 3986 path characters and
// %XX escapes, with no dot segments (also as "..;x", which some servers
// read as ".."), no empty segments and no escaped dots, slashes,
// backslashes or control characters, so that a browser, net/url and the
// merchant's server all see the same segments.
func checkPath(p string) error {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '%' {
			if !isPathChar(c) {
				return fmt.Errorf("must percent-encode %q in the path", c)
			}
			continue
		}
		if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
			return errors.New("must write % in the path only as part of a %XX escape")
		}
		b, _ := strconv.ParseUint(p[i+1:i+3], 16, 8)
		switch {
		case b == '.' || b == '/' || b == '\\':
			return errors.New("must not percent-encode dots, slashes or backslashes in the path")
		case b < 0x20 || b == 0x7f:
			return errors.New("must not percent-encode control characters in the path")
		}
		i += 2
	}
	if p == "" {
		return nil
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		name, _, _ := strings.Cut(seg, ";")
		if name == "." || name == ".." {
			return errors.New("must not contain . or .. path segments")
		}
		if seg == "" && i < len(segs)-1 {
			return errors.New("must not contain an empty path segment (//)")
		}
	}
	return nil
}

func isPathChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
