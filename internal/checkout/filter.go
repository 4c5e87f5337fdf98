package checkout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/paypage/paypage/internal/errs"
)

// PaymentFilter is Juspay's per-session payment_filter: with AllowDefault
// every method the merchant offers shows unless an option turns it off;
// without, only the methods an option turns on show.
type PaymentFilter struct {
	AllowDefault bool           `json:"allowDefaultOptions"`
	Options      []FilterOption `json:"options"`
}

// FilterOption turns methods of a payment_method_type on or off, all of
// them or only those named in Methods.
type FilterOption struct {
	Type    string   `json:"paymentMethodType"`
	Methods []string `json:"paymentMethods,omitempty"`
	Enable  bool     `json:"enable"`
}

// Allows reports whether the filter lets method k show: the option naming
// k's method decides, else one for k's whole type, else AllowDefault.
func (f *PaymentFilter) Allows(k MethodKind) bool {
	if f == nil {
		return true
	}
	decided, allow := false, f.AllowDefault
	for _, o := range f.Options {
		switch {
		case o.Type != k.Type:
		case slices.Contains(o.Methods, k.Name):
			return o.Enable
		case len(o.Methods) == 0 && !decided:
			decided, allow = true, o.Enable
		}
	}
	return allow
}

// maxFilterOptions bounds a payment_filter's options.
const maxFilterOptions = 50

// parsePaymentFilter reads a payment_filter given as JSON text; "" is none.
// Keys it does not use (emiOptions, say) are ignored, as Juspay clients
// send more than paypage needs.
func parsePaymentFilter(raw string) (*PaymentFilter, []errs.FieldError) {
	if raw == "" {
		return nil, nil
	}
	bad := func(field, format string, args ...any) []errs.FieldError {
		return []errs.FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}
	}
	var w struct {
		AllowDefault *bool             `json:"allowDefaultOptions"`
		Options      []json.RawMessage `json:"options"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	if err := dec.Decode(&w); err != nil || dec.More() {
		return nil, bad("payment_filter", "must be an object with allowDefaultOptions and options[]")
	}
	if len(w.Options) > maxFilterOptions {
		return nil, bad("payment_filter.options", "must have at most %d entries", maxFilterOptions)
	}
	f := &PaymentFilter{AllowDefault: w.AllowDefault == nil || *w.AllowDefault}
	for i, rawOpt := range w.Options {
		field := fmt.Sprintf("payment_filter.options[%d]", i)
		var o struct {
			Type    *string  `json:"paymentMethodType"`
			Methods []string `json:"paymentMethods"`
			Enable  *bool    `json:"enable"`
		}
		if err := json.Unmarshal(rawOpt, &o); err != nil {
			return nil, bad(field, "must be an object with paymentMethodType and enable")
		}
		switch {
		case o.Type == nil || *o.Type == "":
			return nil, bad(field+".paymentMethodType", "is required")
		case o.Enable == nil:
			return nil, bad(field+".enable", "is required (true or false)")
		}
		f.Options = append(f.Options, FilterOption{Type: *o.Type, Methods: o.Methods, Enable: *o.Enable})
	}
	return f, nil
}
