package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
)

// maxClockSkew is how far in the future a request's x-amz-date may be.
const maxClockSkew = 5 * time.Minute

// maxExpires caps x-amz-expires, whatever the caller asks for.
const maxExpires = 3600

// apiError is an error answer in the {code, message} envelope.
type apiError struct {
	status  int
	code    string
	message string
}

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// internalError answers a request the simulator could not serve because
// its database failed; Amazon's answer to its own trouble.
func internalError() *apiError {
	return errorf(http.StatusInternalServerError, amazonpay.CodeInternalServerError, "Internal error. Retry later.")
}

func invalidArg(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, amazonpay.CodeInvalidArguments, format, args...)
}

// authenticate reads the request body and checks the signature headers the
// way Amazon does: a bad or missing signature is AuthorizationFailed, one
// outside its x-amz-expires window AuthorizationExpired. It returns the
// seller whose keys signed the request, or the Pay Later seller when none
// did, so that even an error answer is signed with the caller's keys where
// they are known.
func (s *Simulator) authenticate(r *http.Request) ([]byte, *seller, *apiError) {
	sel := s.payLater
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return nil, sel, invalidArg("The request body could not be read.")
	}
	failed := func(why string) *apiError {
		return errorf(http.StatusUnauthorized, amazonpay.CodeAuthorizationFailed, "The request signature is invalid: %s.", why)
	}
	key, sig, ok := amazonpay.ParseAuthorization(r.Header.Get("Authorization"))
	if !ok {
		return nil, sel, failed("missing or malformed Authorization header")
	}
	candidates := s.sellersWithKey(key)
	if len(candidates) == 0 {
		return nil, sel, failed("unknown access key")
	}
	sel = candidates[0]
	if r.Header.Get("x-amz-algorithm") != amazonpay.Algorithm {
		return nil, sel, failed("unsupported x-amz-algorithm")
	}
	amzDate := r.Header.Get("x-amz-date")
	signedAt, err := amazonpay.ParseDate(amzDate)
	if err != nil {
		return nil, sel, failed("malformed x-amz-date")
	}
	expires, err := strconv.Atoi(r.Header.Get("x-amz-expires"))
	if err != nil || expires <= 0 {
		return nil, sel, failed("malformed x-amz-expires")
	}
	canonical, err := amazonpay.CanonicalHTTPRequest(r, body)
	if err != nil {
		return nil, sel, invalidArg("The request body is not a JSON object.")
	}
	if sel = verifiedSeller(candidates, r.Header.Get("x-amz-client-id"), amzDate, canonical, sig); sel == nil {
		return nil, candidates[0], failed("signature mismatch")
	}
	now := s.now()
	if signedAt.After(now.Add(maxClockSkew)) ||
		now.After(signedAt.Add(time.Duration(min(expires, maxExpires))*time.Second)) {
		return nil, sel, errorf(http.StatusUnauthorized, amazonpay.CodeAuthorizationExpired,
			"The request signature has expired.")
	}
	if r.Header.Get("x-amz-client-id") != sel.merchantID {
		return nil, sel, errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist.")
	}
	return body, sel, nil
}

// verifiedSeller is the candidate whose secret key made sig, preferring
// the one whose seller id the request names in x-amz-client-id; nil if
// none made it.
func verifiedSeller(candidates []*seller, clientID, amzDate, canonical, sig string) *seller {
	var found *seller
	for _, c := range candidates {
		if c.signer.Verify(amzDate, canonical, sig) && (found == nil || c.merchantID == clientID) {
			found = c
		}
	}
	return found
}

// writeSigned writes v as a JSON answer signed the way Amazon signs
// responses, with sel's secret key.
func (s *Simulator) writeSigned(w http.ResponseWriter, r *http.Request, sel *seller, status int, v any) {
	payload, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("x-amz-algorithm", amazonpay.Algorithm)
	h.Set("x-amz-date", amazonpay.FormatDate(s.now()))
	h.Set("x-amz-request-id", requestID())
	canonical, err := amazonpay.CanonicalResponse(r.Method, r.Host+r.URL.EscapedPath(), h, payload)
	if err != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	h.Set("x-amz-signature", sel.signer.Signature(h.Get("x-amz-date"), canonical))
	w.WriteHeader(status)
	_, _ = w.Write(payload)
}

func (s *Simulator) writeError(w http.ResponseWriter, r *http.Request, sel *seller, e *apiError) {
	s.writeSigned(w, r, sel, e.status, map[string]string{"code": e.code, "message": e.message})
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// decodeBody reads a JSON object of string fields; numbers are kept as
// written.
func decodeBody(body []byte) (map[string]string, *apiError) {
	params, err := amazonpay.BodyParams(body)
	if err != nil {
		return nil, invalidArg("The request body is not a JSON object.")
	}
	return params, nil
}
