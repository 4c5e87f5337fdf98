package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"
)

// Param is one key/value of a signed return.
type Param struct{ Key, Value string }

// SignReturn computes Juspay's return-URL signature over params (which must
// not include signature or signature_algorithm): form-encode each key and
// value as Java's URLEncoder does, sort by encoded key, join as k=v with &,
// encode the joined string once more, then HMAC-SHA256 with the merchant's
// response key, in standard base64.
func SignReturn(params []Param, responseKey string) string {
	enc := make([][2]string, len(params))
	for i, p := range params {
		enc[i] = [2]string{JavaURLEncode(p.Key), JavaURLEncode(p.Value)}
	}
	sort.SliceStable(enc, func(i, j int) bool { return enc[i][0] < enc[j][0] })
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
