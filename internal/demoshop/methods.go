package demoshop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/a-h/templ"

	tplshop "github.com/paypage/paypage/templates/shop"
)

// methodChoice is one answer to the cart's "which methods does this
// session offer" question, and the payment_filter that asks paypage for it.
type methodChoice struct {
	Value  string
	Label  string
	Filter *paymentFilter // nil: no filter, so every method the merchant has
}

// paymentFilter is Juspay's per-session payment_filter, in the shape
// Juspay's own clients send it.
type paymentFilter struct {
	AllowDefaultOptions bool           `json:"allowDefaultOptions"`
	Options             []filterOption `json:"options"`
}

// filterOption turns every method of one Juspay payment_method_type on or
// off.
type filterOption struct {
	PaymentMethodType string `json:"paymentMethodType"`
	Enable            bool   `json:"enable"`
}

// only is the filter that leaves just the methods of one
// payment_method_type.
func only(methodType string) *paymentFilter {
	return &paymentFilter{Options: []filterOption{{PaymentMethodType: methodType, Enable: true}}}
}

// defaultMethods is the choice preselected on the cart page.
const defaultMethods = "both"

// methodChoices are the cart's choices, in the order listed. The filters
// name Juspay's payment_method_types, as a merchant's backend would:
// CONSUMER_FINANCE is Amazon Pay Later and WALLET is Amazon Pay Balance.
var methodChoices = []methodChoice{
	{defaultMethods, "Both: Amazon Pay Later and Amazon Pay Balance", nil},
	{"paylater", "Amazon Pay Later only", only("CONSUMER_FINANCE")},
	{"balance", "Amazon Pay Balance only", only("WALLET")},
}

// methodChoiceFor returns the choice whose value is v.
func methodChoiceFor(v string) (methodChoice, bool) {
	for _, c := range methodChoices {
		if c.Value == v {
			return c, true
		}
	}
	return methodChoice{}, false
}

// methodOptions lists the choices for the select, with selected chosen.
func methodOptions(selected string) []tplshop.Option {
	var out []tplshop.Option
	for _, c := range methodChoices {
		out = append(out, tplshop.Option{Value: c.Value, Label: c.Label, Selected: c.Value == selected})
	}
	return out
}

// checkoutButton is how the cart template writes its checkout button; the
// methods picker goes just before it.
const checkoutButton = `<button type="submit" class="primary" data-testid="shop-checkout">`

// cartPage is the cart with the methods picker inside its checkout form.
// The picker is the shop's own: the shop's cart template has no place for
// it, so it is put in the rendered cart before the checkout button. Once
// tplshop.CartVM carries the choices, this splice goes.
func cartPage(vm tplshop.CartVM, methods []tplshop.Option) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var cart bytes.Buffer
		if err := tplshop.Cart(vm).Render(ctx, &cart); err != nil {
			return err
		}
		html := cart.String()
		at := strings.Index(html, checkoutButton)
		if at < 0 {
			return errors.New("demo shop: the cart has no checkout button to put the methods picker before")
		}
		if _, err := io.WriteString(w, html[:at]); err != nil {
			return err
		}
		if err := methodsPicker(methods).Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, html[at:])
		return err
	})
}
