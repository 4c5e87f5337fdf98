package demoshop

import (
	"context"

	"github.com/paypage/paypage/internal/i18n"
	tplshop "github.com/paypage/paypage/templates/shop"
)

// methodChoice is one answer to the cart's "which methods does this
// session offer" question, and the payment_filter that asks paypage for it.
type methodChoice struct {
	Value  string
	Label  string         // message id of its label in the catalogue
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
	{defaultMethods, "shop.methods.both", nil},
	{"paylater", "shop.methods.paylater", only("CONSUMER_FINANCE")},
	{"balance", "shop.methods.balance", only("WALLET")},
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
func methodOptions(ctx context.Context, selected string) []tplshop.Option {
	var out []tplshop.Option
	for _, c := range methodChoices {
		out = append(out, tplshop.Option{Value: c.Value, Label: i18n.T(ctx, c.Label), Selected: c.Value == selected})
	}
	return out
}

// languageOptions lists the payment page's languages for the select, the
// shopper's browser first, with selected chosen.
func languageOptions(ctx context.Context, selected string) []tplshop.Option {
	out := []tplshop.Option{{Value: "", Label: i18n.T(ctx, "shop.language.browser"), Selected: selected == ""}}
	for _, l := range i18n.Languages {
		out = append(out, tplshop.Option{Value: l.Code, Label: l.Name + " (" + l.Code + ")", Selected: l.Code == selected})
	}
	return out
}
