package sandbox

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/paypage/paypage/internal/amazonpay"
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

type wireInstruments struct {
	MerchantID     string        `json:"merchantId"`
	AmazonPayLater *wirePayLater `json:"amazonPayLater,omitempty"`
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

func (s *Simulator) instruments(w http.ResponseWriter, r *http.Request) {
	if _, e := s.authenticate(r); e != nil {
		s.writeError(w, r, e)
		return
	}
	q := r.URL.Query()
	if q.Get("merchantId") != s.opts.MerchantID {
		s.writeError(w, r, errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist."))
		return
	}
	amount, hasAmount, e := parseAmount(q.Get("amount"), 1_00)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleLocked(now)
	phone, e := s.phoneForTokenLocked(q.Get("accessToken"), now)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	out := wireInstruments{MerchantID: s.opts.MerchantID}
	if strings.Contains(q.Get("instrumentTypes"), "AmazonPayLater") {
		a := s.accountLocked(phone)
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
		out.AmazonPayLater = apl
	}
	s.writeSigned(w, r, http.StatusOK, out)
}

func (s *Simulator) eligibility(w http.ResponseWriter, r *http.Request) {
	body, e := s.authenticate(r)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	f, e := decodeBody(body)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	if f["merchantId"] != s.opts.MerchantID {
		s.writeError(w, r, errorf(http.StatusBadRequest, amazonpay.CodeInvalidMerchantID, "The merchant id does not exist."))
		return
	}
	phone := NormalizePhone(f["phoneNumber"])
	if !validPhone(phone) {
		s.writeError(w, r, invalidArg("phoneNumber must be a 10-digit Indian mobile number."))
		return
	}
	if f["instrumentType"] != "AmazonPayLater" {
		s.writeError(w, r, invalidArg("instrumentType must be AmazonPayLater."))
		return
	}
	amount, hasAmount, e := parseAmount(f["amount"], 1_00)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleLocked(s.now())
	code := ineligibility(s.accountLocked(phone), amount, hasAmount)
	out := wireEligibility{
		MerchantID: s.opts.MerchantID, InstrumentType: "AmazonPayLater", Amount: f["amount"],
		IsEligible: code == "", LinkingRequired: !s.linkedLocked(phone),
		IneligibilityCode: ptr(code), IneligibilityReason: ptr(Persona{Ineligible: code}.reason()),
	}
	s.writeSigned(w, r, http.StatusOK, out)
}

// linkedLocked reports whether the phone has a link that still works.
func (s *Simulator) linkedLocked(phone string) bool {
	for _, g := range s.refresh {
		if g.phone == phone && !g.revoked {
			return true
		}
	}
	return false
}
