package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Route names, used with Echo's Reverse to build URLs.
const (
	routeHealth        = "health"
	routeReady         = "ready"
	routeStatic        = "static"
	routeMetrics       = "metrics"
	routeSessionCreate = "api.session.create"
	routeOrderCreate   = "api.order.create"
	routeOrderStatus   = "api.order.status"
	routeRefundCreate  = "api.refund.create"
	routeOrderTimeline = "api.order.timeline"
	routeWebhookReplay = "api.webhook.replay"
	routePayShow       = "pay.show"
	routePaySubmit     = "pay.submit"
	routePayStatus     = "pay.status"
	routeOrderReturn   = "pay.return"
	routeConsentReturn = "amazonpay.consent"
	routeChargeReturn  = "amazonpay.charge"
	routeSandboxOrder  = "sandbox.order.timeline"
	routeBrandLogo     = "brand.logo"
)

// payPath is the pay form's route, which also takes the form's own token
// when the session cookie is missing (see withSession).
const payPath = "/orders/:id/pay"

// payShowPath is the payment page's route.
const payShowPath = "/orders/:id/payment-page"

// demoShopPath is where the sandbox mounts its demo shop, the way back
// from an error page that knows no order.
const demoShopPath = "/sandbox/shop"

// routes is the one route table.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.health).Name = routeHealth
	e.GET("/readyz", s.ready).Name = routeReady
	e.GET("/static/:file", s.serveStatic).Name = routeStatic
	// Merchant logos, at URLs carrying their fingerprint (see logo.go).
	e.GET("/brand/:merchant_id/:file", s.serveLogo).Name = routeBrandLogo
	// Metrics belong on the operator's listener (OpsHandler); only the
	// sandbox also shows them here, so a developer finds them next to the
	// page. In production the public /metrics answers 404.
	if s.opts.Sandbox {
		e.GET("/metrics", echo.WrapHandler(s.opts.Metrics.Handler())).Name = routeMetrics
		// QA reads an order's timeline here; the merchant API has it as JSON.
		e.GET(SandboxOrderPath(":id"), s.showSandboxTimeline).Name = routeSandboxOrder
	}
	e.GET("/openapi.json", s.serveOpenAPI).Name = routeOpenAPI

	// Merchant API: API key auth, JSON errors, no cookies or CSRF.
	// (Per route rather than a Group: a group's middleware would also claim
	// every unknown path.)
	api := []echo.MiddlewareFunc{s.apiOnly, s.merchantAuth}
	e.POST("/session", s.createSession, api...).Name = routeSessionCreate
	e.POST("/orders", s.createOrder, api...).Name = routeOrderCreate
	e.GET("/orders/:id", s.showOrder, api...).Name = routeOrderStatus
	e.POST("/orders/:id/refunds", s.createRefund, api...).Name = routeRefundCreate
	e.GET("/orders/:id/timeline", s.showOrderTimeline, api...).Name = routeOrderTimeline
	e.POST("/orders/:id/webhooks/:event_id/replay", s.replayWebhook, api...).Name = routeWebhookReplay

	// Shopper pages: a session cookie and CSRF on unsafe methods.
	e.GET(payShowPath, s.showPayPage, s.withSession).Name = routePayShow
	e.POST(payPath, s.submitPay, s.withSession).Name = routePaySubmit
	e.GET("/orders/:id/return", s.returnToMerchant).Name = routeOrderReturn
	// The page's state as JSON for its script: no cookie, nothing to guard.
	e.GET("/orders/:id/payment-page/status", s.showPayStatus).Name = routePayStatus

	// Amazon callbacks: no cookie needed, exempt from CSRF (see
	// amazonpay_return.go).
	e.GET(ConsentReturnPath, s.consentReturn).Name = routeConsentReturn
	e.GET("/amazonpay/charges/:charge_id/return", s.chargeReturn).Name = routeChargeReturn
	e.POST("/amazonpay/charges/:charge_id/return", s.chargeReturn)

	for prefix, h := range s.opts.Mounts {
		prefix = strings.TrimRight(prefix, "/")
		e.Any(prefix+"/*", echo.WrapHandler(h))
		e.Any(prefix, func(c echo.Context) error {
			return c.Redirect(http.StatusMovedPermanently, prefix+"/")
		})
	}
}

// url builds the path of a named route.
func (s *Server) url(name string, params ...any) string {
	return s.echo.Reverse(name, params...)
}

// absURL builds the absolute URL of a named route under the base URL.
func (s *Server) absURL(name string, params ...any) string {
	return s.opts.BaseURL + s.url(name, params...)
}

// SandboxOrderPath is the sandbox's timeline page of order id (paypage's id
// or the demo merchant's order_id).
func SandboxOrderPath(id string) string { return "/sandbox/orders/" + id }
