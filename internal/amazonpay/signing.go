package amazonpay

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Signing constants from Amazon's AWS4-HMAC-SHA384 scheme.
const (
	Algorithm  = "AWS4-HMAC-SHA384"
	Region     = "eu-west-1"
	Service    = "AmazonPay"
	Terminator = "aws4_request"
	// DateFormat is the layout of the x-amz-date header.
	DateFormat = "20060102T150405Z"
)

// RequestHeaders are the seven x-amz-* headers that a request's canonical
// form covers, in sorted order. Authorization is never signed.
var RequestHeaders = []string{
	"x-amz-algorithm", "x-amz-client-id", "x-amz-date", "x-amz-expires",
	"x-amz-source", "x-amz-user-agent", "x-amz-user-ip",
}

// ResponseHeaders are the response headers that Amazon's response signature
// covers.
var ResponseHeaders = []string{"x-amz-algorithm", "x-amz-date", "x-amz-request-id"}

// Encoding is how the final HMAC bytes are written out. Amazon's pages are
// inconsistent; working integrations use Base64URL, the default.
type Encoding int

// The signature encodings.
const (
	Base64URL Encoding = iota // base64url without padding
	Base64Std                 // standard base64 with padding
	Hex                       // lowercase hex
)

// Encode percent-encodes s per RFC 3986: only A-Z a-z 0-9 - . _ ~ stay as
// they are; every other byte becomes %XX with upper-case hex.
func Encode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// Block formats parameters as encoded key=value pairs, sorted by encoded key
// and joined with "&". Empty values stay in as "key="; callers leave out
// null values by not putting them in the map.
func Block(params map[string]string) string {
	keys := make([]string, 0, len(params))
	encoded := make(map[string]string, len(params))
	for k, v := range params {
		ek := Encode(k)
		keys = append(keys, ek)
		encoded[ek] = Encode(v)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = k + "=" + encoded[k]
	}
	return strings.Join(pairs, "&")
}

// BodyParams reads a JSON object body into the parameters that its
// canonical block covers: top-level strings, numbers (as written) and
// booleans. Nulls, nested objects and arrays are left out. An empty body has
// no parameters.
func BodyParams(body []byte) (map[string]string, error) {
	params := map[string]string{}
	if len(bytes.TrimSpace(body)) == 0 {
		return params, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return nil, err
	}
	if fields == nil {
		return nil, errors.New("amazonpay: body is not a JSON object")
	}
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			params[k] = v
		case json.Number:
			params[k] = v.String()
		case bool:
			if v {
				params[k] = "true"
			} else {
				params[k] = "false"
			}
		}
	}
	return params, nil
}

// CanonicalRequest joins the method, host plus path (no scheme), query
// block, header block and body block with newlines.
func CanonicalRequest(method, hostPath string, query, headers, body map[string]string) string {
	return method + "\n" + hostPath + "\n" + Block(query) + "\n" + Block(headers) + "\n" + Block(body)
}

// CredentialScope is the credential scope for the day of amzDate.
func CredentialScope(amzDate string) string {
	return day(amzDate) + "/" + Region + "/" + Service + "/" + Terminator
}

// StringToSign builds the string that is signed for a canonical request or
// response made at amzDate.
func StringToSign(amzDate, canonical string) string {
	sum := sha512.Sum384([]byte(canonical))
	return Algorithm + "\n" + amzDate + "\n" + CredentialScope(amzDate) + "\n" + hex.EncodeToString(sum[:])
}

// SigningKey derives the day's key: HMAC-SHA384 folded over the day, region,
// service and terminator, starting from "AWS4" + secret. Keys are cached:
// they change once a day, and deriving one costs four HMACs on every
// signed request and response.
func SigningKey(secret, day string) []byte {
	ck := signingCacheKey{secret, day}
	signingKeys.Lock()
	key, ok := signingKeys.m[ck]
	signingKeys.Unlock()
	if ok {
		return key
	}
	key = deriveSigningKey(secret, day)
	signingKeys.Lock()
	if len(signingKeys.m) >= 64 { // a few keys, a few days: never grows
		clear(signingKeys.m)
	}
	signingKeys.m[ck] = key
	signingKeys.Unlock()
	return key
}

type signingCacheKey struct{ secret, day string }

var signingKeys = struct {
	sync.Mutex
	m map[signingCacheKey][]byte
}{m: map[signingCacheKey][]byte{}}

func deriveSigningKey(secret, day string) []byte {
	key := []byte("AWS4" + secret)
	for _, part := range []string{day, Region, Service, Terminator} {
		key = hmacSHA384(key, part)
	}
	return key
}

func hmacSHA384(key []byte, data string) []byte {
	m := hmac.New(sha512.New384, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func day(amzDate string) string {
	if len(amzDate) < 8 {
		return amzDate
	}
	return amzDate[:8]
}

// Signer signs and verifies canonical strings with one key pair.
type Signer struct {
	AccessKey string
	SecretKey string
	Encoding  Encoding
}

// Signature returns the encoded signature of canonical made at amzDate.
func (s Signer) Signature(amzDate, canonical string) string {
	mac := hmacSHA384(SigningKey(s.SecretKey, day(amzDate)), StringToSign(amzDate, canonical))
	switch s.Encoding {
	case Hex:
		return hex.EncodeToString(mac)
	case Base64Std:
		return base64.StdEncoding.EncodeToString(mac)
	default:
		return base64.RawURLEncoding.EncodeToString(mac)
	}
}

// Verify reports whether signature is the signature of canonical, in
// constant time.
func (s Signer) Verify(amzDate, canonical, signature string) bool {
	want := s.Signature(amzDate, canonical)
	return hmac.Equal([]byte(want), []byte(signature))
}

// Authorization is the Authorization header value for a signature.
func (s Signer) Authorization(signature string) string {
	return "AMZ " + s.AccessKey + ":" + signature
}

// ParseAuthorization splits an Authorization header of the form
// "AMZ <accessKey>:<signature>" or "AMZ+<accessKey>:<signature>".
func ParseAuthorization(h string) (accessKey, signature string, ok bool) {
	rest, found := strings.CutPrefix(h, "AMZ ")
	if !found {
		if rest, found = strings.CutPrefix(h, "AMZ+"); !found {
			return "", "", false
		}
	}
	accessKey, signature, ok = strings.Cut(rest, ":")
	if !ok || accessKey == "" || signature == "" {
		return "", "", false
	}
	return accessKey, signature, true
}

// FormatDate formats t as an x-amz-date value.
func FormatDate(t time.Time) string { return t.UTC().Format(DateFormat) }

// ParseDate reads an x-amz-date value.
func ParseDate(s string) (time.Time, error) { return time.Parse(DateFormat, s) }

// HeaderParams picks the named headers from h, with lower-case keys. A
// header that is absent is signed as an empty value.
func HeaderParams(h http.Header, names []string) map[string]string {
	params := make(map[string]string, len(names))
	for _, name := range names {
		params[name] = h.Get(name)
	}
	return params
}

// QueryParams reads a raw query string into parameters, keeping the first
// value of a repeated key.
func QueryParams(values map[string][]string) map[string]string {
	params := make(map[string]string, len(values))
	for k, v := range values {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	return params
}

// CanonicalHTTPRequest builds the canonical form of an incoming request,
// as a server verifying it sees it. body is the request body already read.
func CanonicalHTTPRequest(r *http.Request, body []byte) (string, error) {
	bodyParams, err := BodyParams(body)
	if err != nil {
		return "", err
	}
	return CanonicalRequest(r.Method, r.Host+r.URL.EscapedPath(), QueryParams(r.URL.Query()),
		HeaderParams(r.Header, RequestHeaders), bodyParams), nil
}

// CanonicalResponse builds the canonical form of a response to a request
// with the given method and host plus path: an empty query line, the
// response's signed headers and its JSON body fields.
func CanonicalResponse(method, hostPath string, h http.Header, body []byte) (string, error) {
	bodyParams, err := BodyParams(body)
	if err != nil {
		return "", err
	}
	return CanonicalRequest(method, hostPath, nil, HeaderParams(h, ResponseHeaders), bodyParams), nil
}
