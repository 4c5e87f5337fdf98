package checkout

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/i18n"
	"github.com/paypage/paypage/internal/money"
)

// SessionInput is a POST /session request as text, before validation. The
// web layer fills it from JSON, where numbers and strings are both accepted.
type SessionInput struct {
	OrderID             string
	Amount              string
	Currency            string
	CustomerID          string
	CustomerPhone       string
	CustomerEmail       string
	FirstName           string
	LastName            string
	Description         string
	ReturnURL           string
	PaymentPageClientID string
	Action              string
	UDF                 [10]string
	ExpiryInMins        string
	WebhookURL          string
	// PaymentFilter is Juspay's payment_filter as JSON text ("" when
	// none), narrowing the methods the page shows.
	PaymentFilter string
	// Language is the payment page's language, a code of i18n.Languages
	// ("hi"); "" leaves it to the shopper's browser.
	Language string
	// Metadata holds every metadata.* field (expiryInMins and webhook_url
	// among them) by its name after "metadata.", to echo in the order.
	Metadata map[string]string
}

// Defaults and limits for sessions.
const (
	DefaultExpiry = 15 * time.Minute
	MaxExpiryMins = 1440

	MaxMetadataKeys     = 50
	MaxMetadataKeyLen   = 64
	MaxMetadataValueLen = 1024
)

var (
	orderIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,21}$`)
	phonePattern   = regexp.MustCompile(`^(?:\+?91)?([0-9]{10})$`)
)

// NormalizePhone returns the 10-digit form of an Indian mobile number given
// with an optional +91 or 91 prefix, and whether it was valid.
func NormalizePhone(p string) (string, bool) {
	m := phonePattern.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// validate checks in against the merchant's settings and returns the order
// to create, or an Invalid error naming every bad field.
func (in SessionInput) validate(m Merchant, now time.Time) (Order, error) {
	var fields []errs.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, errs.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := func(field, v string, required bool, max int) {
		switch {
		case v == "" && required:
			bad(field, "is required")
		case !utf8.ValidString(v) || strings.ContainsFunc(v, isControl):
			bad(field, "must be plain text")
		case utf8.RuneCountInString(v) > max:
			bad(field, "must be at most %d characters", max)
		}
	}

	if in.OrderID == "" {
		bad("order_id", "is required")
	} else if !orderIDPattern.MatchString(in.OrderID) {
		bad("order_id", "must be 1-21 characters of A-Z a-z 0-9 _ -")
	}

	amount, err := money.Parse(in.Amount)
	switch {
	case err != nil:
		bad("amount", "%s", err.Error())
	case amount <= 0:
		bad("amount", "must be greater than 0")
	case amount > money.Max:
		bad("amount", "must be at most %s", money.Max.String())
	}

	switch in.Currency {
	case "":
		bad("currency", "is required")
	case "INR":
	default:
		bad("currency", "must be INR")
	}

	text("customer_id", in.CustomerID, true, 64)
	if in.CustomerPhone != "" {
		if _, ok := NormalizePhone(in.CustomerPhone); !ok {
			bad("customer_phone", "must be 10 digits, optionally prefixed with +91 or 91")
		}
	}
	if in.CustomerEmail != "" {
		if a, err := mail.ParseAddress(in.CustomerEmail); err != nil || a.Address != in.CustomerEmail || len(in.CustomerEmail) > 254 {
			bad("customer_email", "must be an email address such as name@example.com")
		}
	}
	text("first_name", in.FirstName, false, 255)
	text("last_name", in.LastName, false, 255)
	text("description", in.Description, false, 1024)
	text("payment_page_client_id", in.PaymentPageClientID, false, 64)
	if in.Action != "" && in.Action != "paymentPage" {
		bad("action", "must be paymentPage")
	}
	for i, v := range in.UDF {
		text("udf"+strconv.Itoa(i+1), v, false, 255)
	}

	returnURL := in.ReturnURL
	if returnURL == "" {
		returnURL = m.DefaultReturnURL
	}
	if returnURL == "" {
		bad("return_url", "is required (this merchant has no default return URL)")
	} else if err := checkPrefixes(returnURL, m.ReturnURLPrefixes); err != nil {
		bad("return_url", "%s", prefixMessage(err, "must start with one of the merchant's registered return URL prefixes"))
	} else if problem := returnQueryProblem(returnURL); problem != "" {
		bad("return_url", "%s", problem)
	}
	if in.WebhookURL != "" {
		if err := checkPrefixes(in.WebhookURL, append(append([]string{}, m.ReturnURLPrefixes...), webhookPrefixes(m)...)); err != nil {
			bad("metadata.webhook_url", "%s", prefixMessage(err, "must start with one of the merchant's registered URL prefixes"))
		}
	}

	if len(in.Metadata) > MaxMetadataKeys {
		bad("metadata", "must have at most %d fields", MaxMetadataKeys)
	} else {
		for _, k := range slices.Sorted(maps.Keys(in.Metadata)) {
			text("metadata."+k, in.Metadata[k], false, MaxMetadataValueLen)
			if k == "" || utf8.RuneCountInString(k) > MaxMetadataKeyLen {
				bad("metadata."+k, "must have a name of 1 to %d characters", MaxMetadataKeyLen)
			}
		}
	}

	if in.Language != "" && !i18n.Valid(in.Language) {
		bad("language", "must be one of %s", strings.Join(i18n.Codes(), ", "))
	}

	filter, filterProblems := parsePaymentFilter(in.PaymentFilter)
	fields = append(fields, filterProblems...)

	expiry := DefaultExpiry
	if in.ExpiryInMins != "" {
		n, err := strconv.Atoi(in.ExpiryInMins)
		if err != nil || n < 1 || n > MaxExpiryMins {
			bad("metadata.expiryInMins", "must be a whole number of minutes from 1 to %d", MaxExpiryMins)
		}
		expiry = time.Duration(n) * time.Minute
	}

	if len(fields) > 0 {
		return Order{}, errs.Fields("invalid.request", fields...)
	}
	return Order{
		ID:                  NewOrderID(),
		MerchantID:          m.ID,
		OrderID:             in.OrderID,
		Amount:              amount,
		Currency:            in.Currency,
		CustomerID:          in.CustomerID,
		CustomerEmail:       in.CustomerEmail,
		CustomerPhone:       in.CustomerPhone,
		FirstName:           in.FirstName,
		LastName:            in.LastName,
		Description:         in.Description,
		ReturnURL:           returnURL,
		WebhookURL:          in.WebhookURL,
		PaymentPageClientID: in.PaymentPageClientID,
		UDF:                 in.UDF,
		Metadata:            maps.Clone(in.Metadata),
		PaymentFilter:       filter,
		Language:            in.Language,
		Status:              StatusNew,
		ExpiresAt:           now.Add(expiry).Truncate(time.Second),
	}, nil
}

func webhookPrefixes(m Merchant) []string {
	if m.WebhookURL == "" {
		return nil
	}
	return []string{m.WebhookURL}
}

// prefixMessage words a checkPrefixes error for a field: what is malformed,
// or outside when the URL is well formed but not under a prefix.
func prefixMessage(err error, outside string) string {
	if errors.Is(err, errOutsidePrefixes) {
		return outside
	}
	return err.Error()
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }
