package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/i18n"
	"github.com/paypage/paypage/templates/errorpage"
)

const ctxAPI = "api" // set on merchant API requests: errors are JSON

// retryAfter is what a 503 tells clients to wait: about as long as the
// embedded database takes to come back after a crash.
const retryAfter = 2 * time.Second

// apiOnly marks the request as a merchant API call. API answers carry
// order state and must never be cached.
func (s *Server) apiOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxAPI, true)
		c.Response().Header().Set("Cache-Control", "no-store")
		return next(c)
	}
}

// shopperPages are the /orders/{id}/... pages a browser reads; every other
// path under /orders, and /session, is the merchant API.
var shopperPages = map[string]bool{"payment-page": true, "pay": true, "return": true}

// isAPI reports whether an answer to c must be JSON: a request that reached
// an API route, or one under the API's paths that did not (an unknown
// route, a wrong method, a body over the limit, a panic before routing),
// or one that carries the x-merchantid header only merchant clients send.
func isAPI(c echo.Context) bool {
	if api, _ := c.Get(ctxAPI).(bool); api {
		return true
	}
	if c.Request().Header.Get("x-merchantid") != "" {
		return true
	}
	p := c.Request().URL.Path
	switch {
	case p == "/session", strings.HasPrefix(p, "/session/"), p == "/orders", p == "/orders/":
		return true
	case strings.HasPrefix(p, "/orders/"):
		_, sub, nested := strings.Cut(strings.TrimPrefix(p, "/orders/"), "/")
		page, _, _ := strings.Cut(sub, "/")
		return !nested || !shopperPages[page]
	}
	return false
}

// apiError is the Juspay error envelope.
type apiError struct {
	Status       string        `json:"status"`
	StatusID     *int          `json:"status_id,omitempty"`
	ErrorCode    string        `json:"error_code"`
	ErrorMessage string        `json:"error_message"`
	OrderID      string        `json:"order_id,omitempty"`
	ErrorInfo    *apiErrorInfo `json:"error_info,omitempty"`
}

type apiErrorInfo struct {
	Category         string            `json:"category"`
	RequestID        string            `json:"request_id"`
	DeveloperMessage string            `json:"developer_message"`
	UserMessage      string            `json:"user_message"`
	Code             string            `json:"code"`
	Fields           []errs.FieldError `json:"fields,omitempty"`
}

// handleError is the one place where errors become responses. Internal
// detail is logged with the request id and never sent.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := s.classify(err, c)
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "error", err, "request_id", requestID(c),
			"method", c.Request().Method, "route", c.Path())
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	}
	if isAPI(c) {
		c.Response().Header().Set("Cache-Control", "no-store")
		if c.Request().Method == http.MethodHead {
			err = c.NoContent(status)
		} else {
			err = c.JSON(status, body)
		}
	} else {
		err = s.renderErrorPage(c, status)
	}
	if err != nil {
		s.log.ErrorContext(c.Request().Context(), "writing error response", "error", err)
	}
}

func (s *Server) classify(err error, c echo.Context) (int, apiError) {
	rid := requestID(c)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		code, ok := httpErrorCodes[he.Code]
		if !ok {
			code = "request.invalid"
		}
		switch he.Code {
		case http.StatusNotFound:
			msg = "no API route " + c.Request().URL.Path + " (see /openapi.json)"
		case http.StatusMethodNotAllowed:
			msg = c.Request().Method + " is not allowed on " + c.Request().URL.Path
		case http.StatusRequestEntityTooLarge:
			msg = "the request body is larger than " + maxBodyBytes + "B"
		case http.StatusServiceUnavailable:
			msg = "the request did not finish in time; retry with the same request (request id " + rid + ")"
		}
		if he.Code >= 500 && he.Code != http.StatusServiceUnavailable {
			return http.StatusInternalServerError, internalError(rid)
		}
		return he.Code, apiError{Status: "ERROR", ErrorCode: code, ErrorMessage: msg}
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		e = &errs.Error{Kind: errs.Internal}
	}
	switch e.Kind {
	case errs.Invalid:
		minus := -1
		return http.StatusBadRequest, apiError{
			Status: "ERROR", StatusID: &minus, ErrorCode: orDefault(e.Code, "INVALID_REQUEST"), ErrorMessage: e.Message,
			ErrorInfo: &apiErrorInfo{Category: "USER_ERROR", RequestID: rid, DeveloperMessage: e.Message,
				UserMessage: "Invalid request.", Code: "INVALID_INPUT", Fields: e.Fields},
		}
	case errs.Unauthorized:
		return http.StatusUnauthorized, apiError{
			Status: "ERROR", ErrorCode: "access_denied", ErrorMessage: e.Message,
			ErrorInfo: &apiErrorInfo{Category: "USER_ERROR", RequestID: rid, DeveloperMessage: e.Message,
				UserMessage: "Unauthorized.", Code: "UNAUTHORIZED"},
		}
	case errs.NotFound:
		id := checkout.NotFoundStatusID
		return http.StatusNotFound, apiError{Status: "NOT_FOUND", StatusID: &id, ErrorCode: orDefault(e.Code, "order.not_found"),
			ErrorMessage: e.Message, OrderID: c.Param("id")}
	case errs.Conflict:
		return http.StatusConflict, apiError{Status: "ERROR", ErrorCode: orDefault(e.Code, "conflict"), ErrorMessage: e.Message}
	case errs.Unavailable:
		return http.StatusServiceUnavailable, apiError{Status: "ERROR", ErrorCode: "unavailable",
			ErrorMessage: "a dependency is unavailable or did not answer in time; retry with the same request (request id " + rid + ")"}
	default:
		return http.StatusInternalServerError, internalError(rid)
	}
}

// httpErrorCodes gives the router's and middleware's errors their
// error_code, one per condition.
var httpErrorCodes = map[int]string{
	http.StatusBadRequest:            "request.invalid",
	http.StatusNotFound:              "route.not_found",
	http.StatusMethodNotAllowed:      "method.not_allowed",
	http.StatusRequestEntityTooLarge: "request.too_large",
	http.StatusUnsupportedMediaType:  "content_type.unsupported",
	http.StatusTooManyRequests:       "too_many_requests",
	http.StatusServiceUnavailable:    "unavailable",
}

func internalError(rid string) apiError {
	return apiError{Status: "ERROR", ErrorCode: "internal_error", ErrorMessage: "internal error (request id " + rid + ")"}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// renderErrorPage shows shoppers a friendly page for any status. A 5xx page
// never says whether money was taken: the failure may have come after the
// payment went through, and the order is where the truth is.
func (s *Server) renderErrorPage(c echo.Context, status int) error {
	ctx := s.reqCtx(c)
	vm := errorpage.PageVM{Head: s.head(i18n.T(ctx, "error.title")), RequestID: requestID(c)}
	switch {
	case status == http.StatusNotFound:
		vm.Head = s.head(i18n.T(ctx, "error.not_found.title"))
		vm.Heading = i18n.T(ctx, "error.not_found.heading")
		vm.Message = i18n.T(ctx, "error.not_found.message")
	case status < 500:
		vm.Heading = i18n.T(ctx, "error.bad_request.heading")
		vm.Message = i18n.T(ctx, "error.bad_request.message")
	case status == http.StatusServiceUnavailable:
		vm.Head = s.head(i18n.T(ctx, "error.unavailable.title"))
		vm.Heading = i18n.T(ctx, "error.unavailable.heading")
		vm.Message = i18n.T(ctx, "error.unavailable.message")
		vm.RetryURL = s.retryURL(c)
	default:
		vm.Heading = i18n.T(ctx, "error.internal.heading")
		vm.Message = i18n.T(ctx, "error.internal.message")
		vm.RetryURL = s.retryURL(c)
	}
	s.wayOn(ctx, c, &vm, status)
	return s.render(c, status, errorpage.Page(vm))
}

// orderLookupTimeout bounds the look-up an error page makes to name the
// merchant it leads back to; the page is shown without it if it is slow.
const orderLookupTimeout = time.Second

// wayOn gives an error page a way on, worded in the language of words.
// Under /orders/{id}/ with a known order, that is the payment page, or,
// when the payment page itself failed, the merchant through the signed
// return. Without an order, the
// demo shop in sandbox mode, else the browser's previous page. After a
// 5xx the order is not looked up (the database may be what failed): the
// payment page is offered from anywhere else, and "Try again" from the
// payment page itself.
func (s *Server) wayOn(words context.Context, c echo.Context, vm *errorpage.PageVM, status int) {
	id := c.Param("id")
	if id != "" && strings.HasPrefix(c.Path(), "/orders/:id/") && checkout.ValidOrderID(id) {
		if status >= 500 {
			if c.Path() != payShowPath {
				vm.BackURL, vm.BackLabel = s.url(routePayShow, id), i18n.T(words, "error.back_to_page")
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), orderLookupTimeout)
		_, m, err := s.svc.PageOrder(ctx, id)
		cancel()
		switch {
		case err == nil && c.Path() == payShowPath:
			vm.BackURL, vm.BackLabel = s.url(routeOrderReturn, id), i18n.T(words, "error.expired.back", i18n.Args{"Merchant": m.Name})
			return
		case err == nil || (!errs.Is(err, errs.NotFound) && c.Path() != payShowPath):
			// Known, or maybe known (the database did not answer): the
			// payment page says where the order stands.
			vm.BackURL, vm.BackLabel = s.url(routePayShow, id), i18n.T(words, "error.back_to_page")
			return
		}
	}
	if _, ok := s.opts.Mounts[demoShopPath]; ok && s.opts.Sandbox {
		vm.BackURL, vm.BackLabel = demoShopPath+"/", i18n.T(words, "error.back_to_shop")
		return
	}
	vm.HistoryBack = true
}

// retryURL is where "Try again" goes: the same page for a GET, the order's
// payment page after a form post (never the post itself), or "" when
// neither is known.
func (s *Server) retryURL(c echo.Context) string {
	r := c.Request()
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		u := r.URL.EscapedPath()
		// A path starting with // or /\ would leave this site.
		if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || strings.HasPrefix(u, "/\\") {
			return ""
		}
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		return u
	}
	if id := c.Param("id"); id != "" && strings.HasPrefix(c.Path(), "/orders/:id/") {
		return s.url(routePayShow, id)
	}
	return ""
}
