package checkout

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/errs"
)

// Return methods a merchant may choose for the browser's way back.
const (
	ReturnGET  = "GET"
	ReturnPOST = "POST"
)

// Merchant is a business that calls the API. APIKeyHash is the SHA-256 of
// the API key, which is shown once at creation and never stored.
type Merchant struct {
	ID string
	// Name is the merchant's display name: what shoppers see on the
	// payment page ("Pay Acme", "Back to Acme"). The id is never shown.
	Name       string
	APIKeyHash []byte
	// APIKeyHashPrevious is the hash of the key the last rotation replaced,
	// accepted until APIKeyPreviousUntil; nil if never rotated.
	APIKeyHashPrevious  []byte
	APIKeyPreviousUntil time.Time
	ResponseKey         string
	WebhookUsername     string
	WebhookPassword     string
	WebhookSecret       string
	// WebhookPreviousUntil is until when webhooks are also signed with the
	// secret the last rotation replaced; zero if never rotated.
	WebhookPreviousUntil time.Time
	WebhookURL           string
	ReturnURLPrefixes    []string
	DefaultReturnURL     string
	ReturnMethod         string
	// Methods names the payment methods (Juspay payment_method names) the
	// merchant offers; empty offers every configured method.
	Methods []string
	Brand   Brand
	// MaxFailedAttempts is how many failed attempts an order may have
	// before its page stops offering retries (see RetriesExhausted).
	MaxFailedAttempts int
	CreatedAt         time.Time
}

// Brand is how a merchant's payment pages look and whom shoppers may ask
// for help, besides its name. Every field may be empty.
type Brand struct {
	Color        string // "#rrggbb", white text on it passing 4.5:1
	SupportEmail string
	SupportPhone string
	// Logo describes the stored logo, nil if none; its Data is read only
	// to serve it.
	Logo *brand.Logo
}

// Credentials are a merchant's secrets as issued, printed once.
type Credentials struct {
	MerchantID      string `json:"merchant_id"`
	APIKey          string `json:"api_key"`
	ResponseKey     string `json:"response_key"`
	WebhookUsername string `json:"webhook_username"`
	WebhookPassword string `json:"webhook_password"`
	WebhookSecret   string `json:"webhook_secret"`
}

// NewMerchant describes a merchant to create.
type NewMerchant struct {
	ID                string
	Name              string
	ReturnURLPrefixes []string
	DefaultReturnURL  string
	WebhookURL        string
	ReturnMethod      string
	Methods           []string // payment_method names; empty: all
	BrandColor        string   // "#RRGGBB"; empty: paypage's own
	SupportEmail      string
	SupportPhone      string
	Logo              []byte // PNG, JPEG or WebP file content; empty: none
	// MaxFailedAttempts is 1..25; zero means DefaultMaxFailedAttempts.
	MaxFailedAttempts int
}

var merchantIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// HashAPIKey returns the stored form of an API key. Keys carry 256 bits of
// randomness, so a plain SHA-256 is enough to make a leaked table useless.
func HashAPIKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

// IssueCredentials generates fresh random secrets for merchant id.
func IssueCredentials(id string) (Credentials, error) {
	var c Credentials
	c.MerchantID = id
	for _, f := range []struct {
		dst    *string
		prefix string
	}{
		{&c.APIKey, "pk_"}, {&c.ResponseKey, "rk_"}, {&c.WebhookPassword, ""},
	} {
		b, err := randomBytes(32)
		if err != nil {
			return Credentials{}, err
		}
		*f.dst = f.prefix + base64.RawURLEncoding.EncodeToString(b)
	}
	var err error
	if c.WebhookSecret, err = NewWebhookSecret(); err != nil {
		return Credentials{}, err
	}
	c.WebhookUsername = id
	return c, nil
}

// NewWebhookSecret returns a fresh Standard Webhooks signing secret of 32
// random key bytes.
func NewWebhookSecret() (string, error) {
	key, err := randomBytes(32)
	if err != nil {
		return "", err
	}
	return EncodeWebhookSecret(key), nil
}

// EncodeWebhookSecret writes HMAC key bytes as a webhook secret in the
// Standard Webhooks form, "whsec_" + standard base64 with padding, which
// the official libraries decode back to key.
func EncodeWebhookSecret(key []byte) string {
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("read random: %w", err)
	}
	return b, nil
}

// BuildMerchant validates nm and combines it with credentials into the
// record to store.
func BuildMerchant(nm NewMerchant, c Credentials) (Merchant, error) {
	var fields []errs.FieldError
	if !merchantIDPattern.MatchString(nm.ID) {
		fields = append(fields, errs.FieldError{Field: "id", Message: "must be 1-64 of A-Z a-z 0-9 _ -"})
	}
	m := Merchant{
		ID:              nm.ID,
		APIKeyHash:      HashAPIKey(c.APIKey),
		ResponseKey:     c.ResponseKey,
		WebhookUsername: c.WebhookUsername,
		WebhookPassword: c.WebhookPassword,
		WebhookSecret:   c.WebhookSecret,
	}
	m, more := withSettings(m, nm)
	fields = append(fields, more...)
	m.Brand.Logo, more = checkedLogo(nm.Logo)
	fields = append(fields, more...)
	if len(fields) > 0 {
		return Merchant{}, errs.Fields("invalid.merchant", fields...)
	}
	return m, nil
}

// checkedLogo checks a logo file's content; empty content is no logo.
func checkedLogo(data []byte) (*brand.Logo, []errs.FieldError) {
	if len(data) == 0 {
		return nil, nil
	}
	logo, err := brand.CheckLogo(data)
	if err != nil {
		return nil, []errs.FieldError{{Field: "logo", Message: err.Error()}}
	}
	return &logo, nil
}

// withSettings checks the settings in nm (all but the id) and returns m
// carrying them, normalised; creation and updates share these rules.
func withSettings(m Merchant, nm NewMerchant) (Merchant, []errs.FieldError) {
	var fields []errs.FieldError
	if strings.TrimSpace(nm.Name) == "" {
		fields = append(fields, errs.FieldError{Field: "name", Message: "is required"})
	}
	if len(nm.ReturnURLPrefixes) == 0 {
		fields = append(fields, errs.FieldError{Field: "return-url-prefix", Message: "at least one is required"})
	}
	for _, p := range nm.ReturnURLPrefixes {
		if _, err := parsePrefix(p); err != nil {
			fields = append(fields, errs.FieldError{Field: "return-url-prefix", Message: err.Error()})
		}
	}
	if nm.WebhookURL != "" {
		if _, err := parsePrefix(nm.WebhookURL); err != nil {
			fields = append(fields, errs.FieldError{Field: "webhook-url", Message: err.Error()})
		}
	}
	if nm.DefaultReturnURL != "" && !MatchesPrefix(nm.DefaultReturnURL, nm.ReturnURLPrefixes) {
		fields = append(fields, errs.FieldError{Field: "default-return-url", Message: "must start with a return URL prefix"})
	}
	method := strings.ToUpper(nm.ReturnMethod)
	if method == "" {
		method = ReturnGET
	}
	if method != ReturnGET && method != ReturnPOST {
		fields = append(fields, errs.FieldError{Field: "return-method", Message: "must be GET or POST"})
	}
	for i, name := range nm.Methods {
		if name == "" || slices.Contains(nm.Methods[:i], name) {
			fields = append(fields, errs.FieldError{Field: "methods", Message: "must name each payment method once"})
			break
		}
	}
	var err error
	if m.Brand.Color, err = optional(nm.BrandColor, brand.CheckColor); err != nil {
		fields = append(fields, errs.FieldError{Field: "brand-color", Message: err.Error()})
	}
	if m.Brand.SupportEmail, err = optional(nm.SupportEmail, brand.CheckEmail); err != nil {
		fields = append(fields, errs.FieldError{Field: "support-email", Message: err.Error()})
	}
	if m.Brand.SupportPhone, err = optional(nm.SupportPhone, brand.CheckPhone); err != nil {
		fields = append(fields, errs.FieldError{Field: "support-phone", Message: err.Error()})
	}
	maxFailed := nm.MaxFailedAttempts
	if maxFailed == 0 {
		maxFailed = DefaultMaxFailedAttempts
	}
	fields = append(fields, checkMaxFailedAttempts(maxFailed)...)
	m.MaxFailedAttempts = maxFailed
	m.Name = strings.TrimSpace(nm.Name)
	m.WebhookURL = nm.WebhookURL
	m.ReturnURLPrefixes = slices.Clone(nm.ReturnURLPrefixes)
	m.DefaultReturnURL = nm.DefaultReturnURL
	m.ReturnMethod = method
	m.Methods = slices.Clone(nm.Methods)
	return m, fields
}

// optional checks a setting that may be left empty: empty (or blank) stays
// empty, anything else must pass check.
func optional(v string, check func(string) (string, error)) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	return check(v)
}

// parsePrefix checks that a registered prefix is a strict URL (see
// parseStrictURL) without a query or fragment, so that the same ambiguous
// forms are refused in a prefix as in the URLs matched against it.
func parsePrefix(p string) (strictURL, error) {
	u, err := parseStrictURL(p)
	if err != nil {
		return strictURL{}, err
	}
	if u.hasQuery || u.hasFragment {
		return strictURL{}, fmt.Errorf("must not have a query or fragment")
	}
	return u, nil
}
