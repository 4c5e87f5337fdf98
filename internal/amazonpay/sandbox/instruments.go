package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paypage/paypage/internal/money"
)

type wirePayLater struct {
	Enabled             bool    `json:"enabled"`
	Priority            int     `json:"priority"`
	AvailableCredit     *string `json:"availableCredit"`
	IneligibilityCode   *string `json:"ineligibilityCode"`
	IneligibilityReason *string `json:"ineligibilityReason"`
	KeyFactStatementURL string  `json:"keyFactStatementUrl,omitempty"`
}

// wireBalance is Get Instruments' amazonPayBalance object. The simulator
// has no balance that cannot be spent, so both balances are the same.
type wireBalance struct {
	Enabled           bool   `json:"enabled"`
	Priority          int    `json:"priority"`
	TotalBalance      string `json:"totalBalance"`
	RedeemableBalance string `json:"redeemableBalance"`
}

type wireInstruments struct {
	MerchantID       string        `json:"merchantId"`
	AmazonPayLater   *wirePayLater `json:"amazonPayLater,omitempty"`
	AmazonPayBalance *wireBalance  `json:"amazonPayBalance,omitempty"`
}

type wireEligibility struct {
	MerchantID          string  `json:"merchantId"`
	InstrumentType      string  `json:"instrumentType"`
	Amount              string  `json:"amount"`
	IsEligible          bool    `json:"isEligible"`
	LinkingRequired     bool    `json:"linkingRequired"`
	IneligibilityCode   *string `json:"ineligibilityCode"`
	IneligibilityReason *string `json:"ineligibilityReason"`
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ineligibility is the ineligibility code for a charge of amount, or "".
// A missing amount (hasAmount false) is never eligible, as at Amazon.
func ineligibility(a *account, amount money.Paise, hasAmount bool) string {
	switch {
	case a.persona.Ineligible != "":
		return a.persona.Ineligible
	case !hasAmount || amount > a.credit:
		return CodeNotAvailable
	}
	return ""
}

// parseAmount reads an optional amount of at least minimum.
func parseAmount(s string, minimum money.Paise) (money.Paise, bool, *apiError) {
	if s == "" {
		return 0, false, nil
	}
	p, err := money.Parse(s)
	if err != nil || p < minimum {
		return 0, false, invalidArg("amount must be at least %s with at most 2 decimals.", minimum)
	}
	return p, true, nil
}

// instrumentTypes reads Get Instruments' instrumentTypes: AmazonPayLater,
// AmazonPayBalance, or both separated by a comma.
func instrumentTypes(v string) ([]string, *apiError) {
	var out []string
	for t := range strings.SplitSeq(v, ",") {
		t = strings.TrimSpace(t)
		if t != instrumentPayLater && t != instrumentBalance {
			return nil, invalidArg("instrumentTypes must be AmazonPayLater, AmazonPayBalance or both, comma-separated.")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *Simulator) instruments(w http.ResponseWriter, r *http.Request) {
	_, sel, e := s.authenticate(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	q := r.URL.Query()
	types, e := instrumentTypes(q.Get("instrumentTypes"))
	if e == nil {
		e = s.checkMerchant(sel, q.Get("merchantId"), types...)
	}
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	wantPayLater, wantBalance := slices.Contains(types, instrumentPayLater), slices.Contains(types, instrumentBalance)
	amount, hasAmount, e := parseAmount(q.Get("amount"), 1_00)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	var (
		phone string
		a     *account
		due   bool
	)
	err := s.read(r.Context(), func(t *txn) { phone, a, due, e = t.tokenAccountNow(q.Get("accessToken"), wantPayLater) })
	if err == nil && e == nil && due {
		a, _, err = s.settledAccount(r.Context(), phone)
	}
	if err != nil {
		e = internalError()
	}
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	out := wireInstruments{MerchantID: sel.merchantID}
	if wantPayLater {
		out.AmazonPayLater = s.wirePayLater(r, a, phone, amount, hasAmount)
	}
	if wantBalance {
		out.AmazonPayBalance = &wireBalance{
			Enabled: !a.persona.NonKYC, Priority: 2,
			TotalBalance: a.balance.String(), RedeemableBalance: a.balance.String(),
		}
	}
	s.writeSigned(w, r, sel, http.StatusOK, out)
}

func (s *Simulator) wirePayLater(r *http.Request, a *account, phone string, amount money.Paise, hasAmount bool) *wirePayLater {
	code := ineligibility(a, amount, hasAmount)
	apl := &wirePayLater{Enabled: code == "", Priority: 1, IneligibilityCode: ptr(code)}
	if code != "" {
		apl.IneligibilityReason = ptr(Persona{Ineligible: code}.reason())
	}
	if a.persona.Ineligible != CodeNotRegistered {
		apl.AvailableCredit = ptr(a.credit.String())
		apl.KeyFactStatementURL = s.base(r) + "/render_kfs?" + url.Values{
			"authToken": {"sandbox"}, "payload": {phone}, "iv": {"sandbox"},
		}.Encode()
	}
	return apl
}

func (s *Simulator) eligibility(w http.ResponseWriter, r *http.Request) {
	body, sel, e := s.authenticate(r)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	f, e := decodeBody(body)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	if e := s.checkMerchant(sel, f["merchantId"], instrumentPayLater); e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	phone := NormalizePhone(f["phoneNumber"])
	if !validPhone(phone) {
		s.writeError(w, r, sel, invalidArg("phoneNumber must be a 10-digit Indian mobile number."))
		return
	}
	if f["instrumentType"] != "AmazonPayLater" {
		s.writeError(w, r, sel, invalidArg("instrumentType must be AmazonPayLater."))
		return
	}
	amount, hasAmount, e := parseAmount(f["amount"], 1_00)
	if e != nil {
		s.writeError(w, r, sel, e)
		return
	}
	a, linked, err := s.accountFor(r.Context(), phone)
	if err != nil {
		s.writeError(w, r, sel, internalError())
		return
	}
	code := ineligibility(a, amount, hasAmount)
	out := wireEligibility{
		MerchantID: sel.merchantID, InstrumentType: "AmazonPayLater", Amount: f["amount"],
		IsEligible: code == "", LinkingRequired: !linked,
		IneligibilityCode: ptr(code), IneligibilityReason: ptr(Persona{Ineligible: code}.reason()),
	}
	s.writeSigned(w, r, sel, http.StatusOK, out)
}

// accountFor reads phone's account and whether it has a link that works
// for Pay Later, without a lock; only when a charge or refund of the
// account is due to settle does it settle the account first, under its
// lock.
func (s *Simulator) accountFor(ctx context.Context, phone string) (a *account, linked bool, err error) {
	var due bool
	err = s.read(ctx, func(t *txn) { a, linked, due = t.accountNow(phone) })
	if err == nil && due {
		return s.settledAccount(ctx, phone)
	}
	return a, linked, err
}

// settledAccount settles phone's account under its lock and reads it as
// accountFor does, for a reader that found it due.
func (s *Simulator) settledAccount(ctx context.Context, phone string) (a *account, linked bool, err error) {
	err = s.change(ctx, func(t *txn) {
		t.lockAccount(phone)
		a, linked, _ = t.accountNow(phone)
	})
	return a, linked, err
}
