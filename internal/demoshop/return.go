package demoshop

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/paypage/paypage/internal/i18n"
	tplshop "github.com/paypage/paypage/templates/shop"
)

// requiredReturnParams are the parameters paypage must add to every return.
var requiredReturnParams = []string{"order_id", "status", "status_id", paramSignature, paramSignatureAlgorithm}

// showReturn is the merchant's return URL. It checks the signature first,
// then asks the API for the order, as Juspay's kits do, and only then
// shows a status: the redirect itself is never trusted for the outcome.
func (s *Shop) showReturn(w http.ResponseWriter, r *http.Request) {
	values := r.URL.Query()
	r = withLanguage(r, "")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.message(w, r, http.StatusBadRequest, tplshop.MessageVM{Heading: i18n.T(r.Context(), "shop.return.bad"), Message: i18n.T(r.Context(), "shop.return.unreadable")})
			return
		}
		values = r.PostForm
		// The return URL's own lang, when the body has none.
		r = withLanguage(r, values.Get(langParam))
	}
	ctx := r.Context()
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
			Heading: i18n.T(ctx, "shop.return.bad"),
			Message: i18n.T(ctx, "shop.return.bad_params"),
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
			Heading: i18n.T(ctx, "shop.return.incomplete"),
			Message: i18n.T(ctx, "shop.return.missing"),
			Items:   missing,
		})
		return
	}

	orderID := params["order_id"]
	valid := strings.EqualFold(params[paramSignatureAlgorithm], "HMAC-SHA256") &&
		VerifyJuspaySignature(params, s.opts.ResponseKey, params[paramSignature])
	s.log.Info("demo shop return", "order_id", orderID, "status", params["status"], "signature_valid", valid)

	vm := tplshop.ResultVM{Page: page(ctx, i18n.T(ctx, "shop.result.title")), Valid: valid, Received: receivedFacts(params)}
	vm.AgainURL, vm.AgainText = vm.HomeURL, i18n.T(ctx, "shop.back")
	status := http.StatusOK
	o, err := s.orderStatus(r.Context(), orderID)
	switch {
	case err != nil:
		s.log.Error("demo shop order status", "order_id", orderID, "err", err)
		msg := i18n.T(ctx, "shop.result.api_down")
		status = http.StatusBadGateway
		var ae *apiError
		if errors.As(err, &ae) && ae.HTTPStatus == http.StatusNotFound {
			msg, status = i18n.T(ctx, "shop.result.no_order"), http.StatusNotFound
		}
		vm.Heading, vm.Tone = i18n.T(ctx, "shop.result.unknown"), "bad"
		vm.Warnings = append(vm.Warnings, msg)
		vm.Facts = []tplshop.Fact{{Label: i18n.T(ctx, "shop.fact.order"), Value: orderID, TestID: "shop-order-id"}}
	default:
		vm.Facts = []tplshop.Fact{
			{Label: i18n.T(ctx, "shop.fact.order"), Value: orderID, TestID: "shop-order-id"},
			{Label: i18n.T(ctx, "shop.fact.status"), Value: o.Status + " (" + strings.Trim(string(o.StatusID), `"`) + ")", TestID: "shop-status"},
			{Label: i18n.T(ctx, "shop.fact.amount"), Value: displayAmount(string(o.Amount)), TestID: "shop-amount"},
		}
		vm.Heading, vm.Tone = headingFor(ctx, o.Status)
		vm.Warnings = append(vm.Warnings, s.crossCheck(ctx, orderID, params["status"], o)...)
		vm.AgainURL = shopURL(ctx, Prefix+"/", url.Values{"phone": {tenDigits(o.CustomerPhone)}})
		vm.AgainText = i18n.T(ctx, "shop.result.again")
		// paypage serves the sandbox timeline page next to the shop
		// (web.SandboxOrderPath).
		vm.TimelineURL = "/sandbox/orders/" + url.PathEscape(orderID)
	}
	if !valid {
		// A forged or broken redirect must never look like a payment.
		vm.Heading, vm.Tone = i18n.T(ctx, "shop.result.forged"), "bad"
		vm.Warnings = append([]string{i18n.T(ctx, "shop.result.forged_note")}, vm.Warnings...)
		status = http.StatusBadRequest
	}
	s.render(w, r, status, tplshop.Result(vm))
}

// crossCheck compares the API's order with what the shop asked for and
// with what the redirect claimed, as Juspay tells merchants to.
func (s *Shop) crossCheck(ctx context.Context, orderID, redirectStatus string, o order) []string {
	var out []string
	if o.OrderID != "" && o.OrderID != orderID {
		out = append(out, i18n.T(ctx, "shop.warn.other_order", i18n.Args{"Order": o.OrderID}))
	}
	if want, ok := s.expectedAmount(orderID); ok {
		w, okW := parsePaise(want)
		g, okG := parsePaise(string(o.Amount))
		if !okW || !okG || w != g {
			out = append(out, i18n.T(ctx, "shop.warn.amount", i18n.Args{"API": displayAmount(string(o.Amount)), "Cart": displayAmount(want)}))
		}
	}
	if redirectStatus != o.Status {
		out = append(out, i18n.T(ctx, "shop.warn.status", i18n.Args{"Redirect": redirectStatus, "API": o.Status}))
	}
	return out
}

// headingFor maps an order status to a heading that names it, and a tone.
func headingFor(ctx context.Context, status string) (string, string) {
	id, tone := "shop.status.other", "pending"
	switch status {
	case "CHARGED":
		id, tone = "shop.status.charged", "ok"
	case "PENDING_VBV", "PENDING", "AUTHORIZING", "STARTED":
		id = "shop.status.pending"
	case "AUTHENTICATION_FAILED", "AUTHORIZATION_FAILED", "JUSPAY_DECLINED":
		id, tone = "shop.status.failed", "fail"
	case "NEW":
		id = "shop.status.new"
	case "AUTO_REFUNDED":
		id, tone = "shop.status.refunded", "fail"
	}
	return i18n.T(ctx, id, i18n.Args{"Status": status}), tone
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
