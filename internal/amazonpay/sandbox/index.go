package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/i18n"
	tpl "github.com/paypage/paypage/templates/amazonsandbox"
)

// showIndex is the simulator's root: the personas, the URLs QA may use and
// the knobs with their current values, so that a tester who opens the
// simulator's address finds what to do rather than a bare 404.
func (s *Simulator) showIndex(w http.ResponseWriter, r *http.Request) {
	base := s.base(r)
	lwa := base + LWAPath
	vm := tpl.IndexVM{Page: s.page("Sandbox index")}
	vm.Page.Title = "Amazon Pay sandbox"
	vm.Page.Wide, vm.Page.TestID = true, "sandbox-index"
	for _, p := range Personas() {
		vm.Personas = append(vm.Personas, tpl.PersonaRow{
			Phone: p.Phone, Name: p.Name, Description: p.Description,
			PayLater: payLaterText(p), Balance: balanceText(p),
		})
	}
	vm.Endpoints = []tpl.EndpointRow{
		{Method: "GET", URL: base + amazonpay.PathInstruments, Purpose: "Get Instruments (Pay Later credit, balance); the client's AMAZONPAY_BASE_URL is " + base},
		{Method: "POST", URL: base + amazonpay.PathEligibility, Purpose: "Pay Later eligibility for an amount"},
		{Method: "POST", URL: base + amazonpay.PathCharge, Purpose: "Create a charge"},
		{Method: "GET", URL: base + amazonpay.PathCharge, Purpose: "Charge status"},
		{Method: "POST", URL: base + amazonpay.PathRefund, Purpose: "Create a refund"},
		{Method: "GET", URL: base + amazonpay.PathRefund, Purpose: "Refund status"},
		{Method: "GET", URL: lwa + amazonpay.PathAuthorize, Purpose: "Login with Amazon consent page; the client's AMAZONPAY_LWA_URL is " + lwa},
		{Method: "POST", URL: lwa + amazonpay.PathToken, Purpose: "Login with Amazon token endpoint"},
		{Method: "GET", URL: base + "/pay/{amazonChargeId}", Purpose: "2FA (OTP) page behind a Pay Later charge's amazonPayUrl: 123456 passes, 999999 fails"},
		{Method: "GET", URL: base + "/topup/{amazonChargeId}", Purpose: "Top-up page behind a short balance charge's amazonPayUrl"},
		{Method: "GET", URL: base + "/render_kfs?payload={phone}", Purpose: "Dummy Key Fact Statement"},
	}
	vm.Knobs = []tpl.KnobRow{
		{Name: "Pending delay", Value: s.opts.PendingDelay.String(), Set: "PAYPAGE_SANDBOX_PENDING_DELAY or --pending-delay"},
		{Name: "Latency", Value: latencyText(s.opts.Latency), Set: "PAYPAGE_SANDBOX_LATENCY or --latency"},
		{Name: "Faults", Value: faultsText(s.opts.Faults), Set: "PAYPAGE_SANDBOX_FAULTS or --faults"},
		{Name: "Consent returns to", Value: redirectsText(s.opts.RedirectURIs), Set: "PAYPAGE_SANDBOX_REDIRECT_URIS"},
	}
	s.render(w, r, http.StatusOK, tpl.Index(vm))
}

// notFound is an unknown path under Prefix, as a page that points to the
// index.
func (s *Simulator) notFound(w http.ResponseWriter, r *http.Request) {
	ctx := pageContext(r)
	s.message(w, r, http.StatusNotFound, i18n.T(ctx, "sandbox.no_page.heading"),
		i18n.T(ctx, "sandbox.no_page.body", i18n.Args{"Path": r.URL.Path, "Index": s.path("/")}))
}

// toIndex sends the standalone simulator's bare root to the index.
func (s *Simulator) toIndex(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, s.path("/"), http.StatusFound)
}

func payLaterText(p Persona) string {
	credit := p.Credit.Indian()
	switch {
	case p.Ineligible == CodeNotRegistered:
		return "not registered (" + p.Ineligible + ")"
	case p.Ineligible != "":
		return credit + ", not eligible (" + p.Ineligible + ")"
	}
	return credit + ", eligible"
}

func balanceText(p Persona) string {
	if p.NonKYC {
		return p.Balance.Indian() + ", no KYC"
	}
	return p.Balance.Indian()
}

func latencyText(d time.Duration) string {
	if d <= 0 {
		return "0s (off)"
	}
	return d.String()
}

func faultsText(f float64) string {
	if f <= 0 {
		return "0 (off)"
	}
	return strconv.FormatFloat(f, 'g', -1, 64) + " (" + strconv.FormatFloat(f*100, 'g', 4, 64) + "% of API and token requests)"
}

func redirectsText(uris []string) string {
	if len(uris) == 0 {
		return "none: consent refuses every request"
	}
	return strings.Join(uris, ", ")
}
