package checkout

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/errs"
)

// Actions recorded in the merchant audit trail.
const (
	ActionCreate              = "create"
	ActionUpdate              = "update"
	ActionRotateAPIKey        = "rotate-api-key"
	ActionRotateResponseKey   = "rotate-response-key"
	ActionRotateWebhookSecret = "rotate-webhook-secret"
)

// MerchantChange is one entry of the merchant audit trail, which the store
// writes in the transaction of the change itself. Changes maps the fields
// set to their new values; a secret appears only as "issued" or "rotated".
type MerchantChange struct {
	MerchantID string
	Action     string
	Actor      string
	Changes    map[string]any
	At         time.Time
}

// MaxAPIKeyGrace bounds how long a replaced API key may keep working.
const MaxAPIKeyGrace = 7 * 24 * time.Hour

// MerchantSettings is what may be shown of a merchant: its settings and
// when replaced secrets stop working, never a secret or a hash.
type MerchantSettings struct {
	MerchantID        string   `json:"merchant_id"`
	Name              string   `json:"name"`
	ReturnURLPrefixes []string `json:"return_url_prefixes"`
	DefaultReturnURL  string   `json:"default_return_url"`
	WebhookURL        string   `json:"webhook_url"`
	WebhookUsername   string   `json:"webhook_username"`
	ReturnMethod      string   `json:"return_method"`
	// Methods are payment_method names; empty offers every method.
	Methods      []string      `json:"methods"`
	BrandColor   string        `json:"brand_color"`
	SupportEmail string        `json:"support_email"`
	SupportPhone string        `json:"support_phone"`
	Logo         *LogoSettings `json:"logo"` // null: none
	// MaxFailedAttempts is when an order's page stops offering retries.
	MaxFailedAttempts        int        `json:"max_failed_attempts"`
	CreatedAt                time.Time  `json:"created_at"`
	PreviousAPIKeyValidUntil *time.Time `json:"previous_api_key_valid_until,omitempty"`
	PreviousSecretValidUntil *time.Time `json:"previous_webhook_secret_valid_until,omitempty"`
}

// LogoSettings describes a stored logo by its fingerprint, never its bytes.
type LogoSettings struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

func logoSettings(l *brand.Logo) *LogoSettings {
	if l == nil {
		return nil
	}
	return &LogoSettings{SHA256: l.SHA256, ContentType: l.ContentType, Size: l.Size, Width: l.Width, Height: l.Height}
}

// Settings returns what may be shown of m.
func (m Merchant) Settings() MerchantSettings {
	s := MerchantSettings{
		MerchantID: m.ID, Name: m.Name, ReturnURLPrefixes: nonNilList(m.ReturnURLPrefixes),
		DefaultReturnURL: m.DefaultReturnURL, WebhookURL: m.WebhookURL, WebhookUsername: m.WebhookUsername,
		ReturnMethod: m.ReturnMethod, Methods: nonNilList(m.Methods), CreatedAt: m.CreatedAt,
		BrandColor: m.Brand.Color, SupportEmail: m.Brand.SupportEmail, SupportPhone: m.Brand.SupportPhone,
		Logo:              logoSettings(m.Brand.Logo),
		MaxFailedAttempts: maxFailedAttempts(m),
	}
	if !m.APIKeyPreviousUntil.IsZero() {
		t := m.APIKeyPreviousUntil
		s.PreviousAPIKeyValidUntil = &t
	}
	if !m.WebhookPreviousUntil.IsZero() {
		t := m.WebhookPreviousUntil
		s.PreviousSecretValidUntil = &t
	}
	return s
}

func nonNilList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return slices.Clone(l)
}

// MerchantUpdate names the settings to change; a nil field stays as it is.
// A given list replaces the stored one.
type MerchantUpdate struct {
	Name              *string
	ReturnURLPrefixes *[]string
	DefaultReturnURL  *string
	WebhookURL        *string
	ReturnMethod      *string
	Methods           *[]string // payment_method names; empty: all
	BrandColor        *string   // empty: paypage's own colour
	SupportEmail      *string   // empty: none
	SupportPhone      *string   // empty: none
	Logo              *[]byte   // the new logo file's content; empty: remove it
	MaxFailedAttempts *int      // 1..25
}

// ApplyUpdate returns m with u applied and the audit changes it makes,
// checked as a whole by the rules of BuildMerchant (so new prefixes must
// still cover the default return URL). An empty update is Invalid.
func ApplyUpdate(m Merchant, u MerchantUpdate) (Merchant, map[string]any, error) {
	nm := NewMerchant{ID: m.ID, Name: m.Name, ReturnURLPrefixes: m.ReturnURLPrefixes, DefaultReturnURL: m.DefaultReturnURL,
		WebhookURL: m.WebhookURL, ReturnMethod: m.ReturnMethod, Methods: m.Methods,
		BrandColor: m.Brand.Color, SupportEmail: m.Brand.SupportEmail, SupportPhone: m.Brand.SupportPhone,
		MaxFailedAttempts: maxFailedAttempts(m)}
	given := map[string]bool{}
	setGiven(&nm.Name, u.Name, "name", given)
	setGiven(&nm.ReturnURLPrefixes, u.ReturnURLPrefixes, "return_url_prefixes", given)
	setGiven(&nm.DefaultReturnURL, u.DefaultReturnURL, "default_return_url", given)
	setGiven(&nm.WebhookURL, u.WebhookURL, "webhook_url", given)
	setGiven(&nm.ReturnMethod, u.ReturnMethod, "return_method", given)
	setGiven(&nm.Methods, u.Methods, "methods", given)
	setGiven(&nm.BrandColor, u.BrandColor, "brand_color", given)
	setGiven(&nm.SupportEmail, u.SupportEmail, "support_email", given)
	setGiven(&nm.SupportPhone, u.SupportPhone, "support_phone", given)
	setGiven(&nm.Logo, u.Logo, "logo", given)
	if setGiven(&nm.MaxFailedAttempts, u.MaxFailedAttempts, "max_failed_attempts", given) {
		if nm.MaxFailedAttempts == 0 {
			nm.MaxFailedAttempts = -1 // zero means "default" only when creating
		}
	}
	if len(given) == 0 {
		return Merchant{}, nil, errs.Fields("invalid.merchant", errs.FieldError{Field: "update", Message: "names no setting to change"})
	}
	updated, fields := withSettings(m, nm)
	if u.Logo != nil {
		var more []errs.FieldError
		updated.Brand.Logo, more = checkedLogo(*u.Logo)
		fields = append(fields, more...)
	}
	if len(fields) > 0 {
		return Merchant{}, nil, errs.Fields("invalid.merchant", fields...)
	}
	all := settingChanges(updated)
	changes := map[string]any{}
	for f := range given {
		changes[f] = all[f]
	}
	return updated, changes, nil
}

// setGiven sets *dst to *v and notes field as given, when v is set.
func setGiven[T any](dst, v *T, field string, given map[string]bool) bool {
	if v == nil {
		return false
	}
	*dst, given[field] = *v, true
	return true
}

// settingChanges maps the settings of m, by audit field name, to their
// values.
func settingChanges(m Merchant) map[string]any {
	s := m.Settings()
	return map[string]any{
		"name": s.Name, "return_url_prefixes": s.ReturnURLPrefixes, "default_return_url": s.DefaultReturnURL,
		"webhook_url": s.WebhookURL, "return_method": s.ReturnMethod, "methods": s.Methods,
		"brand_color": s.BrandColor, "support_email": s.SupportEmail, "support_phone": s.SupportPhone, "logo": s.Logo,
		"max_failed_attempts": s.MaxFailedAttempts,
	}
}

// checkActor refuses a change nobody would be recorded as making.
func checkActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return errs.Fields("invalid.actor", errs.FieldError{Field: "actor", Message: "is required"})
	}
	return nil
}

// change returns the audit entry of action on merchant id by actor, now.
func (s *Service) change(id, action, actor string, changes map[string]any) MerchantChange {
	return MerchantChange{MerchantID: id, Action: action, Actor: strings.TrimSpace(actor), Changes: changes, At: s.now().UTC()}
}

// Merchants returns every merchant, by id.
func (s *Service) Merchants(ctx context.Context) ([]Merchant, error) {
	return s.store.Merchants(ctx)
}

// MerchantByID returns merchant id as stored now (not from the cache), or
// NotFound.
func (s *Service) MerchantByID(ctx context.Context, id string) (Merchant, error) {
	return s.store.MerchantByID(ctx, id)
}

// UpdateMerchant changes the settings u names on the locked merchant row and
// records who did it. Running servers see it within their cache window.
func (s *Service) UpdateMerchant(ctx context.Context, actor, id string, u MerchantUpdate) (Merchant, error) {
	if err := checkActor(actor); err != nil {
		return Merchant{}, err
	}
	m, err := s.store.UpdateMerchant(ctx, id, func(m Merchant) (Merchant, MerchantChange, error) {
		updated, changes, err := ApplyUpdate(m, u)
		if err != nil {
			return Merchant{}, MerchantChange{}, err
		}
		return updated, s.change(id, ActionUpdate, actor, changes), nil
	})
	if err != nil {
		return Merchant{}, err
	}
	s.merchants.Delete(id)
	s.log.InfoContext(ctx, "merchant updated", "merchant_id", id, "actor", actor)
	return m, nil
}

// APIKeyRotation is a merchant's new API key as issued, printed once, and
// until when the key it replaces is still accepted.
type APIKeyRotation struct {
	MerchantID         string    `json:"merchant_id"`
	APIKey             string    `json:"api_key"`
	PreviousValidUntil time.Time `json:"previous_api_key_valid_until"`
}

// RotateAPIKey issues merchant id a new API key. The replaced key keeps
// working for grace (at most MaxAPIKeyGrace), so the merchant can move its
// servers over without failed calls; a rotation within an earlier grace
// retires the older key at once.
func (s *Service) RotateAPIKey(ctx context.Context, actor, id string, grace time.Duration) (APIKeyRotation, error) {
	if err := checkActor(actor); err != nil {
		return APIKeyRotation{}, err
	}
	if grace < 0 || grace > MaxAPIKeyGrace {
		return APIKeyRotation{}, errs.Fields("invalid.grace", errs.FieldError{Field: "grace", Message: "must be between 0 and " + MaxAPIKeyGrace.String()})
	}
	b, err := randomBytes(32)
	if err != nil {
		return APIKeyRotation{}, err
	}
	key := "pk_" + base64.RawURLEncoding.EncodeToString(b)
	until := s.now().Add(grace).UTC().Truncate(time.Second)
	c := s.change(id, ActionRotateAPIKey, actor, map[string]any{"api_key": "rotated", "previous_api_key_valid_until": until})
	if err := s.store.RotateAPIKey(ctx, id, HashAPIKey(key), until, c); err != nil {
		return APIKeyRotation{}, err
	}
	s.merchants.Delete(id)
	s.log.InfoContext(ctx, "merchant API key rotated", "merchant_id", id, "actor", actor, "previous_valid_until", until)
	return APIKeyRotation{MerchantID: id, APIKey: key, PreviousValidUntil: until}, nil
}

// ResponseKeyRotation is a merchant's new response key as issued, printed
// once.
type ResponseKeyRotation struct {
	MerchantID  string `json:"merchant_id"`
	ResponseKey string `json:"response_key"`
}

// RotateResponseKey issues merchant id a new response key. There is no
// overlap: every return signed after it uses the new key.
func (s *Service) RotateResponseKey(ctx context.Context, actor, id string) (ResponseKeyRotation, error) {
	if err := checkActor(actor); err != nil {
		return ResponseKeyRotation{}, err
	}
	b, err := randomBytes(32)
	if err != nil {
		return ResponseKeyRotation{}, err
	}
	key := "rk_" + base64.RawURLEncoding.EncodeToString(b)
	c := s.change(id, ActionRotateResponseKey, actor, map[string]any{"response_key": "rotated"})
	if err := s.store.RotateResponseKey(ctx, id, key, c); err != nil {
		return ResponseKeyRotation{}, err
	}
	s.merchants.Delete(id)
	s.log.InfoContext(ctx, "merchant response key rotated", "merchant_id", id, "actor", actor)
	return ResponseKeyRotation{MerchantID: id, ResponseKey: key}, nil
}
