// Package sandbox is a simulator of Amazon Pay India's Link & Pay API
// with Amazon Pay Later and Amazon Pay balance. It serves the same
// paths, fields, statuses, error codes and HMAC-SHA384 signatures as Amazon,
// plus Login with Amazon consent and token endpoints, the 2FA page and the
// balance top-up page, so that the amazonpay client can talk to it over real
// HTTP exactly as it talks to Amazon. Outcomes are scripted by the
// customer's phone number (see Personas). State lives in PostgreSQL, in
// its own schema (Schema, made by paypage's migration 000010), so every
// simulator on one database is the same Amazon: a consent code issued by
// one instance is exchanged at another, and a restart forgets no linked
// customer, balance or pending charge. Reads (eligibility, instruments,
// status) take no lock; a charge, refund or token is one transaction that
// locks the seller's id and the customer's account it changes, so requests
// for different customers run side by side and two processes never change
// one account at once; the pages and test controls lock the whole state.
// Charge decisions belong to the simulator, what they mean for an order
// does not.
//
// Mounted at Prefix, it serves (without stripping the prefix):
//
//	Prefix + "/v1/payments/..."         the payments API (the client's BaseURL is host + Prefix)
//	Prefix + "/lwa/ap/oa"               the consent page (the client's LWAURL is host + Prefix + "/lwa")
//	Prefix + "/lwa/auth/o2/token"       the token endpoint
//	Prefix + "/pay/{amazonChargeId}"    the 2FA page behind a Pay Later charge's amazonPayUrl
//	Prefix + "/topup/{amazonChargeId}"  the top-up page behind a short balance charge's amazonPayUrl
//	Prefix + "/render_kfs"              a dummy Key Fact Statement
//	Prefix + "/assets/sandbox.css"      the pages' stylesheet
//	Prefix + "/"                        an index of the personas, these URLs and the knobs
//
// Other GETs under Prefix are a 404 page; "/" redirects to the index when
// the simulator is served alone.
//
// Get Instruments answers amazonPayLater, amazonPayBalance or both
// (instrumentTypes=AmazonPayLater,AmazonPayBalance), and charges take
// selectedPaymentInstrumentType AmazonPayLater or AmazonPayBalance. A
// balance that covers the amount is charged at once; a short one gives
// CapturePending with an amazonPayUrl to the top-up page, whose "Add money
// and pay" approves the charge and whose "Cancel" declines it
// (InsufficientFunds), both sending the customer to the charge's
// callbackUrl as the 2FA page does. The consent page's "Allow for Amazon Pay
// balance only" issues tokens that Pay Later calls refuse with 403
// InvalidAccessToken. Pay Later and balance may have separate seller
// credentials (Options.Balance*); a call for an instrument under the other
// seller's id is refused with InvalidMerchantId.
//
// The pages' forms (consent, 2FA and top-up) refuse cross-origin POSTs,
// judged by net/http.CrossOriginProtection from Sec-Fetch-Site and Origin.
// The payments API and the token endpoint are exempt: servers call them,
// and they are authenticated by signature and client secret, not by a
// cookie.
package sandbox

import (
	"database/sql"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/config"
)

// LWAPath is where the Login with Amazon routes sit under Prefix.
const LWAPath = "/lwa"

// Credentials are a merchant's Amazon Pay and LWA credentials.
type Credentials struct {
	MerchantID   string
	AccessKey    string
	SecretKey    string
	ClientID     string
	ClientSecret string
}

// DefaultCredentials are the fixed, public sandbox credentials that the
// simulator and paypage's sandbox defaults share. Never use them elsewhere.
func DefaultCredentials() Credentials {
	return Credentials{
		MerchantID:   config.SandboxMerchantID,
		AccessKey:    config.SandboxAccessKey,
		SecretKey:    config.SandboxSecretKey,
		ClientID:     config.SandboxClientID,
		ClientSecret: config.SandboxClientSecret,
	}
}

// Options configure a Simulator. Empty credentials take DefaultCredentials;
// empty balance credentials take the Pay Later ones, so by default one
// seller serves both instruments.
type Options struct {
	// DB holds the simulator's state, in Schema; it is required. Every
	// simulator on one database shares customers, links, charges and
	// refunds.
	DB           *sql.DB
	Prefix       string // where the handler is mounted, e.g. "/sandbox/amazonpay"
	MerchantID   string // the Amazon Pay Later seller id
	AccessKey    string
	SecretKey    string
	ClientID     string
	ClientSecret string
	// BalanceMerchantID, BalanceAccessKey and BalanceSecretKey are the
	// Amazon Pay balance seller's credentials. Amazon issues them apart
	// from the Pay Later ones.
	BalanceMerchantID string
	BalanceAccessKey  string
	BalanceSecretKey  string
	// RedirectURIs are the return URLs registered for ClientID. As with
	// Login with Amazon, consent sends the customer back only to one of
	// them, compared byte for byte; with none, consent refuses every
	// request.
	RedirectURIs []string
	Now          func() time.Time
	PendingDelay time.Duration // how long pending personas stay pending; 20s if zero
	RefundDelay  time.Duration // how long refunds stay Pending; zero settles them on the next read
	// Latency is added to every answer; Faults is the share (0 to 1) of
	// payments API and token requests that fail before they are served,
	// half as an HTTP 500 and half by never answering (the caller's
	// timeout ends them). Both are for trying paypage against a slow or
	// failing Amazon; nothing a failed request asked for happens.
	Latency time.Duration
	Faults  float64
	// Prepare prepares the reads that every page's question runs (token,
	// account, charge) once per connection of DB, so that each runs in
	// one round trip. Leave it off behind a transaction pooler, which
	// cannot keep prepared statements.
	Prepare bool
}

// Simulator is an http.Handler that behaves like Amazon Pay India.
type Simulator struct {
	opts     Options
	payLater *seller      // Pay Later's seller credentials
	balance  *seller      // balance's; the same *seller when they are equal
	handler  http.Handler // the routes behind cross-origin protection
	db       *sql.DB
	mu       sync.Mutex    // this process's turn at stateLock held exclusively (see do)
	stmts    sync.Map      // query text -> *sql.Stmt, with Options.Prepare
	busy     chan struct{} // requests at the database now (see turn)
}

// New returns a simulator on the state in opts.DB. It panics without a
// DB: a simulator with nowhere to keep its state is a wiring mistake.
func New(opts Options) *Simulator {
	if opts.DB == nil {
		panic("sandbox: Options.DB is required")
	}
	def := DefaultCredentials()
	fill := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	fill(&opts.MerchantID, def.MerchantID)
	fill(&opts.AccessKey, def.AccessKey)
	fill(&opts.SecretKey, def.SecretKey)
	fill(&opts.ClientID, def.ClientID)
	fill(&opts.ClientSecret, def.ClientSecret)
	fill(&opts.BalanceMerchantID, opts.MerchantID)
	fill(&opts.BalanceAccessKey, opts.AccessKey)
	fill(&opts.BalanceSecretKey, opts.SecretKey)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PendingDelay <= 0 {
		opts.PendingDelay = 20 * time.Second
	}
	opts.Prefix = strings.TrimRight(opts.Prefix, "/")
	opts.RedirectURIs = slices.Clone(opts.RedirectURIs)
	s := &Simulator{
		opts:     opts,
		payLater: newSeller(opts.MerchantID, opts.AccessKey, opts.SecretKey),
		db:       opts.DB,
		busy:     make(chan struct{}, maxBusy),
	}
	s.balance = s.payLater
	if opts.BalanceMerchantID != opts.MerchantID || opts.BalanceAccessKey != opts.AccessKey || opts.BalanceSecretKey != opts.SecretKey {
		s.balance = newSeller(opts.BalanceMerchantID, opts.BalanceAccessKey, opts.BalanceSecretKey)
	}
	s.routes()
	return s
}

func (s *Simulator) routes() {
	p := s.opts.Prefix
	m := http.NewServeMux()
	m.HandleFunc("GET "+p+amazonpay.PathInstruments, s.instruments)
	m.HandleFunc("POST "+p+amazonpay.PathEligibility, s.eligibility)
	m.HandleFunc("POST "+p+amazonpay.PathCharge, s.createCharge)
	m.HandleFunc("GET "+p+amazonpay.PathCharge, s.chargeStatus)
	m.HandleFunc("POST "+p+amazonpay.PathRefund, s.createRefund)
	m.HandleFunc("GET "+p+amazonpay.PathRefund, s.refundStatus)
	m.HandleFunc("GET "+p+LWAPath+amazonpay.PathAuthorize, s.showConsent)
	m.HandleFunc("POST "+p+LWAPath+amazonpay.PathAuthorize, s.decideConsent)
	m.HandleFunc("POST "+p+LWAPath+amazonpay.PathToken, s.token)
	m.HandleFunc("GET "+p+"/pay/{amazonChargeId}", s.showOTP)
	m.HandleFunc("POST "+p+"/pay/{amazonChargeId}", s.submitOTP)
	m.HandleFunc("GET "+p+"/topup/{amazonChargeId}", s.showTopUp)
	m.HandleFunc("POST "+p+"/topup/{amazonChargeId}", s.submitTopUp)
	m.HandleFunc("GET "+p+"/render_kfs", s.showKFS)
	m.HandleFunc("GET "+p+"/assets/sandbox.css", s.css)
	m.HandleFunc("GET "+p+"/{$}", s.showIndex)
	m.HandleFunc("GET "+p+"/", s.notFound)
	if p != "" {
		// Served alone (paypage amazonpay-sandbox), the host's root is the
		// simulator's too.
		m.HandleFunc("GET /{$}", s.toIndex)
	}

	csrf := http.NewCrossOriginProtection()
	for _, machine := range []string{amazonpay.PathEligibility, amazonpay.PathCharge, amazonpay.PathRefund, LWAPath + amazonpay.PathToken} {
		csrf.AddInsecureBypassPattern("POST " + p + machine)
	}
	csrf.SetDenyHandler(http.HandlerFunc(s.refuseCrossOrigin))
	s.handler = s.chaos(csrf.Handler(m))
}

// ServeHTTP serves the simulator's routes under Prefix.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// refuseCrossOrigin answers a form posted from another site (CSRF).
func (s *Simulator) refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.shopperMessage(w, r, http.StatusForbidden, "sandbox.refused.heading", "sandbox.refused.body")
}

// base is the absolute URL of the simulator's root as the caller sees it.
func (s *Simulator) base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host + s.opts.Prefix
}

// path is an absolute path under Prefix.
func (s *Simulator) path(p string) string { return s.opts.Prefix + p }

func (s *Simulator) now() time.Time { return s.opts.Now().UTC() }
