// Package amazonpay is a client for Amazon Pay India's tokenised "Link & Pay"
// API with Amazon Pay Later: account linking through Login with Amazon
// (LWA), instruments and pre-link eligibility, direct-debit charges,
// refunds and their status calls, all signed with Amazon's AWS4-HMAC-SHA384
// scheme. It only translates between the wire format and Go types; what an
// outcome means for an order is the checkout package's business.
//
// URLs compose from two roots, so that moving from the built-in simulator to
// Amazon's sandbox or production is a configuration change only:
//
//	BaseURL + "/v1/payments/instruments"   GET   instruments and credit
//	BaseURL + "/v1/payments/eligibility"   POST  pre-link eligibility
//	BaseURL + "/v1/payments/charge"        POST  charge; GET charge status
//	BaseURL + "/v1/payments/refund"        POST  refund; GET refund status
//	LWAURL  + "/ap/oa"                     the consent page (or AuthorizeURL)
//	LWAURL  + "/auth/o2/token"             the token endpoint
//
// For example BaseURL "https://amazonpay-sandbox.amazon.in" and LWAURL
// "https://api.amazon.co.uk" for Amazon's sandbox, or BaseURL
// "http://localhost:8080/sandbox/amazonpay" and LWAURL
// "http://localhost:8080/sandbox/amazonpay/lwa" for the simulator.
package amazonpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config holds the endpoints and credentials of one Amazon Pay merchant.
type Config struct {
	BaseURL      string // API root; /v1/payments/... is appended
	LWAURL       string // Login with Amazon root; /ap/oa and /auth/o2/token are appended
	MerchantID   string // the Amazon Pay Later seller id
	AccessKey    string
	SecretKey    string
	ClientID     string // LWA client id
	ClientSecret string // LWA client secret

	// AuthorizeURL, if set, is the full consent page URL and overrides
	// LWAURL + "/ap/oa" (Amazon serves consent and tokens on different hosts).
	AuthorizeURL string
	// Source is the x-amz-source header; "Server" if empty.
	Source string
	// SignatureEncoding is how signatures are written; base64url by default.
	SignatureEncoding Encoding

	HTTPClient *http.Client
	Now        func() time.Time
}

// Client calls Amazon Pay India. It is safe for concurrent use.
type Client struct {
	cfg    Config
	signer Signer
}

// signatureTTL is the x-amz-expires value sent with every request.
const signatureTTL = "900"

// maxBody caps how much of a response the client reads.
const maxBody = 1 << 20

// New returns a client for cfg.
func New(cfg Config) *Client {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Source == "" {
		cfg.Source = "Server"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.LWAURL = strings.TrimRight(cfg.LWAURL, "/")
	return &Client{cfg: cfg, signer: Signer{
		AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, Encoding: cfg.SignatureEncoding,
	}}
}

type shopperKey struct{}

type shopper struct{ ip, userAgent string }

// WithShopper returns a context whose calls carry the shopper's IP address
// and user agent in the signed x-amz-user-ip and x-amz-user-agent headers.
func WithShopper(ctx context.Context, ip, userAgent string) context.Context {
	return context.WithValue(ctx, shopperKey{}, shopper{ip: ip, userAgent: userAgent})
}

// do sends one signed API request and decodes a verified 2xx answer into
// out. query may be nil; body, if not nil, is sent as JSON.
func (c *Client) do(ctx context.Context, method, path string, query map[string]string, body, out any) error {
	u, err := url.Parse(c.cfg.BaseURL + path)
	if err != nil {
		return fmt.Errorf("amazonpay: base URL: %w", err)
	}
	u.RawQuery = Block(query)
	var payload []byte
	if body != nil {
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("amazonpay: encode request: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("amazonpay: %w", err)
	}
	if err := c.sign(req, u, query, payload); err != nil {
		return err
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTransport, redactTransport(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%w: reading response: %w", ErrTransport, err)
	}
	signed, err := c.verify(method, u, resp, raw)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return decodeAPIError(resp.StatusCode, raw, signed)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%w: decoding response: %w", ErrTransport, err)
	}
	return nil
}

// sign adds the x-amz-* headers and the Authorization header to req.
func (c *Client) sign(req *http.Request, u *url.URL, query map[string]string, payload []byte) error {
	who, _ := req.Context().Value(shopperKey{}).(shopper)
	if who.userAgent == "" {
		who.userAgent = "paypage"
	}
	headers := map[string]string{
		"x-amz-algorithm":  Algorithm,
		"x-amz-client-id":  c.cfg.MerchantID,
		"x-amz-date":       FormatDate(c.cfg.Now()),
		"x-amz-expires":    signatureTTL,
		"x-amz-source":     c.cfg.Source,
		"x-amz-user-agent": who.userAgent,
		"x-amz-user-ip":    who.ip,
	}
	bodyParams, err := BodyParams(payload)
	if err != nil {
		return fmt.Errorf("amazonpay: %w", err)
	}
	canonical := CanonicalRequest(req.Method, u.Host+u.EscapedPath(), query, headers, bodyParams)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", c.signer.Authorization(c.signer.Signature(headers["x-amz-date"], canonical)))
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return nil
}

// verify checks the response's x-amz-signature and reports whether the
// answer was signed. Successful answers must be signed; an unsigned error
// answer (say, from a proxy) is passed on marked unverified, and a wrong
// signature is never let through.
func (c *Client) verify(method string, u *url.URL, resp *http.Response, raw []byte) (signed bool, err error) {
	sig := resp.Header.Get("x-amz-signature")
	if sig == "" {
		if resp.StatusCode < 300 {
			return false, fmt.Errorf("%w: no x-amz-signature on HTTP %d", ErrSignature, resp.StatusCode)
		}
		return false, nil
	}
	canonical, err := CanonicalResponse(method, u.Host+u.EscapedPath(), resp.Header, raw)
	if err != nil {
		return false, fmt.Errorf("%w: body: %w", ErrSignature, err)
	}
	if !c.signer.Verify(resp.Header.Get("x-amz-date"), canonical, sig) {
		return false, fmt.Errorf("%w: on HTTP %d", ErrSignature, resp.StatusCode)
	}
	return true, nil
}

func decodeAPIError(status int, raw []byte, signed bool) error {
	var body struct {
		Code       string `json:"code"`
		ReasonCode string `json:"reasonCode"`
		Message    string `json:"message"`
	}
	_ = json.Unmarshal(raw, &body)
	if body.Code == "" {
		body.Code = body.ReasonCode
	}
	if body.Code == "" && status >= 500 {
		body.Code = CodeInternalServerError
	}
	return &APIError{HTTPStatus: status, Code: body.Code, Message: body.Message, Verified: signed}
}

// retryable reports errors after which the same request may be sent again
// with the same idempotency key.
func retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, ErrTransport) {
		return true
	}
	var e *APIError
	return errors.As(err, &e) && e.HTTPStatus >= 500
}

// retryDelays is the bounded backoff between attempts of an idempotent call.
var retryDelays = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond}

// withRetry runs call until it succeeds, fails for good, or runs out of
// attempts.
func withRetry(ctx context.Context, call func() error) error {
	err := call()
	for _, d := range retryDelays {
		if err == nil || !retryable(ctx, err) {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		err = call()
	}
	return err
}
