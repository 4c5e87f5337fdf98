// Package demoshop is the sandbox demo shop: a fake merchant website that a
// person clicks through to see paypage work end to end. It behaves exactly
// like an external merchant: it creates sessions and reads orders only over
// paypage's public HTTP merchant API, verifies the signed return with its
// own code and the webhooks with the official Standard Webhooks library. It
// deliberately imports nothing of paypage's checkout, web, webhook or
// postgres packages, so that it is an independent check of the contract; mounting it is left to the web package. Its checkout form
// refuses cross-origin posts (net/http.CrossOriginProtection); the return and
// the webhooks, verified by signature, are exempt.
package demoshop

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"github.com/paypage/paypage/internal/i18n"
	tplshop "github.com/paypage/paypage/templates/shop"
)

// Prefix is the path under which the shop serves every page.
const Prefix = "/sandbox/shop"

// Options configures a Shop.
type Options struct {
	BaseURL         string // paypage's public base URL; the shop lives at BaseURL+Prefix
	APIURL          string // where to call the merchant API; empty: BaseURL
	MerchantID      string
	APIKey          string
	ResponseKey     string // verifies the return signature
	WebhookUsername string
	WebhookPassword string
	WebhookSecret   string       // verifies the Standard Webhooks signature
	HTTPClient      *http.Client // nil: a client with a 10 s timeout
	Logger          *slog.Logger // nil: discard
}

// Shop serves the demo shop's pages, return URL and webhook receiver.
type Shop struct {
	opts     Options
	client   *http.Client
	log      *slog.Logger
	handler  http.Handler // the routes behind cross-origin protection
	webhooks webhookLog

	mu      sync.Mutex
	amounts map[string]string // order_id -> amount asked for, to check the API's answer
	order   []string          // insertion order of amounts, to bound it
}

// maxOrders bounds the remembered order amounts.
const maxOrders = 1000

// New returns a shop configured by opts.
func New(opts Options) *Shop {
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	opts.APIURL = strings.TrimRight(opts.APIURL, "/")
	if opts.APIURL == "" {
		opts.APIURL = opts.BaseURL
	}
	s := &Shop{opts: opts, client: opts.HTTPClient, log: opts.Logger, amounts: map[string]string{}}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	m := http.NewServeMux()
	m.Handle("GET "+Prefix, http.RedirectHandler(Prefix+"/", http.StatusMovedPermanently))
	m.HandleFunc("GET "+Prefix+"/{$}", s.showCart)
	m.HandleFunc("POST "+Prefix+"/checkout", s.checkout)
	m.HandleFunc("GET "+Prefix+"/return", s.showReturn)
	m.HandleFunc("POST "+Prefix+"/return", s.showReturn)
	m.HandleFunc("POST "+Prefix+"/webhooks", s.receiveWebhook)
	m.HandleFunc("GET "+Prefix+"/shop.css", serveCSS)

	// A return may be posted by paypage from another origin, and webhooks
	// come from its servers; both carry a signature the shop checks.
	csrf := http.NewCrossOriginProtection()
	csrf.AddInsecureBypassPattern("POST " + Prefix + "/return")
	csrf.AddInsecureBypassPattern("POST " + Prefix + "/webhooks")
	csrf.SetDenyHandler(http.HandlerFunc(s.refuseCrossOrigin))
	s.handler = csrf.Handler(m)
	return s
}

// ServeHTTP serves the shop's routes; the paths include Prefix.
func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// refuseCrossOrigin answers a form posted from another site (CSRF).
func (s *Shop) refuseCrossOrigin(w http.ResponseWriter, r *http.Request) {
	s.log.Info("demo shop refused a cross-origin post", "path", r.URL.Path)
	r = withLanguage(r, "")
	s.message(w, r, http.StatusForbidden, tplshop.MessageVM{
		Heading: i18n.T(r.Context(), "shop.refused.heading"),
		Message: i18n.T(r.Context(), "shop.refused.body"),
	})
}

// ReturnURL is the shop's return URL without its merchant parameters; the
// demo merchant must have it (or BaseURL+Prefix) as a return URL prefix.
func ReturnURL(baseURL string) string { return strings.TrimRight(baseURL, "/") + Prefix + "/return" }

// WebhookURL is where the demo merchant's webhooks must be sent.
func WebhookURL(baseURL string) string {
	return strings.TrimRight(baseURL, "/") + Prefix + "/webhooks"
}

// rememberAmount keeps the amount of an order the shop created, so the
// return page can check the API's amount as Juspay asks merchants to.
func (s *Shop) rememberAmount(orderID, amount string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.amounts[orderID]; !ok {
		s.order = append(s.order, orderID)
	}
	s.amounts[orderID] = amount
	if len(s.order) > maxOrders {
		delete(s.amounts, s.order[0])
		s.order = s.order[1:]
	}
}

func (s *Shop) expectedAmount(orderID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.amounts[orderID]
	return a, ok
}

//go:embed shop.css
var css []byte

// cssVersion fingerprints the stylesheet URL so browsers may cache it.
var cssVersion = func() string {
	sum := sha256.Sum256(css)
	return hex.EncodeToString(sum[:6])
}()

func serveCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(css)
}

// page is the frame of a shop page titled title, in the language of ctx.
func page(ctx context.Context, title string) tplshop.Page {
	return tplshop.Page{
		Title:   i18n.T(ctx, "shop.title", i18n.Args{"Page": title}),
		CSSURL:  Prefix + "/shop.css?v=" + cssVersion,
		HomeURL: shopURL(ctx, Prefix+"/", nil),
	}
}

// render writes a templ page, buffered so a failed render is a clean 500
// instead of half a page.
func (s *Shop) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.log.Error("demo shop render", "err", err)
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Language")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; frame-ancestors 'none'")
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (s *Shop) message(w http.ResponseWriter, r *http.Request, status int, vm tplshop.MessageVM) {
	vm.Page = page(r.Context(), vm.Heading)
	s.render(w, r, status, tplshop.Message(vm))
}
