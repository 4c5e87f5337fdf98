package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/paypage/paypage/internal/i18n"

	tpl "github.com/paypage/paypage/templates/amazonsandbox"
)

//go:embed sandbox.css
var css []byte

// cssVersion fingerprints the stylesheet URL so it can be cached for good.
var cssVersion = func() string {
	sum := sha256.Sum256(css)
	return hex.EncodeToString(sum[:6])
}()

func (s *Simulator) css(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(css)
}

func (s *Simulator) page(title string) tpl.Page {
	return tpl.Page{Title: title + " · Amazon Pay sandbox", CSSURL: s.path("/assets/sandbox.css?v=" + cssVersion)}
}

// shopperPage is page for a page shoppers see, titled by message titleID
// in the language of r.
func (s *Simulator) shopperPage(r *http.Request, titleID string) tpl.Page {
	return s.page(i18n.T(pageContext(r), titleID))
}

// pageContext is r's context in the customer's language, as Amazon's own
// pages pick it: ?lang= (one of i18n.Languages), else Accept-Language,
// else English.
func pageContext(r *http.Request) context.Context {
	return i18n.WithLang(r.Context(), i18n.Pick(r.Header.Get("Accept-Language"), r.URL.Query().Get("lang")))
}

// render writes a templ page, buffered so a failed render is a clean 500.
func (s *Simulator) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(pageContext(r), &buf); err != nil {
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Add("Vary", "Accept-Language")
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func (s *Simulator) message(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	s.render(w, r, status, tpl.Message(tpl.MessageVM{Page: s.page(heading), Heading: heading, Message: msg}))
}

// shopperMessage is message for the customer, in their language: heading
// and msg are message ids of the catalogue.
func (s *Simulator) shopperMessage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	ctx := pageContext(r)
	s.message(w, r, status, i18n.T(ctx, heading), i18n.T(ctx, msg))
}

func (s *Simulator) showKFS(w http.ResponseWriter, r *http.Request) {
	phone := NormalizePhone(r.URL.Query().Get("payload"))
	credit := "—"
	if validPhone(phone) {
		credit = s.Credit(phone).Indian()
	}
	s.render(w, r, http.StatusOK, tpl.KFS(tpl.KFSVM{Page: s.shopperPage(r, "sandbox.kfs.heading"), Credit: credit,
		BackURL: s.backToPayment(r.URL.Query().Get(ParamReturn))}))
}

// ParamReturn on the Key Fact Statement's URL is the payment page it was
// opened from, for its "Back to payment" link. The statement opens in the
// same tab (webviews often ignore new windows), and with no referrer sent
// across sites this is how it knows the way back.
const ParamReturn = "return"

// backToPayment is raw if it is an http(s) URL on the origin of one of
// the registered redirect URIs (paypage's own), else "": the link never
// leads anywhere else.
func (s *Simulator) backToPayment(raw string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	for _, ru := range s.opts.RedirectURIs {
		if r, err := url.Parse(ru); err == nil && r.Scheme == u.Scheme && strings.EqualFold(r.Host, u.Host) {
			return u.String()
		}
	}
	return ""
}
