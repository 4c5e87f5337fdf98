package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"
	"unicode/utf16"
)

// Param is one key/value of a signed return.
type Param struct{ Key, Value string }

// SignReturn computes Juspay's return-URL signature over params (which must
// not include signature or signature_algorithm, and must not repeat a key)
// exactly as Juspay's Java sample does: put the parameters in a TreeMap, so
// sorted by raw key in Java's String order, form-encode each key and value
// as java.net.URLEncoder does, join as k=v with &, encode the joined string
// once more, then HMAC-SHA256 with the merchant's response key, in
// standard base64.
func SignReturn(params []Param, responseKey string) string {
	sorted := append([]Param(nil), params...)
	sort.SliceStable(sorted, func(i, j int) bool { return javaLess(sorted[i].Key, sorted[j].Key) })
	enc := make([][2]string, len(sorted))
	for i, p := range sorted {
		enc[i] = [2]string{JavaURLEncode(p.Key), JavaURLEncode(p.Value)}
	}
	var b strings.Builder
	for i, kv := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv[0])
		b.WriteByte('=')
		b.WriteString(kv[1])
	}
	mac := hmac.New(sha256.New, []byte(responseKey))
	mac.Write([]byte(JavaURLEncode(b.String())))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// javaLess orders strings as Java's String.compareTo does: by UTF-16 code
// unit, which differs from Go's byte (code point) order for characters
// above U+FFFF against those from U+E000 to U+FFFF.
func javaLess(a, b string) bool {
	x, y := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return len(x) < len(y)
}

// JavaURLEncode encodes s as java.net.URLEncoder.encode(s, "UTF-8") does:
// letters, digits and * - . _ stay, a space becomes +, every other byte of
// the UTF-8 form becomes %XX in upper case. (Go's url.QueryEscape differs on
// ~ and *.)
func JavaURLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3 / 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
