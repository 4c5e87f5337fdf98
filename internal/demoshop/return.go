package demoshop

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	tplshop "github.com/paypage/paypage/templates/shop"
)

// requiredReturnParams are the parameters paypage must add to every return.
var requiredReturnParams = []string{"order_id", "status", "status_id", paramSignature, paramSignatureAlgorithm}

// showReturn is the merchant's return URL. It checks the signature first,
// then asks the API for the order, as Juspay's kits do, and only then
// shows a status: the redirect itself is never trusted for the outcome.
func (s *Shop) showReturn(w http.ResponseWriter, r *http.Request) {
	values := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.message(w, r, http.StatusBadRequest, tplshop.MessageVM{Heading: "Bad return", Message: "The returned form could not be read."})
			return
		}
		values = r.PostForm
	}
	params := make(map[string]string, len(values))
	var bad []string
	for k, v := range values {
		params[k] = v[0]
		if p := plainTextProblem(k, maxReturnParamLen); p != "" {
			bad = append(bad, "a parameter name "+p)
		} else if p := plainTextProblem(v[0], maxReturnParamLen); p != "" {
			bad = append(bad, k+" "+p)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		s.message(w, r, http.StatusBadRequest, tplshop.MessageVM{
			Heading: "Bad return",
			Message: "paypage's return to the shop has parameters no order can have, so it was not looked up:",
			Items:   bad,
		})
		return
	}
	var missing []string
	for _, k := range requiredReturnParams {
		if params[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		s.message(w, r, http.StatusBadRequest, tplshop.MessageVM{
			Heading: "Incomplete return",
			Message: "paypage's return to the shop lacks these parameters, so the result cannot be verified:",
			Items:   missing,
		})
		return
	}

	orderID := params["order_id"]
	valid := strings.EqualFold(params[paramSignatureAlgorithm], "HMAC-SHA256") &&
		VerifyJuspaySignature(params, s.opts.ResponseKey, params[paramSignature])
	s.log.Info("demo shop return", "order_id", orderID, "status", params["status"], "signature_valid", valid)

	vm := tplshop.ResultVM{Page: page("Payment result"), Valid: valid, Received: receivedFacts(params)}
	vm.AgainURL, vm.AgainText = Prefix+"/", "Back to the shop"
	status := http.StatusOK
	o, err := s.orderStatus(r.Context(), orderID)
	switch {
	case err != nil:
		s.log.Error("demo shop order status", "order_id", orderID, "err", err)
		msg := "paypage's order status API did not answer; the result is unknown."
		status = http.StatusBadGateway
		var ae *apiError
		if errors.As(err, &ae) && ae.HTTPStatus == http.StatusNotFound {
			msg, status = "paypage does not know this order.", http.StatusNotFound
		}
		vm.Heading, vm.Tone = "Result unknown", "bad"
		vm.Warnings = append(vm.Warnings, msg)
		vm.Facts = []tplshop.Fact{{Label: "Order", Value: orderID, TestID: "shop-order-id"}}
	default:
		vm.Facts = []tplshop.Fact{
			{Label: "Order", Value: orderID, TestID: "shop-order-id"},
			{Label: "Status (API)", Value: o.Status + " (" + strings.Trim(string(o.StatusID), `"`) + ")", TestID: "shop-status"},
			{Label: "Amount (API)", Value: displayAmount(string(o.Amount)), TestID: "shop-amount"},
		}
		vm.Heading, vm.Tone = headingFor(o.Status)
		vm.Warnings = append(vm.Warnings, s.crossCheck(orderID, params["status"], o)...)
		vm.AgainURL, vm.AgainText = Prefix+"/?phone="+url.QueryEscape(tenDigits(o.CustomerPhone)), "Pay again"
		// paypage serves the sandbox timeline page next to the shop
		// (web.SandboxOrderPath).
		vm.TimelineURL = "/sandbox/orders/" + url.PathEscape(orderID)
	}
	if !valid {
		// A forged or broken redirect must never look like a payment.
		vm.Heading, vm.Tone = "Signature INVALID: this return is not trusted", "bad"
		vm.Warnings = append([]string{"The return's signature does not match the shop's response key, so the shop ignores what it says. Check the order in paypage before shipping anything."}, vm.Warnings...)
		status = http.StatusBadRequest
	}
	s.render(w, r, status, tplshop.Result(vm))
}

// crossCheck compares the API's order with what the shop asked for and
// with what the redirect claimed, as Juspay tells merchants to.
func (s *Shop) crossCheck(orderID, redirectStatus string, o order) []string {
	var out []string
	if o.OrderID != "" && o.OrderID != orderID {
		out = append(out, "The API answered for a different order ("+o.OrderID+").")
	}
	if want, ok := s.expectedAmount(orderID); ok {
		w, okW := parsePaise(want)
		g, okG := parsePaise(string(o.Amount))
		if !okW || !okG || w != g {
			out = append(out, "The API's amount "+displayAmount(string(o.Amount))+" differs from the cart's "+displayAmount(want)+".")
		}
	}
	if redirectStatus != o.Status {
		out = append(out, "The redirect said "+redirectStatus+"; the API now says "+o.Status+". The API wins.")
	}
	return out
}

// headingFor maps an order status to a heading that names it, and a tone.
func headingFor(status string) (string, string) {
	switch status {
	case "CHARGED":
		return "Payment successful: CHARGED", "ok"
	case "PENDING_VBV", "PENDING", "AUTHORIZING", "STARTED":
		return "Payment pending: " + status, "pending"
	case "AUTHENTICATION_FAILED", "AUTHORIZATION_FAILED", "JUSPAY_DECLINED":
		return "Payment failed: " + status, "fail"
	case "NEW":
		return "Payment not completed: NEW", "pending"
	case "AUTO_REFUNDED":
		return "Payment refunded: AUTO_REFUNDED", "fail"
	}
	return "Order status: " + status, "pending"
}

func receivedFacts(params map[string]string) []tplshop.Fact {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]tplshop.Fact, len(keys))
	for i, k := range keys {
		out[i] = tplshop.Fact{Label: k, Value: params[k]}
	}
	return out
}

// tenDigits keeps the last ten digits of a phone the API may have stored
// with a +91 prefix, so "pay again" preselects the same persona.
func tenDigits(phone string) string {
	var b strings.Builder
	for _, c := range phone {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	d := b.String()
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}
