package demoshop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"
)

// Names of the return parameters that carry the signature itself and are
// therefore left out of what is signed.
const (
	paramSignature          = "signature"
	paramSignatureAlgorithm = "signature_algorithm"
)

// formEncode percent-encodes s exactly like Java's
// URLEncoder.encode(s, "UTF-8"), which Juspay's reference code uses. It
// differs from url.QueryEscape on '*' (kept by Java) and '~' (escaped by
// Java), so the standard library cannot be used here.
func formEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0x0f])
		}
	}
	return b.String()
}

// JuspaySignature computes the return-URL signature as Juspay documents it:
// every parameter except signature and signature_algorithm, sorted by raw
// key as the Java sample's TreeMap sorts them (String.compareTo, by UTF-16
// code unit), each key and value form-encoded, joined as k=v with '&', the
// whole string form-encoded again, then HMAC-SHA256 with the response key
// and standard base64.
func JuspaySignature(params map[string]string, key string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != paramSignature && k != paramSignatureAlgorithm {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return slices.Compare(utf16.Encode([]rune(keys[i])), utf16.Encode([]rune(keys[j]))) < 0
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = formEncode(k) + "=" + formEncode(params[k])
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(formEncode(strings.Join(parts, "&"))))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyJuspaySignature reports whether received is the signature of params
// under key. received may still be percent-encoded once or more, and may
// have had its '+' turned into spaces by a form decoder; both are undone
// first, as the reference recommends. signature and signature_algorithm
// entries in params are ignored.
func VerifyJuspaySignature(params map[string]string, key, received string) bool {
	got, ok := normalizeReceivedSignature(received)
	if !ok || got == "" {
		return false
	}
	want := JuspaySignature(params, key)
	return hmac.Equal([]byte(got), []byte(want))
}

// normalizeReceivedSignature undoes the encodings a signature may have
// picked up on its way through a URL. Docs disagree on whether it is
// encoded once or twice, so it is decoded until no '%' is left. PathUnescape
// is used because after the first layer a '+' is a literal base64 '+'.
func normalizeReceivedSignature(s string) (string, bool) {
	for i := 0; strings.Contains(s, "%"); i++ {
		if i == 5 {
			return "", false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "", false
		}
		s = d
	}
	return strings.ReplaceAll(s, " ", "+"), true
}
