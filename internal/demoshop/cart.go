package demoshop

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/i18n"
	tplshop "github.com/paypage/paypage/templates/shop"
)

// The product the shop sells (its name and note are the catalogue's
// shop.product.*); the amount field lets a person change the price to
// exercise eligibility limits.
const (
	productName   = "Wireless headphones" // in the session's description, for the merchant
	defaultAmount = "1499.00"
	shownWebhooks = 10
)

// cartForm is the checkout form as posted.
type cartForm struct {
	Amount     string
	Phone      string
	CustomerID string
	Methods    string // a methodChoice value
	Language   string // the payment page's language; "": the shopper's browser
}

// cartField is one field of the checkout form, as the page labels it.
type cartField struct {
	name, label string
	value       *string
	max         int
}

func (f *cartForm) fields() []cartField {
	return []cartField{
		{"amount", "Amount", &f.Amount, maxAmountLen},
		{"phone", "Shopper phone", &f.Phone, maxPhoneLen},
		{"customer_id", "Customer id", &f.CustomerID, maxCustomerIDLen},
	}
}

// validate names every field that must not reach paypage and cleans it for
// showing back, or returns "" when all can go. Whether the amount is a
// decimal is left to the API, whose answer the page shows.
func (f *cartForm) validate() string {
	var problems []string
	for _, c := range f.fields() {
		if p := plainTextProblem(*c.value, c.max); p != "" {
			problems = append(problems, c.label+" ("+c.name+") "+p)
			*c.value = printable(*c.value, c.max)
		}
	}
	if _, ok := methodChoiceFor(f.Methods); !ok {
		problems = append(problems, "Payment methods offered (methods) must be one of both, paylater or balance")
		f.Methods = defaultMethods
	}
	if f.Language != "" && !i18n.Valid(f.Language) {
		problems = append(problems, "Payment page language (language) must be one of "+strings.Join(i18n.Codes(), ", ")+" or empty")
		f.Language = ""
	}
	if len(problems) == 0 {
		return ""
	}
	return strings.Join(problems, "; ") + "."
}

func (s *Shop) showCart(w http.ResponseWriter, r *http.Request) {
	f := cartForm{Amount: defaultAmount, Phone: defaultPhone, Methods: defaultMethods}
	// ?phone= lets the result page's "pay again" link keep the persona.
	if p := r.URL.Query().Get("phone"); p != "" && plainTextProblem(p, maxPhoneLen) == "" {
		f.Phone = p
	}
	r = withLanguage(r, "")
	f.Language = pickedLang(r.Context())
	s.renderCart(w, r, http.StatusOK, f, "")
}

func (s *Shop) renderCart(w http.ResponseWriter, r *http.Request, status int, f cartForm, errMsg string) {
	ctx := r.Context()
	vm := tplshop.CartVM{
		Page:                  page(ctx, i18n.T(ctx, "shop.cart.title")),
		Action:                Prefix + "/checkout",
		Product:               i18n.T(ctx, "shop.product.name"),
		ProductNote:           i18n.T(ctx, "shop.product.note"),
		Amount:                f.Amount,
		CustomerID:            f.CustomerID,
		CustomerIDPlaceholder: customerIDFor("<phone>"),
		Error:                 errMsg,
	}
	known := false
	for _, p := range personas {
		sel := p.Phone == f.Phone
		known = known || sel
		vm.Personas = append(vm.Personas, tplshop.Option{Value: p.Phone, Label: p.Phone + ": " + p.Description, Selected: sel})
	}
	if !known && f.Phone != "" {
		vm.Personas = append(vm.Personas, tplshop.Option{Value: f.Phone, Label: f.Phone + ": " + i18n.T(ctx, "shop.persona.other"), Selected: true})
	}
	hooks := s.webhooks.list()
	vm.WebhookCount = len(hooks)
	for i := len(hooks) - 1; i >= 0 && len(vm.Webhooks) < shownWebhooks; i-- {
		h := hooks[i]
		vm.Webhooks = append(vm.Webhooks, tplshop.WebhookRow{
			Received: h.ReceivedAt.Format("15:04:05"),
			Event:    orDash(h.EventName),
			OrderID:  orDash(h.OrderID),
			Status:   orDash(h.Status),
			Verified: h.Verified,
			Reason:   h.Reason,
		})
	}
	vm.Methods = methodOptions(ctx, f.Methods)
	vm.Languages = languageOptions(ctx, f.Language)
	s.render(w, r, status, tplshop.Cart(vm))
}

// checkout creates a payment session through the merchant API and sends
// the shopper to paypage's payment page, as a merchant backend would.
func (s *Shop) checkout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		r = withLanguage(r, "")
		msg := i18n.T(r.Context(), "shop.error.form")
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			msg = i18n.T(r.Context(), "shop.error.form_size")
		}
		s.renderCart(w, r, http.StatusBadRequest, cartForm{Amount: defaultAmount, Phone: defaultPhone, Methods: defaultMethods}, msg)
		return
	}
	f := cartForm{
		Amount:     strings.TrimSpace(r.PostForm.Get("amount")),
		Phone:      strings.TrimSpace(r.PostForm.Get("phone")),
		CustomerID: strings.TrimSpace(r.PostForm.Get("customer_id")),
		Methods:    r.PostForm.Get("methods"),
		Language:   r.PostForm.Get("language"),
	}
	// The payment page's language is the shop's too.
	r = withLanguage(r, f.Language)
	ctx := r.Context()
	if f.Methods == "" {
		// A form from before the shop asked offers every method.
		f.Methods = defaultMethods
	}
	if msg := f.validate(); msg != "" {
		s.log.Info("demo shop checkout refused a field", "problem", msg)
		s.renderCart(w, r, http.StatusBadRequest, f, msg)
		return
	}
	choice, _ := methodChoiceFor(f.Methods)
	customerID := f.CustomerID
	if customerID == "" {
		customerID = customerIDFor(f.Phone)
	}
	req := sessionRequest{
		OrderID: newOrderID(),
		// People type "1,499.00"; the API takes plain decimals.
		Amount:        strings.ReplaceAll(f.Amount, ",", ""),
		Currency:      "INR",
		CustomerID:    customerID,
		CustomerPhone: f.Phone,
		CustomerEmail: "shopper" + f.Phone + "@example.com",
		FirstName:     "Demo",
		LastName:      "Shopper",
		Description:   "Demo shop: " + productName,
		ReturnURL:     returnURLFor(s.opts.BaseURL, f.Language),
		Action:        "paymentPage",
		PaymentFilter: choice.Filter,
		Language:      f.Language,
		Metadata:      sessionMetadata{WebhookURL: WebhookURL(s.opts.BaseURL)},
	}
	sess, err := s.createSession(r.Context(), req)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.HTTPStatus < 500 {
			s.log.Info("demo shop checkout rejected", "order_id", req.OrderID, "status", ae.HTTPStatus, "message", ae.Message)
			s.renderCart(w, r, http.StatusBadRequest, f, i18n.T(ctx, "shop.error.rejected", i18n.Args{"Message": ae.Message}))
			return
		}
		s.log.Error("demo shop checkout failed", "order_id", req.OrderID, "err", err)
		s.renderCart(w, r, http.StatusBadGateway, f, i18n.T(ctx, "shop.error.api_down"))
		return
	}
	link, err := url.Parse(sess.PaymentLinks.Web)
	if err != nil || (link.Scheme != "http" && link.Scheme != "https") || link.Host == "" {
		s.log.Error("demo shop checkout: bad payment link", "order_id", req.OrderID, "link", sess.PaymentLinks.Web)
		s.renderCart(w, r, http.StatusBadGateway, f, i18n.T(ctx, "shop.error.no_link"))
		return
	}
	s.rememberAmount(req.OrderID, req.Amount)
	http.Redirect(w, r, link.String(), http.StatusSeeOther)
}

// returnURLFor is the shop's return URL with a merchant parameter of its
// own, whose space and colons exercise the encoding of signed merchant
// parameters, and the language picked on the cart, so the result page
// speaks it.
func returnURLFor(baseURL, lang string) string {
	q := url.Values{"cart": {"headphones:1 case:0"}}
	if lang != "" {
		q.Set(langParam, lang)
	}
	return ReturnURL(baseURL) + "?" + q.Encode()
}

// newOrderID is "shop" + UTC time to the second + 4 random hex digits:
// 21 characters of [A-Za-z0-9-], unique enough for a demo and sortable.
func newOrderID() string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return "shop" + time.Now().UTC().Format("060102150405") + "-" + hex.EncodeToString(b[:])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
