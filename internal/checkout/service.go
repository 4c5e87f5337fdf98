package checkout

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/paypage/paypage/internal/brand"
	"github.com/paypage/paypage/internal/errs"
)

// Store is what the service needs from persistence. internal/postgres
// implements it.
type Store interface {
	// CreateMerchant stores a new merchant; the merchant-changing methods
	// write their audit entry c in the same transaction as the change.
	CreateMerchant(ctx context.Context, m Merchant, c MerchantChange) error
	UpsertMerchant(ctx context.Context, m Merchant) error
	MerchantByID(ctx context.Context, id string) (Merchant, error)
	// Merchants returns every merchant, by id.
	Merchants(ctx context.Context) ([]Merchant, error)
	// MerchantLogo returns merchant id's logo with its bytes, or NotFound.
	MerchantLogo(ctx context.Context, id string) (brand.Logo, error)
	// UpdateMerchant stores the settings apply makes of the locked merchant
	// id, with the audit entry it returns, and returns the merchant stored.
	UpdateMerchant(ctx context.Context, id string, apply func(Merchant) (Merchant, MerchantChange, error)) (Merchant, error)
	// RotateAPIKey makes hash the merchant's API key hash and keeps the
	// replaced one, accepted until previousUntil.
	RotateAPIKey(ctx context.Context, id string, hash []byte, previousUntil time.Time, c MerchantChange) error
	// RotateResponseKey makes key the merchant's response key.
	RotateResponseKey(ctx context.Context, id, key string, c MerchantChange) error
	// RotateWebhookSecret makes secret the merchant's webhook secret and
	// keeps the replaced one for signing until previousUntil.
	RotateWebhookSecret(ctx context.Context, id, secret string, previousUntil time.Time, c MerchantChange) error
	// InsertOrder stores o, or, when the merchant already has an order with
	// the same order_id, returns that one with created false.
	InsertOrder(ctx context.Context, o Order) (stored Order, created bool, err error)
	OrderByMerchantOrderID(ctx context.Context, merchantID, orderID string) (Order, error)
	OrderByID(ctx context.Context, id string) (Order, error)
	// PageRecords returns an order with its merchant, newest attempt and
	// the customer's links, read together for the payment page.
	PageRecords(ctx context.Context, id string) (PageRecords, error)

	StartAttempt(ctx context.Context, a Attempt, now time.Time) (stored Attempt, o Order, joined bool, err error)
	// MoveAttempt moves attempt attemptID from status from to status to
	// through Transition on the locked row; a mover that finds the
	// attempt no longer in from loses with ErrStale and the current
	// attempt and order. It also ends any check claimed with ClaimCheck.
	MoveAttempt(ctx context.Context, attemptID string, from, to AttemptStatus, u AttemptUpdate) (Attempt, Order, error)
	// MarkChargeSent records, just before the charge call, that attempt
	// attemptID (which must be PENDING with no charge sent yet) has its
	// charge on the way, so the reconciler watches it from next on even if
	// this process dies. Only one caller can win it; the others get
	// ErrStale.
	MarkChargeSent(ctx context.Context, attemptID string, next time.Time) (Attempt, error)
	// ClaimCheck claims, for lease, the right to ask the provider about the
	// pending charge of attempt attemptID, so that of many page loads,
	// returns and reconcilers only one asks at a time. won is false when
	// someone else holds the claim or the attempt is no longer pending
	// with a charge sent; the attempt returned is then as stored.
	ClaimCheck(ctx context.Context, attemptID string, lease time.Duration) (a Attempt, won bool, err error)
	AttemptByState(ctx context.Context, state string) (Attempt, error)
	AttemptByChargeID(ctx context.Context, chargeID string) (Attempt, error)
	LatestAttempt(ctx context.Context, orderID string) (Attempt, error)

	// CreateRefund records merchant refund r of the order's charged
	// attempt, checked by RefundTransition on the locked order row, due for
	// the reconciler only after hold, so that its creator sends it first.
	CreateRefund(ctx context.Context, orderID string, r Refund, hold time.Duration) (Refund, Attempt, error)
	// MoveRefund moves a refund from status from to status to on the
	// locked order row; a mover that finds it no longer in from loses
	// with errs.Conflict and the current refund.
	MoveRefund(ctx context.Context, refundID string, from, to RefundStatus, u RefundUpdate) (Refund, error)
	Refunds(ctx context.Context, orderID string) ([]Refund, error)
	AttemptByID(ctx context.Context, id string) (Attempt, error)

	// Links returns the customer's links with every provider.
	Links(ctx context.Context, merchantID, customerID string) ([]SealedLink, error)
	// SaveLink stores or replaces link l (by merchant, customer, provider
	// and method).
	SaveLink(ctx context.Context, l SealedLink) error
	DeleteLink(ctx context.Context, l SealedLink) error
	// RefuseLink records that method refused link l's token.
	RefuseLink(ctx context.Context, l SealedLink, method string) error

	// SaveOffer keeps a provider's answer c with its order, replacing the
	// one kept for the same order and method unless that one is newer.
	// PageRecords returns them.
	SaveOffer(ctx context.Context, c CachedOffer) error
}

// Sealer seals tokens for storage (internal/secretbox).
type Sealer interface {
	Seal(plaintext, context string) ([]byte, error)
	Open(sealed []byte, context string) (string, error)
}

// Options are the service's collaborators and settings.
type Options struct {
	// Methods are the payment methods the page can offer, in the order it
	// lists them.
	Methods []Method
	Sealer  Sealer
	// ConsentRedirectURL is the absolute URL providers send the shopper back
	// to after consent; ChargeCallbackURL gives the one after a charge's
	// 2FA page.
	ConsentRedirectURL string
	ChargeCallbackURL  func(chargeID string) string
	// ListingTimeout bounds the provider calls made to render the payment
	// page (default 1.5 s); ChargeTimeout bounds one charge call (default
	// 20 s, after which the attempt stays pending).
	ListingTimeout time.Duration
	ChargeTimeout  time.Duration
	// UnsentGrace is how long a charge the provider does not know may stay
	// pending before it counts as never made (default 2 minutes).
	UnsentGrace time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
	Observer    Observer
	// Timeline records provider calls and returns for the order timeline,
	// and reads it back; nil records nothing.
	Timeline Timeline
	// Webhooks queues events for delivery again; nil refuses replays.
	Webhooks WebhookReplayer

	// OfferMaxAge is how long a provider's answer kept with the order is
	// used instead of asking again (default DefaultOfferMaxAge, 60 s).
	OfferMaxAge time.Duration
	// PrefetchMaxInFlight bounds the sessions whose offers are being
	// fetched in the background at once (default
	// DefaultPrefetchMaxInFlight; negative: no prefetch). Beyond it a new
	// session is not prefetched, and its page asks.
	PrefetchMaxInFlight int
	// PrefetchTimeout bounds a background question to a provider: a
	// prefetch, or a page's question still unanswered when the page went
	// out (default DefaultPrefetchTimeout, 5 s).
	PrefetchTimeout time.Duration
}

// Observer receives payment outcomes for metrics. internal/metrics
// implements it; nil observes nothing.
type Observer interface {
	AttemptFinished(outcome string)
	// RefundManualReview counts a refund that went to MANUAL_REVIEW: a
	// person must reconcile it with the provider.
	RefundManualReview(automatic bool)
}

type noObserver struct{}

func (noObserver) AttemptFinished(string)  {}
func (noObserver) RefundManualReview(bool) {}

// Service carries out merchant and shopper requests.
type Service struct {
	store Store
	opts  Options
	now   func() time.Time
	log   *slog.Logger

	// merchants caches merchant records for API authentication, which
	// every merchant call needs; settings changes show within merchantTTL.
	merchants sync.Map // id -> cachedMerchant

	bg *background
}

type cachedMerchant struct {
	m     Merchant
	until time.Time
}

const merchantTTL = 10 * time.Second

// merchant returns the merchant with id, from the cache while fresh.
func (s *Service) merchant(ctx context.Context, id string) (Merchant, error) {
	now := s.now()
	if c, ok := s.merchants.Load(id); ok && now.Before(c.(cachedMerchant).until) {
		return c.(cachedMerchant).m, nil
	}
	m, err := s.store.MerchantByID(ctx, id)
	if err != nil {
		return Merchant{}, err
	}
	s.merchants.Store(id, cachedMerchant{m: m, until: now.Add(merchantTTL)})
	return m, nil
}

// NewService wires a service. Zero options get defaults; a service without
// Methods serves the merchant API but cannot take payments.
func NewService(store Store, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ListingTimeout == 0 {
		opts.ListingTimeout = 1500 * time.Millisecond
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	if opts.Timeline == nil {
		opts.Timeline = noTimeline{}
	}
	if opts.UnsentGrace == 0 {
		opts.UnsentGrace = 2 * time.Minute
	}
	if opts.ChargeTimeout == 0 {
		opts.ChargeTimeout = 20 * time.Second
	}
	if opts.OfferMaxAge == 0 {
		opts.OfferMaxAge = DefaultOfferMaxAge
	}
	if opts.PrefetchMaxInFlight == 0 {
		opts.PrefetchMaxInFlight = DefaultPrefetchMaxInFlight
	}
	if opts.PrefetchTimeout == 0 {
		opts.PrefetchTimeout = DefaultPrefetchTimeout
	}
	return &Service{store: store, opts: opts, now: opts.Now, log: opts.Logger, bg: newBackground(opts.PrefetchMaxInFlight)}
}

// recordTimeout bounds the writes that record what providers answered.
const recordTimeout = 10 * time.Second

// recording returns the context to record a provider's answer in: neither the
// call's own deadline nor the shopper leaving mid-request may cut short
// the write of what the provider said.
func recording(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
}

// Now returns the service's clock reading.
func (s *Service) Now() time.Time { return s.now() }

// CreateMerchant validates nm, issues credentials and stores the merchant,
// recording actor as its creator.
func (s *Service) CreateMerchant(ctx context.Context, actor string, nm NewMerchant) (Credentials, error) {
	if err := checkActor(actor); err != nil {
		return Credentials{}, err
	}
	c, err := IssueCredentials(nm.ID)
	if err != nil {
		return Credentials{}, err
	}
	m, err := BuildMerchant(nm, c)
	if err != nil {
		return Credentials{}, err
	}
	if err := s.store.CreateMerchant(ctx, m, s.change(m.ID, ActionCreate, actor, createChanges(m))); err != nil {
		return Credentials{}, err
	}
	s.merchants.Delete(m.ID)
	return c, nil
}

// createChanges are the audit changes of creating m: its settings, and its
// secrets only as issued.
func createChanges(m Merchant) map[string]any {
	c := settingChanges(m)
	c["webhook_username"] = m.WebhookUsername
	for _, secret := range []string{"api_key", "response_key", "webhook_password", "webhook_secret"} {
		c[secret] = "issued"
	}
	return c
}

// EnsureMerchant creates or updates a merchant with the given credentials,
// used for the sandbox's demo merchant whose credentials are derived from
// the server's secret key.
func (s *Service) EnsureMerchant(ctx context.Context, nm NewMerchant, c Credentials) error {
	// Several servers may share one database, each with its own base URL
	// (a second sandbox on another port, say): keep the prefixes the
	// others registered, so that their shops' returns stay allowed.
	old, err := s.store.MerchantByID(ctx, nm.ID)
	switch {
	case err == nil:
		nm.ReturnURLPrefixes = unionPrefixes(old.ReturnURLPrefixes, nm.ReturnURLPrefixes)
	case !errs.Is(err, errs.NotFound):
		return err
	}
	m, err := BuildMerchant(nm, c)
	if err != nil {
		return err
	}
	s.merchants.Delete(m.ID)
	return s.store.UpsertMerchant(ctx, m)
}

// WebhookRotation is a merchant's new webhook secret as issued, printed
// once, and until when webhooks also carry a signature with the old one.
type WebhookRotation struct {
	MerchantID         string    `json:"merchant_id"`
	WebhookSecret      string    `json:"webhook_secret"`
	PreviousValidUntil time.Time `json:"previous_secret_valid_until"`
}

// RotateWebhookSecret issues merchant id a new webhook secret. For overlap
// afterwards every webhook is signed with both the new and the old secret,
// so the merchant can switch its receiver to the new one without missing a
// webhook; after that only the new one signs. It records the rotation by
// actor in the audit trail and logs it, never a secret.
func (s *Service) RotateWebhookSecret(ctx context.Context, actor, id string, overlap time.Duration) (WebhookRotation, error) {
	if err := checkActor(actor); err != nil {
		return WebhookRotation{}, err
	}
	if overlap < 0 {
		return WebhookRotation{}, errs.Fields("invalid.overlap", errs.FieldError{Field: "overlap", Message: "must not be negative"})
	}
	secret, err := NewWebhookSecret()
	if err != nil {
		return WebhookRotation{}, err
	}
	until := s.now().Add(overlap).UTC().Truncate(time.Second)
	c := s.change(id, ActionRotateWebhookSecret, actor, map[string]any{"webhook_secret": "rotated", "previous_webhook_secret_valid_until": until})
	if err := s.store.RotateWebhookSecret(ctx, id, secret, until, c); err != nil {
		return WebhookRotation{}, err
	}
	s.merchants.Delete(id)
	s.log.InfoContext(ctx, "merchant webhook secret rotated", "merchant_id", id, "actor", actor, "previous_valid_until", until)
	return WebhookRotation{MerchantID: id, WebhookSecret: secret, PreviousValidUntil: until}, nil
}

var errBadCredentials = errs.E(errs.Unauthorized, "access_denied", "invalid API key or merchant id")

// Authenticate returns the merchant whose id is merchantID and whose API key
// is apiKey: its current key, or the one its last rotation replaced while
// that one's grace lasts. Both hashes are compared in constant time, always.
func (s *Service) Authenticate(ctx context.Context, merchantID, apiKey string) (Merchant, error) {
	if merchantID == "" || apiKey == "" || !merchantIDPattern.MatchString(merchantID) {
		return Merchant{}, errBadCredentials
	}
	m, err := s.merchant(ctx, merchantID)
	if errs.Is(err, errs.NotFound) {
		return Merchant{}, errBadCredentials
	}
	if err != nil {
		return Merchant{}, err
	}
	h := HashAPIKey(apiKey)
	current := subtle.ConstantTimeCompare(m.APIKeyHash, h)
	previous := subtle.ConstantTimeCompare(m.APIKeyHashPrevious, h)
	inGrace := 0
	if s.now().Before(m.APIKeyPreviousUntil) {
		inGrace = 1
	}
	if current|(previous&inGrace) != 1 {
		return Merchant{}, errBadCredentials
	}
	return m, nil
}

// CreateSession creates the order in, or replays the existing one with the
// same order_id when amount, currency and customer match. replay reports
// the second case. A new order, or a replayed one still open, has its
// offers fetched in the background (see Options.PrefetchMaxInFlight), so
// that its page need not wait for providers; the answer never waits for
// that.
func (s *Service) CreateSession(ctx context.Context, m Merchant, in SessionInput) (o Order, replay bool, err error) {
	n, err := in.validate(m, s.now())
	if err != nil {
		return Order{}, false, err
	}
	stored, created, err := s.store.InsertOrder(ctx, n)
	if err != nil {
		return Order{}, false, err
	}
	if created {
		s.log.InfoContext(ctx, "order created", "order_id", stored.OrderID, "merchant_id", m.ID, "amount", int64(stored.Amount))
		s.prefetch(ctx, stored, m, false)
		return stored, false, nil
	}
	if !stored.sameRequest(n) {
		return Order{}, false, errs.E(errs.Conflict, "order.conflict",
			"order_id %s already exists with a different amount, currency or customer", in.OrderID)
	}
	if stored.Status == StatusNew {
		s.prefetch(ctx, stored, m, true)
	}
	return stored, true, nil
}

// MerchantOrder returns the merchant's order by its own order_id.
func (s *Service) MerchantOrder(ctx context.Context, merchantID, orderID string) (Order, error) {
	if !orderIDPattern.MatchString(orderID) {
		return Order{}, errOrderNotFound
	}
	o, err := s.store.OrderByMerchantOrderID(ctx, merchantID, orderID)
	if errs.Is(err, errs.NotFound) {
		return Order{}, errOrderNotFound
	}
	return o, err
}

// OrderDetails is an order with what the order object shows of it.
type OrderDetails struct {
	Order   Order
	Latest  *Attempt // newest attempt; nil when none was made
	Refunds []Refund
}

// MerchantOrderDetails returns the merchant's order with its newest attempt
// and its refunds.
func (s *Service) MerchantOrderDetails(ctx context.Context, merchantID, orderID string) (OrderDetails, error) {
	o, err := s.MerchantOrder(ctx, merchantID, orderID)
	if err != nil {
		return OrderDetails{}, err
	}
	return s.details(ctx, o)
}

func (s *Service) details(ctx context.Context, o Order) (OrderDetails, error) {
	d := OrderDetails{Order: o}
	a, err := s.store.LatestAttempt(ctx, o.ID)
	switch {
	case err == nil:
		d.Latest = &a
	case !errs.Is(err, errs.NotFound):
		return OrderDetails{}, err
	}
	// Any order may have an automatic refund under way.
	if d.Refunds, err = s.store.Refunds(ctx, o.ID); err != nil {
		return OrderDetails{}, err
	}
	return d, nil
}

// TxnStatus is the Juspay transaction status name of an attempt.
func (a Attempt) TxnStatus() Status { return orderStatusFor(a.Status) }

var errOrderNotFound = errs.E(errs.NotFound, "order.not_found", "order not found")

// pageRecords reads what the shopper's pages need about order id in one
// statement; an id paypage could not have issued is NotFound at once.
func (s *Service) pageRecords(ctx context.Context, id string) (PageRecords, error) {
	if !ValidOrderID(id) {
		return PageRecords{}, errOrderNotFound
	}
	return s.store.PageRecords(ctx, id)
}

// PageOrder returns an order and its merchant for the hosted payment page.
func (s *Service) PageOrder(ctx context.Context, id string) (Order, Merchant, error) {
	if !ValidOrderID(id) {
		return Order{}, Merchant{}, errOrderNotFound
	}
	o, err := s.store.OrderByID(ctx, id)
	if err != nil {
		return Order{}, Merchant{}, err
	}
	m, err := s.merchant(ctx, o.MerchantID)
	if err != nil {
		return Order{}, Merchant{}, err
	}
	return o, m, nil
}

// maxEnsuredPrefixes bounds how many return URL prefixes EnsureMerchant
// keeps, so a machine that starts servers on ever new ports does not grow
// the list for good; the oldest go first.
const maxEnsuredPrefixes = 8

// unionPrefixes is kept followed by those of add it lacks, at most
// maxEnsuredPrefixes, the newest kept.
func unionPrefixes(kept, add []string) []string {
	out := make([]string, 0, len(kept)+len(add))
	for _, p := range kept {
		if !slices.Contains(add, p) {
			out = append(out, p)
		}
	}
	out = append(out, add...)
	if len(out) > maxEnsuredPrefixes {
		out = out[len(out)-maxEnsuredPrefixes:]
	}
	return out
}
