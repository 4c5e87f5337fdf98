package amazonpay

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Amazon's published error codes (reference §10).
const (
	CodeInvalidArguments      = "InvalidArguments"
	CodeInvalidMerchantID     = "InvalidMerchantId"
	CodeInvalidChargeID       = "InvalidChargeId"
	CodeInvalidRefundID       = "InvalidRefundId"
	CodeInvalidCallbackURL    = "InvalidCallbackUrl"
	CodeNonKYCAccount         = "NonKYCAccount"
	CodeInsufficientFunds     = "InsufficientFunds"
	CodeInsufficientLoadLimit = "InsufficientLoadLimit"
	CodeDuplicateChargeID     = "DuplicateChargeId"
	CodeDuplicateRefundID     = "DuplicateRefundId"
	CodeExcessRefundAmount    = "ExcessRefundAmount"
	CodeChargeNotApproved     = "ChargeNotApproved"
	CodeAuthorizationExpired  = "AuthorizationExpired"
	CodeAuthorizationFailed   = "AuthorizationFailed"
	CodeInvalidAccessToken    = "InvalidAccessToken"
	CodeInternalServerError   = "InternalServerError"
)

// Reason codes of a charge that failed at Amazon's 2FA step rather than by
// Amazon's credit decision.
const (
	ReasonOTPValidationFailed = "OTPValidationFailed" // wrong one-time password
	ReasonChargeTimedOut      = "ChargeTimedOut"      // 2FA not finished within timeoutInSecs
)

// Sentinel errors. Test with errors.Is.
var (
	// ErrLinkRevoked means Login with Amazon answered invalid_grant: the
	// code or refresh token is invalid, expired or revoked, so the customer
	// must link again.
	ErrLinkRevoked = errors.New("amazonpay: link revoked or grant invalid")
	// ErrSignature means a response's x-amz-signature was missing or wrong.
	// The outcome of the call is unknown; ask the status API.
	ErrSignature = errors.New("amazonpay: response signature mismatch")
	// ErrTransport means the request got no usable HTTP answer. The outcome
	// of the call is unknown.
	ErrTransport = errors.New("amazonpay: transport error")
)

// APIError is an error answer from the payments API.
type APIError struct {
	HTTPStatus int
	Code       string
	Message    string
	// Verified is true when the answer carried a valid x-amz-signature.
	// An unsigned error answer (from a proxy, a load balancer, a rate
	// limiter) says nothing trustworthy about the call.
	Verified bool
}

func (e *APIError) Error() string {
	return fmt.Sprintf("amazonpay: %d %s: %s", e.HTTPStatus, e.Code, e.Message)
}

// OAuthError is an error answer from the Login with Amazon token endpoint.
// An invalid_grant also matches ErrLinkRevoked.
type OAuthError struct {
	HTTPStatus  int
	Code        string // invalid_request, invalid_client, invalid_grant, unauthorized_client …
	Description string
}

func (e *OAuthError) Error() string {
	return fmt.Sprintf("amazonpay: lwa %d %s: %s", e.HTTPStatus, e.Code, e.Description)
}

// Is makes an invalid_grant match ErrLinkRevoked.
func (e *OAuthError) Is(target error) bool {
	return target == ErrLinkRevoked && e.Code == "invalid_grant"
}

// Code returns the Amazon error code in err, or "".
func Code(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsDuplicateChargeID reports an answer of DuplicateChargeId: the charge id
// was already used, so look it up with ChargeStatus, never charge again.
func IsDuplicateChargeID(err error) bool { return Code(err) == CodeDuplicateChargeID }

// IsDuplicateRefundID reports an answer of DuplicateRefundId.
func IsDuplicateRefundID(err error) bool { return Code(err) == CodeDuplicateRefundID }

// IsInvalidAccessToken reports a 403 InvalidAccessToken: the access token is
// expired, revoked or not valid for Amazon Pay Later.
func IsInvalidAccessToken(err error) bool { return Code(err) == CodeInvalidAccessToken }

// IsNotFound reports that Amazon does not know the charge or refund id.
func IsNotFound(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	return e.Code == CodeInvalidChargeID || e.Code == CodeInvalidRefundID ||
		e.Message == "Specified charge id does not exist." ||
		strings.HasPrefix(e.Message, "No charge found for")
}

// IsIndeterminate reports whether the call may or may not have taken effect
// at Amazon: a transport error, a timeout, a 5xx, or a response whose
// signature or body could not be trusted. Callers settle such outcomes with
// the status API later.
func IsIndeterminate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrTransport) || errors.Is(err, ErrSignature) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var e *APIError
	if errors.As(err, &e) {
		return e.HTTPStatus >= 500
	}
	return false
}
