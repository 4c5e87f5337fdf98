package web

import (
	"log/slog"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/paypage/paypage/internal/config"
)

// requestLogger logs one line per request with the route pattern rather than
// the raw URI, so that no query string (which may carry Amazon codes or
// signatures) reaches the log.
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogRoutePath: true, LogLatency: true, LogRequestID: true,
		// Let the error handler write a failed request's answer first, so
		// the log line and the metrics carry the status actually sent.
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.opts.Metrics.ObserveRequest(v.RoutePath, v.Method, v.Status, v.Latency)
			if v.Status < 400 && simulatorAPICall(c.Request().URL.Path) {
				return nil
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("route", v.RoutePath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// simulatorAPICall reports whether path is the built-in simulator's
// payments API or token endpoint: paypage's own calls to Amazon, which its
// timeline and metrics already record, so their successes get no log line
// of their own (in sandbox, one per page view and more per payment).
func simulatorAPICall(path string) bool {
	rest, ok := strings.CutPrefix(path, config.SandboxPath)
	return ok && (strings.HasPrefix(rest, "/v1/") || rest == "/lwa/auth/o2/token")
}
