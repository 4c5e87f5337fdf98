package sandbox

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/i18n"
	tpl "github.com/paypage/paypage/templates/amazonsandbox"
)

// Sandbox OTPs: OTPApprove approves a 2FA charge and OTPDecline declines
// it at once, for QA. Any other code is taken as a typo: the customer may
// enter the code again, and the charge is declined at the maxOTPTries-th
// wrong one, as OTP pages do.
const (
	OTPApprove = "123456"
	OTPDecline = "999999"
)

// maxOTPTries is how many wrong OTPs decline a charge.
const maxOTPTries = 3

// resendParam on the 2FA page's URL shows it again with "code sent".
const resendParam = "resend"

func (s *Simulator) otpPage(r *http.Request, c *charge, errMsg string) tpl.OTPVM {
	action := s.path("/pay/" + url.PathEscape(c.amazonID))
	return tpl.OTPVM{
		Page: s.shopperPage(r, "sandbox.otp.heading"), Action: action, ResendURL: action + "?" + resendParam + "=1",
		Amount: c.amount.Indian(), Phone: "******" + c.phone[len(c.phone)-4:], ChargeID: c.amazonID, Error: errMsg,
	}
}

func (s *Simulator) showOTP(w http.ResponseWriter, r *http.Request) {
	var c *charge
	if err := s.do(r.Context(), func(t *txn) { c = t.chargeByAmazonID(r.PathValue("amazonChargeId")) }); err != nil {
		s.shopperMessage(w, r, http.StatusInternalServerError, "sandbox.error.heading", "sandbox.error.load")
		return
	}
	var vm tpl.OTPVM
	waiting := c != nil && waitingOTP(c)
	if waiting {
		vm = s.otpPage(r, c, "")
		if r.URL.Query().Get(resendParam) != "" {
			// The sandbox sends nothing: it only says so.
			vm.Notice = i18n.T(pageContext(r), "sandbox.otp.resent")
		}
	}
	s.showWaiting(w, r, c, waiting, func() templ.Component { return tpl.OTP(vm) })
}

// waitingOTP reports whether c is a Pay Later charge waiting for its OTP.
func waitingOTP(c *charge) bool {
	return c.needsOTP && c.status == amazonpay.StatusCapturePending
}

// showWaiting shows a charge's page on Amazon (page), while the charge
// waits for the customer there; an unknown charge is a 404, and one no
// longer waiting sends the customer back to the merchant.
func (s *Simulator) showWaiting(w http.ResponseWriter, r *http.Request, c *charge, waiting bool, page func() templ.Component) {
	switch {
	case c == nil:
		s.shopperMessage(w, r, http.StatusNotFound, "sandbox.not_found.heading", "sandbox.not_found.message")
	case !waiting:
		s.backToMerchant(w, r, c)
	default:
		s.render(w, r, http.StatusOK, page())
	}
}

func (s *Simulator) submitOTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.shopperMessage(w, r, http.StatusBadRequest, "sandbox.bad_request.heading", "sandbox.bad_request.form")
		return
	}
	otp := strings.TrimSpace(r.PostForm.Get("otp"))
	var (
		c     *charge
		again bool // waiting, and no OTP was entered: show the page again
		left  int  // a wrong code, with this many tries left
	)
	err := s.do(r.Context(), func(t *txn) {
		c = t.chargeByAmazonID(r.PathValue("amazonChargeId"))
		switch {
		case c == nil || !waitingOTP(c):
		case otp == "":
			again = true
		case otp == OTPApprove:
			t.finish(c, amazonpay.StatusCaptureApproved, "", "")
		case otp != OTPDecline && c.otpTries+1 < maxOTPTries:
			c.otpTries++
			c.updated = t.now
			t.saveCharge(c)
			left = maxOTPTries - c.otpTries
		default:
			t.finish(c, amazonpay.StatusDeclined, ReasonCodeOTPFailed, "The one-time password was not correct.")
		}
	})
	switch {
	case err != nil:
		s.shopperMessage(w, r, http.StatusInternalServerError, "sandbox.error.heading", "sandbox.error.otp")
	case c == nil:
		s.shopperMessage(w, r, http.StatusNotFound, "sandbox.not_found.heading", "sandbox.not_found.message")
	case again:
		s.render(w, r, http.StatusUnprocessableEntity, tpl.OTP(s.otpPage(r, c, i18n.T(pageContext(r), "sandbox.otp.missing"))))
	case left > 0:
		s.render(w, r, http.StatusUnprocessableEntity, tpl.OTP(s.otpPage(r, c, i18n.N(pageContext(r), "sandbox.otp.tries_left", left))))
	default:
		s.backToMerchant(w, r, c)
	}
}

// backToMerchant sends the customer to the charge's callbackUrl with
// chargeId, amazonChargeId and status. The parameters are not signed:
// merchants must confirm with the status API.
func (s *Simulator) backToMerchant(w http.ResponseWriter, r *http.Request, c *charge) {
	params := url.Values{"chargeId": {c.id}, "amazonChargeId": {c.amazonID}, "status": {string(c.status)}}
	cb, _ := url.Parse(c.callbackURL)
	s.redirectTo(w, r, cb, params)
}
