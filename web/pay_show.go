package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/i18n"
	"github.com/paypage/paypage/internal/money"
	"github.com/paypage/paypage/templates/errorpage"
	tplpay "github.com/paypage/paypage/templates/pay"
)

// processingCheckEvery is how many seconds the processing screen's script
// waits before it first asks the status endpoint; it waits longer each
// time after, up to ten seconds.
const processingCheckEvery = 3

// pendingUpTo is the longest a pending payment can stay unconfirmed: the
// charge timeout paypage gives Amazon (timeoutInSecs, 900), after which
// the reconciler settles it.
const pendingUpTo = 15 * time.Minute

// waitParam marks a page load by the processing screen: once the payment
// has settled, such a load goes on to the merchant.
const waitParam = "wait"

// checksParam counts the checking screen's automatic reloads; checkingTries
// of them, after 2, 4 and 8 seconds, then only the shopper's "Try again".
const (
	checksParam   = "checks"
	checkingTries = 3
	checkingFirst = 2 * time.Second
)

// showPayPage handles GET /orders/{id}/payment-page.
//
// The page never waits on Amazon before its first byte: when the methods
// still need an answer (PageListing), the document head and the summary
// (merchant, amount, order, time left) go out at once, and the methods
// follow as soon as Amazon answers or the listing budget runs out. Any
// other page (the answers were prefetched and fresh, or nothing is to be
// asked: charged, processing, expired...) is rendered in one go, with its
// status decided first (410 for an expired one).
func (s *Server) showPayPage(c echo.Context) error {
	p, err := s.svc.PaymentPageHead(c.Request().Context(), c.Param("id"))
	if errs.Is(err, errs.NotFound) {
		return echo.ErrNotFound
	}
	if err != nil {
		return err
	}
	ctx := s.useLanguage(c, p.Order.Language)
	if p.State == checkout.PageExpired {
		return s.render(c, http.StatusGone, s.expiredPage(ctx, c, p.Order, p.Merchant))
	}
	if p.State == checkout.PageCharged && c.QueryParam(waitParam) != "" {
		// The shopper waited for Amazon on the processing screen: the
		// payment settled, so go on to the merchant as the instant path does.
		return c.Redirect(http.StatusSeeOther, s.url(routeOrderReturn, p.Order.ID))
	}
	vm := s.payPageVM(ctx, c, p)
	if p.State != checkout.PageListing {
		s.screenVM(ctx, c, &vm, p)
		return s.render(c, http.StatusOK, tplpay.Page(vm))
	}
	rest := s.streamPart(c, func() (templComponent, error) {
		s.svc.PageOffers(c.Request().Context(), &p)
		s.screenVM(ctx, c, &vm, p)
		return tplpay.Body(vm), nil
	}, tplpay.PartFailed(vm.PageURL))
	return s.render(c, http.StatusOK, tplpay.Streamed(vm, rest))
}

func (s *Server) expiredPage(ctx context.Context, c echo.Context, o checkout.Order, m checkout.Merchant) templComponent {
	merchant := i18n.Args{"Merchant": m.Name}
	b := s.brandVM(c, o.MerchantID)
	head := s.head(i18n.T(ctx, "error.expired.title"))
	head.BrandColor = b.Color
	return errorpage.Page(errorpage.PageVM{
		Head:      head,
		Brand:     b,
		Heading:   i18n.T(ctx, "error.expired.heading"),
		Message:   i18n.T(ctx, "error.expired.message", merchant),
		BackURL:   s.url(routeOrderReturn, o.ID),
		BackLabel: i18n.T(ctx, "error.expired.back", merchant),
		RequestID: requestID(c),
	})
}

// payPageVM is what the page shows of order and merchant, known before any
// method's answer: enough for the summary. Its words are in the language
// of ctx, as are screenVM's.
func (s *Server) payPageVM(ctx context.Context, c echo.Context, p checkout.Page) tplpay.PageVM {
	o, m := p.Order, p.Merchant
	page := s.url(routePayShow, o.ID)
	vm := tplpay.PageVM{
		Head:         s.head(i18n.T(ctx, "pay.title", i18n.Args{"Merchant": m.Name})),
		Screen:       tplpay.ScreenListing,
		MerchantName: m.Name,
		Amount:       o.Amount.Indian(),
		Description:  o.Description,
		OrderID:      o.OrderID,
		TimeLeft:     timeLeft(ctx, o.ExpiresAt.Sub(s.svc.Now())),
		ExpiresAt:    o.ExpiresAt.UTC().Format(time.RFC3339),
		PayURL:       withLang(c, s.url(routePaySubmit, o.ID)),
		PageURL:      withLang(c, page),
		CSRF:         csrfToken(c),
		PayToken:     s.payToken(o.ID, o.ExpiresAt),
		Retry:        p.Retry,
		ReturnURL:    s.url(routeOrderReturn, o.ID),
		Brand:        s.brandVM(c, o.MerchantID),
		Languages:    languageLinks(c, page),
	}
	vm.Head.BrandColor = vm.Brand.Color
	return vm
}

// screenVM fills in the screen of page p: its state, the method cards and
// the latest attempt's outcome.
func (s *Server) screenVM(ctx context.Context, c echo.Context, vm *tplpay.PageVM, p checkout.Page) {
	o := p.Order
	switch p.State {
	case checkout.PagePayable:
		vm.Screen = tplpay.ScreenPayable
	case checkout.PageNoMethods:
		vm.Screen = tplpay.ScreenNoMethods
		if id, ok := noMethodsWhy[p.NoMethods]; ok {
			vm.NoMethodsWhy = i18n.T(ctx, id)
		}
		vm.ShowSupport = true
	case checkout.PageChecking, checkout.PageListing:
		// Amazon has not answered yet: never "no payment option" for a
		// shopper it has not refused. (PageOffers never leaves a page
		// listing; were one to come here, it reads as still checking.)
		vm.Screen = tplpay.ScreenChecking
		if p.Exhausted {
			// Retries have stopped: no card waits for an answer.
			vm.Screen = tplpay.ScreenPayable
		}
	case checkout.PageProcessing:
		vm.Screen = tplpay.ScreenProcessing
		vm.CheckURL = withLang(c, s.url(routePayShow, o.ID)+"?"+waitParam+"=1")
		vm.CheckEvery = processingCheckEvery
		vm.StatusURL = s.url(routePayStatus, o.ID)
		vm.UpToMinutes = int(pendingUpTo / time.Minute)
		if p.Latest != nil {
			vm.ContinueURL = s.providerURL(p.Latest.ActionURL)
		}
	case checkout.PageCharged:
		vm.Screen = tplpay.ScreenCharged
		vm.Notice = &tplpay.NoticeVM{Status: i18n.T(ctx, "notice.charged.status"), Tone: "ok",
			Message: i18n.T(ctx, "notice.charged.message", i18n.Args{"Amount": o.Amount.Indian(), "Method": latestTitle(ctx, p)})}
	case checkout.PageClosed:
		vm.Screen = tplpay.ScreenClosed
		vm.ShowSupport = true
		vm.Notice = &tplpay.NoticeVM{Status: i18n.T(ctx, "notice.closed.status"), Tone: "bad",
			Message: i18n.T(ctx, "notice.closed.message", i18n.Args{"Merchant": p.Merchant.Name})}
	}
	vm.Exhausted = p.Exhausted
	listing := p.State == checkout.PagePayable || p.State == checkout.PageChecking
	checking := false
	for _, mo := range p.Offers {
		if mo.Checking {
			if !listing || p.Exhausted {
				continue
			}
			checking = true
			vm.Methods = append(vm.Methods, tplpay.MethodVM{
				Name: mo.Kind.Name, Checking: true, Title: methodText(ctx, mo.Kind.Name, "title", mo.Kind.Title, nil),
			})
			continue
		}
		if (p.State != checkout.PagePayable || p.Exhausted) && mo.Note == "" {
			continue
		}
		mv := tplpay.MethodVM{
			Name: mo.Kind.Name, Enabled: mo.Payable && !p.Exhausted, TermsURL: s.termsURL(mo.TermsURL, o.ID),
		}
		methodWords(ctx, &mv, mo, o.Amount)
		if mo.Linked && mo.FigureKind != checkout.FigureNone {
			mv.Figure, mv.FigureTestID = mo.Figure.Indian(), figureTestIDs[mo.FigureKind]
		}
		vm.Methods = append(vm.Methods, mv)
	}
	if tries := checksDone(c); checking && tries < checkingTries {
		vm.CheckingWait = int(checkingFirst/time.Millisecond) << tries
		vm.CheckingNext = withQuery(c, s.url(routePayShow, o.ID), checksParam, strconv.Itoa(tries+1))
	}
	if p.Retry && p.Latest != nil {
		vm.Notice = failureNotice(ctx, *p.Latest, latestTitle(ctx, p), p.State == checkout.PagePayable && !p.Exhausted)
		// The return carries the failed status, so the merchant can offer
		// its other ways to pay.
		vm.PayAnotherWay = true
		vm.ShowSupport = true
	}
}

// checksDone is how many automatic reloads the checking screen has made:
// ?checks=, where anything but a small count means they are used up.
func checksDone(c echo.Context) int {
	q := c.QueryParam(checksParam)
	if q == "" {
		return 0
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 0 || n > checkingTries {
		return checkingTries
	}
	return n
}

// withQuery is page URL u with name=value and the shopper's picked
// language.
func withQuery(c echo.Context, u, name, value string) string {
	return withLang(c, u+"?"+name+"="+url.QueryEscape(value))
}

// noMethodsWhy are the messages that say in plain words why nothing can
// pay.
var noMethodsWhy = map[checkout.NoMethodsReason]string{
	checkout.NoneEnabled:  "pay.no_methods.none_enabled",
	checkout.NoneOffered:  "pay.no_methods.none_offered",
	checkout.NoneAnswered: "pay.no_methods.none_answered",
}

// figureTestIDs are the data-testids of an offer's figure.
var figureTestIDs = map[checkout.FigureKind]string{
	checkout.FigureCredit: "available-credit", checkout.FigureBalance: "available-balance",
}

// failureNotice words a failed attempt with method title for the shopper;
// retry says whether the page offers another try.
func failureNotice(ctx context.Context, a checkout.Attempt, title string, retry bool) *tplpay.NoticeVM {
	n := &tplpay.NoticeVM{Tone: "bad"}
	switch a.Status {
	case checkout.AttemptAuthenticationFailed:
		n.Status = i18n.T(ctx, "notice.not_completed.status")
		n.Message = i18n.T(ctx, "notice.not_completed.message")
		if a.ErrorCode == "CONSENT_DENIED" {
			n.Message = i18n.T(ctx, "notice.not_linked.message", i18n.Args{"Method": title})
		}
	case checkout.AttemptAuthorizationFailed:
		n.Status = i18n.T(ctx, "notice.declined.status")
		n.Message = i18n.T(ctx, "notice.declined.message")
	default:
		n.Status = i18n.T(ctx, "notice.failed.status")
		n.Message = i18n.T(ctx, "notice.failed.message")
	}
	if retry {
		n.Message += " " + i18n.T(ctx, "notice.can_retry")
	} else {
		n.Message += " " + i18n.T(ctx, "notice.pay_elsewhere")
	}
	return n
}

// latestTitle is the title of the latest attempt's method in the page's
// language.
func latestTitle(ctx context.Context, p checkout.Page) string {
	if p.Latest == nil {
		return p.LatestTitle
	}
	return methodText(ctx, p.Latest.Method, "title", p.LatestTitle, nil)
}

// methodText is a provider's wording of a method (its title, button,
// consent, note) in the page's language: the catalogue's message
// method.<NAME>.<part> when its English is exactly what the provider said,
// else the provider's own words. So a provider that changes its wording is
// never misquoted in another language; it shows as the provider put it
// until the catalogue catches up.
func methodText(ctx context.Context, name, part, provider string, args i18n.Args) string {
	id := "method." + name + "." + part
	if part == "pay" {
		id = "method.pay"
	}
	english, ok := i18n.Lookup(i18n.WithLang(ctx, i18n.Default), id, args)
	if !ok || english != provider {
		return provider
	}
	return i18n.T(ctx, id, args)
}

// methodWords fills a method card's words from the provider's offer, in
// the page's language.
func methodWords(ctx context.Context, mv *tplpay.MethodVM, mo checkout.MethodOffer, amount money.Paise) {
	name := mo.Kind.Name
	amt := i18n.Args{"Amount": amount.Indian()}
	mv.Title = methodText(ctx, name, "title", mo.Kind.Title, nil)
	button := "link"
	if mo.Linked {
		button = "pay"
	}
	mv.ButtonLabel = methodText(ctx, name, button, mo.Action, amt)
	mv.Reason = mo.Note
	if name != "" && mo.Note != "" {
		mv.Reason = methodText(ctx, name, "kyc", mo.Note, nil)
		if mv.Reason == mo.Note && mo.Figure < amount {
			mv.Reason = methodText(ctx, name, "short", mo.Note, i18n.Args{"Shortfall": (amount - mo.Figure).Indian()})
		}
	}
	mv.Consent, mv.TermsLabel = mo.Consent, mo.TermsLabel
	switch {
	case mo.Consent == "":
	case !mo.Linked:
		mv.Consent = methodText(ctx, name, "consent_link", mo.Consent, amt)
	case mv.TermsURL == "" && mo.TermsURL == "":
		mv.Consent = methodText(ctx, name, "consent_no_terms", mo.Consent, amt)
		if mv.Consent == mo.Consent {
			mv.Consent = methodText(ctx, name, "consent", mo.Consent, amt)
		}
	default:
		// The provider's sentence ends where the terms link goes.
		terms := methodText(ctx, name, "terms", mo.TermsLabel, nil)
		args := i18n.Args{"Amount": amount.Indian(), "Terms": mo.TermsLabel}
		english, ok := i18n.Lookup(i18n.WithLang(ctx, i18n.Default), "method."+name+".consent", args)
		if ok && english == mo.Consent+" "+mo.TermsLabel+"." {
			mv.Consent, mv.ConsentAfter = i18n.Split(ctx, "method."+name+".consent", "Terms", args)
			mv.TermsLabel = terms
		} else {
			mv.Consent += " "
			mv.ConsentAfter = "."
		}
	}
}

// timeLeft words a remaining duration for people, rounding down.
func timeLeft(ctx context.Context, d time.Duration) string {
	switch {
	case d <= 0:
		return i18n.T(ctx, "time.expired")
	case d < time.Minute:
		return i18n.T(ctx, "time.under_minute")
	case d < time.Hour:
		return i18n.N(ctx, "time.minutes", int(d/time.Minute))
	default:
		return i18n.T(ctx, "time.hours", i18n.Args{"Hours": int(d / time.Hour), "Minutes": int(d % time.Hour / time.Minute)})
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
