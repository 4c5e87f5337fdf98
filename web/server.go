// Package web is paypage's HTTP adapter on Echo: the Juspay-compatible
// merchant API, the hosted payment page, Amazon Pay callbacks, the sandbox
// mount and the middleware around them. Handlers parse input, call one
// internal/checkout method and render; they hold no SQL and make no Amazon
// Pay calls themselves.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/metrics"
)

// Options configures the server.
type Options struct {
	BaseURL   string // PAYPAGE_BASE_URL
	SecretKey string // signs and encrypts the shopper cookie
	Sandbox   bool
	// DemoMerchantID is the sandbox's demo merchant, whose order_id the
	// sandbox timeline page also takes.
	DemoMerchantID string
	Logger         *slog.Logger
	Service        *checkout.Service
	DB             Pinger
	// Mounts are extra handlers by path prefix, such as the Amazon Pay
	// simulator at /sandbox/amazonpay in sandbox mode.
	Mounts map[string]http.Handler
	// Metrics records requests and serves /metrics; may be nil.
	Metrics *metrics.Metrics
	// TrustedProxies are load balancers whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
}

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the handlers' dependencies.
type Server struct {
	echo     *echo.Echo
	opts     Options
	log      *slog.Logger
	svc      *checkout.Service
	sessions sessions.Store
	secure   bool // cookies get the Secure flag (https base URL)
	// authThrottle counts failed merchant API authentications per address.
	authThrottle *authThrottle
}

// Request limits.
const (
	maxBodyBytes   = "64K"
	requestTimeout = 30 * time.Second
)

// NewServer builds the Echo instance with its middleware chain and routes.
func NewServer(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, opts: opts, log: opts.Logger, svc: opts.Service, authThrottle: newAuthThrottle(time.Now)}
	s.sessions, s.secure = newSessionStore(opts.BaseURL, opts.SecretKey)
	e.HTTPErrorHandler = s.handleError
	// The shopper's address goes to Amazon (x-amz-user-ip): take it from
	// X-Forwarded-For only when the request came through a trusted proxy.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(opts.TrustedProxies) > 0 {
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range opts.TrustedProxies {
			trust = append(trust, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}

	// Recover first, so a panic anywhere below becomes a logged 500.
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: s.logPanic}))
	// A request id before logging, so every log line and error page carries it.
	e.Use(middleware.RequestID())
	// Structured access log and request metrics; they record method, route,
	// status and latency only.
	e.Use(s.requestLogger())
	// Security headers and the CSP nonce before any handler renders HTML.
	e.Use(securityHeaders)
	// Production answers only over https (behind TLS termination): tell
	// browsers never to try plain http for a year. Not in sandbox, which
	// runs on http://localhost and must stay reachable that way.
	if !opts.Sandbox {
		e.Use(strictTransportSecurity)
	}
	e.Use(compressed())
	// Bound what a client can make us read and how long a request may take.
	e.Use(middleware.BodyLimit(maxBodyBytes))
	e.Use(middleware.ContextTimeout(requestTimeout))

	s.routes()
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo returns the Echo instance, for tests that reverse route names.
func (s *Server) Echo() *echo.Echo { return s.echo }

func (s *Server) logPanic(c echo.Context, err error, stack []byte) error {
	s.log.ErrorContext(c.Request().Context(), "panic", "error", err, "request_id", requestID(c), "stack", string(stack))
	return err
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
