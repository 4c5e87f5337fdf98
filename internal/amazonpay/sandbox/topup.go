package sandbox

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/paypage/paypage/internal/amazonpay"
	tpl "github.com/paypage/paypage/templates/amazonsandbox"
)

// Top-up decisions: the value of the decision field of each top-up form.
const (
	topUpPay    = "pay"
	topUpCancel = "cancel"
)

// ReasonTopUpCancelled describes a balance charge the customer cancelled on
// the top-up page. Its reason code is InsufficientFunds, the documented
// code for a charge that failed for lack of funds.
const ReasonTopUpCancelled = "The customer did not add money to the Amazon Pay balance."

// waitingTopUp reports whether c is a balance charge waiting on the top-up
// page.
func waitingTopUp(c *charge) bool {
	return c.needsTopUp && c.status == amazonpay.StatusCapturePending
}

func (s *Simulator) showTopUp(w http.ResponseWriter, r *http.Request) {
	var c *charge
	if err := s.do(r.Context(), func(t *txn) { c = t.chargeByAmazonID(r.PathValue("amazonChargeId")) }); err != nil {
		s.shopperMessage(w, r, http.StatusInternalServerError, "sandbox.error.heading", "sandbox.error.load")
		return
	}
	var vm tpl.TopUpVM
	waiting := c != nil && waitingTopUp(c)
	if waiting {
		vm = tpl.TopUpVM{
			Page: s.shopperPage(r, "sandbox.topup.heading"), Action: s.path("/topup/" + url.PathEscape(c.amazonID)),
			Amount: c.amount.Indian(), Balance: c.held.Indian(), Shortfall: c.topUp.Indian(), ChargeID: c.amazonID,
		}
	}
	s.showWaiting(w, r, c, waiting, func() templ.Component { return tpl.TopUp(vm) })
}

// submitTopUp pays or cancels a charge waiting on the top-up page and
// sends the customer back to its callbackUrl. A charge that is no longer
// waiting is left as it is, so a second submit changes nothing.
func (s *Simulator) submitTopUp(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.shopperMessage(w, r, http.StatusBadRequest, "sandbox.bad_request.heading", "sandbox.bad_request.form")
		return
	}
	decision := r.PostForm.Get("decision")
	if decision != topUpPay && decision != topUpCancel {
		s.shopperMessage(w, r, http.StatusBadRequest, "sandbox.bad_request.heading", "sandbox.bad_request.topup")
		return
	}
	var c *charge
	err := s.do(r.Context(), func(t *txn) {
		c = t.chargeByAmazonID(r.PathValue("amazonChargeId"))
		switch {
		case c == nil || !waitingTopUp(c):
		case decision == topUpPay:
			// The customer adds c.topUp by card or UPI on Amazon's page,
			// and the whole amount is paid from the balance.
			t.finish(c, amazonpay.StatusCaptureApproved, "", "")
		default:
			t.finish(c, amazonpay.StatusDeclined, ReasonCodeInsufficient, ReasonTopUpCancelled)
		}
	})
	switch {
	case err != nil:
		s.shopperMessage(w, r, http.StatusInternalServerError, "sandbox.error.heading", "sandbox.error.choice")
	case c == nil:
		s.shopperMessage(w, r, http.StatusNotFound, "sandbox.not_found.heading", "sandbox.not_found.message")
	default:
		s.backToMerchant(w, r, c)
	}
}
