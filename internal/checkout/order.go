package checkout

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// Order is a merchant's order session.
type Order struct {
	ID                  string // "ordeh_" + 32 hex
	MerchantID          string
	OrderID             string // the merchant's own id
	Amount              money.Paise
	Currency            string
	CustomerID          string
	CustomerEmail       string
	CustomerPhone       string
	FirstName           string
	LastName            string
	Description         string
	ReturnURL           string
	WebhookURL          string
	PaymentPageClientID string
	UDF                 [10]string
	Metadata            map[string]string // the request's metadata.* fields, without the prefix
	PaymentFilter       *PaymentFilter    // the session's payment_filter; nil when none
	Language            string            // the page's language from the session ("hi"); "" when none
	Status              Status
	ExpiresAt           time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Expired reports whether the order can no longer take a new attempt.
func (o Order) Expired(now time.Time) bool { return !now.Before(o.ExpiresAt) }

// sameRequest reports whether n repeats o's money-relevant fields, which
// makes a second create with the same order_id an idempotent replay.
func (o Order) sameRequest(n Order) bool {
	return o.Amount == n.Amount && o.Currency == n.Currency && o.CustomerID == n.CustomerID
}

// ValidOrderID reports whether id has the shape of an id from NewOrderID.
func ValidOrderID(id string) bool {
	if len(id) != 38 || id[:6] != "ordeh_" {
		return false
	}
	_, err := hex.DecodeString(id[6:])
	return err == nil && strings.ToLower(id) == id
}

// NewOrderID returns a fresh "ordeh_" id.
func NewOrderID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("checkout: crypto/rand failed: " + err.Error())
	}
	return "ordeh_" + hex.EncodeToString(b)
}
