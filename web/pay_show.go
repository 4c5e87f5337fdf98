package web

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/templates/errorpage"
	tplpay "github.com/paypage/paypage/templates/pay"
)

// processingCheckEvery is how many seconds the processing screen waits
// before it looks again.
const processingCheckEvery = 3

// waitParam marks a page load by the processing screen: once the payment
// has settled, such a load goes on to the merchant.
const waitParam = "wait"

// showPayPage handles GET /orders/{id}/payment-page.
func (s *Server) showPayPage(c echo.Context) error {
	p, err := s.svc.PaymentPage(c.Request().Context(), c.Param("id"))
	if errs.Is(err, errs.NotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	if p.State == checkout.PageExpired {
		return s.render(c, http.StatusGone, s.expiredPage(c, p.Order, p.Merchant))
	}
	if p.State == checkout.PageCharged && c.QueryParam(waitParam) != "" {
		// The shopper waited for Amazon on the processing screen: the
		// payment settled, so go on to the merchant as the instant path does.
		return c.Redirect(http.StatusSeeOther, s.url(routeOrderReturn, p.Order.ID))
	}
	return s.render(c, http.StatusOK, tplpay.Page(s.payPageVM(c, p)))
}

func (s *Server) expiredPage(c echo.Context, o checkout.Order, m checkout.Merchant) templComponent {
	b := s.brandVM(c, o.MerchantID)
	head := s.head("Payment link expired")
	head.BrandColor = b.Color
	return errorpage.Page(errorpage.PageVM{
		Head:      head,
		Brand:     b,
		Heading:   "This payment link has expired",
		Message:   "This order can no longer be paid here. Go back to " + m.Name + " to start again.",
		BackURL:   s.url(routeOrderReturn, o.ID),
		BackLabel: "Back to " + m.Name,
		RequestID: requestID(c),
	})
}

func (s *Server) payPageVM(c echo.Context, p checkout.Page) tplpay.PageVM {
	o, m := p.Order, p.Merchant
	vm := tplpay.PageVM{
		Head:         s.head("Pay " + m.Name),
		MerchantName: m.Name,
		Amount:       o.Amount.Indian(),
		Description:  o.Description,
		OrderID:      o.OrderID,
		TimeLeft:     timeLeft(o.ExpiresAt.Sub(s.svc.Now())),
		ExpiresAt:    o.ExpiresAt.UTC().Format(time.RFC3339),
		PayURL:       s.url(routePaySubmit, o.ID),
		CSRF:         csrfToken(c),
		PayToken:     s.payToken(o.ID, o.ExpiresAt),
		Retry:        p.Retry,
		ReturnURL:    s.url(routeOrderReturn, o.ID),
		Brand:        s.brandVM(c, o.MerchantID),
	}
	vm.Head.BrandColor = vm.Brand.Color
	switch p.State {
	case checkout.PagePayable:
		vm.Screen = tplpay.ScreenPayable
	case checkout.PageNoMethods:
		vm.Screen = tplpay.ScreenNoMethods
		vm.NoMethodsWhy = noMethodsWhy[p.NoMethods]
		vm.ShowSupport = true
	case checkout.PageChecking, checkout.PageListing:
		// Amazon has not answered yet: never "no payment option" for a
		// shopper it has not refused. PaymentPage never leaves a page
		// listing; were one to come here, it reads as still checking.
		vm.Screen = tplpay.ScreenNoMethods
		vm.NoMethodsWhy = noMethodsWhy[checkout.NoneAnswered]
	case checkout.PageProcessing:
		vm.Screen = tplpay.ScreenProcessing
		vm.CheckURL = s.url(routePayShow, o.ID) + "?" + waitParam + "=1"
		vm.CheckEvery = processingCheckEvery
		if p.Latest != nil {
			vm.ContinueURL = s.providerURL(p.Latest.ActionURL)
		}
	case checkout.PageCharged:
		vm.Screen = tplpay.ScreenCharged
		vm.Notice = &tplpay.NoticeVM{Status: "Payment successful", Tone: "ok",
			Message: fmt.Sprintf("%s paid with %s.", o.Amount.Indian(), p.LatestTitle)}
	case checkout.PageClosed:
		vm.Screen = tplpay.ScreenClosed
		vm.ShowSupport = true
		vm.Notice = &tplpay.NoticeVM{Status: "This order can no longer be paid", Tone: "bad",
			Message: "Any amount taken has been refunded. Go back to " + m.Name + " to start again."}
	}
	vm.Exhausted = p.Exhausted
	for _, mo := range p.Offers {
		if mo.Checking || (p.State != checkout.PagePayable || p.Exhausted) && mo.Note == "" {
			continue
		}
		mv := tplpay.MethodVM{
			Name: mo.Kind.Name, Title: mo.Kind.Title, Enabled: mo.Payable && !p.Exhausted, Reason: mo.Note,
			Consent: mo.Consent, TermsURL: s.termsURL(mo.TermsURL, o.ID), TermsLabel: mo.TermsLabel, ButtonLabel: mo.Action,
		}
		if mo.Linked && mo.FigureKind != checkout.FigureNone {
			mv.Figure, mv.FigureTestID = mo.Figure.Indian(), figureTestIDs[mo.FigureKind]
		}
		vm.Methods = append(vm.Methods, mv)
	}
	if p.Retry && p.Latest != nil {
		vm.Notice = failureNotice(*p.Latest, p.LatestTitle, p.State == checkout.PagePayable && !p.Exhausted)
		// The return carries the failed status, so the merchant can offer
		// its other ways to pay.
		vm.PayAnotherWay = true
		vm.ShowSupport = true
	}
	return vm
}

// noMethodsWhy says in plain words why nothing can pay.
var noMethodsWhy = map[checkout.NoMethodsReason]string{
	checkout.NoneEnabled:  "No payment method is enabled for this order.",
	checkout.NoneOffered:  "None of the payment methods here can be used for this order and account.",
	checkout.NoneAnswered: "The payment methods here could not be checked just now. Reload this page to try again.",
}

// figureTestIDs are the data-testids of an offer's figure.
var figureTestIDs = map[checkout.FigureKind]string{
	checkout.FigureCredit: "available-credit", checkout.FigureBalance: "available-balance",
}

// failureNotice words a failed attempt with method title for the shopper;
// retry says whether the page offers another try.
func failureNotice(a checkout.Attempt, title string, retry bool) *tplpay.NoticeVM {
	n := &tplpay.NoticeVM{Tone: "bad"}
	switch a.Status {
	case checkout.AttemptAuthenticationFailed:
		n.Status = "Payment not completed"
		n.Message = "The payment was not confirmed on Amazon. No money was taken."
		if a.ErrorCode == "CONSENT_DENIED" {
			n.Message = title + " was not linked, so no money was taken."
		}
	case checkout.AttemptAuthorizationFailed:
		n.Status = "Payment declined"
		n.Message = "Amazon declined this payment. No money was taken."
	default:
		n.Status = "Payment failed"
		n.Message = "The payment could not be made. No money was taken."
	}
	if retry {
		n.Message += " You can try again."
	} else {
		n.Message += " You can pay another way at the shop."
	}
	return n
}

// timeLeft words a remaining duration for people, rounding down.
func timeLeft(d time.Duration) string {
	switch {
	case d <= 0:
		return "expired"
	case d < time.Minute:
		return "less than a minute"
	case d < 2*time.Minute:
		return "1 minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	default:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		return fmt.Sprintf("%d h %d min", h, m)
	}
}

// providerURL returns a URL Amazon gave (the Key Fact Statement, the 2FA
// page) if it is safe to link to: an https: URL, or in sandbox mode, where
// the simulator serves them over plain HTTP, an http: URL. Anything else
// (javascript:, data:, plain http in production) is not linked.
func (s *Server) providerURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	if u.Scheme == "https" {
		return u.String()
	}
	if s.opts.Sandbox && u.Scheme == "http" {
		return u.String()
	}
	return ""
}
