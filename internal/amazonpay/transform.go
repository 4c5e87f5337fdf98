package amazonpay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// Wire values: the JSON Amazon sends and receives, and their translation to
// and from this package's Go types.

// Instrument types, as selectedPaymentInstrumentType and instrumentTypes
// name them.
const (
	InstrumentPayLater = "AmazonPayLater"
	InstrumentBalance  = "AmazonPayBalance"
)

// Charge parameters used on the wire.
const (
	intentCapture       = "Capture"
	attributableProgram = "S2SPay"
	currencyINR         = "INR"
	txnIDMerchant       = "MerchantTxnId"
)

// flexString accepts a JSON string, number or null, since Amazon's samples
// write amounts and counters both ways.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n)
	}
	return nil
}

// paise parses an amount field; an empty field is zero.
func (f flexString) paise(field string) (money.Paise, error) {
	if f == "" {
		return 0, nil
	}
	p, err := money.Parse(string(f))
	if err != nil {
		return 0, fmt.Errorf("%w: field %s %q: %w", ErrTransport, field, string(f), err)
	}
	return p, nil
}

// wireTime reads a timestamp as RFC 3339 or epoch milliseconds; anything
// else is the zero time.
func wireTime(f flexString) time.Time {
	if f == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, string(f)); err == nil {
		return t
	}
	if ms, err := strconv.ParseInt(string(f), 10, 64); err == nil {
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}

type wireToken struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	TokenType    string     `json:"token_type"`
	ExpiresIn    flexString `json:"expires_in"`
}

func (w wireToken) token(now time.Time) Token {
	secs, _ := strconv.Atoi(string(w.ExpiresIn))
	return Token{
		AccessToken: w.AccessToken, RefreshToken: w.RefreshToken, TokenType: w.TokenType,
		ExpiresIn: secs, Expiry: now.Add(time.Duration(secs) * time.Second),
	}
}

type wireInstruments struct {
	MerchantID     string `json:"merchantId"`
	AmazonPayLater *struct {
		Enabled             bool       `json:"enabled"`
		Priority            flexString `json:"priority"`
		AvailableCredit     flexString `json:"availableCredit"`
		IneligibilityCode   *string    `json:"ineligibilityCode"`
		IneligibilityReason *string    `json:"ineligibilityReason"`
		KeyFactStatementURL string     `json:"keyFactStatementUrl"`
	} `json:"amazonPayLater"`
	AmazonPayBalance *struct {
		Enabled           bool       `json:"enabled"`
		TotalBalance      flexString `json:"totalBalance"`
		RedeemableBalance flexString `json:"redeemableBalance"`
	} `json:"amazonPayBalance"`
}

func (w wireInstruments) balance() (Balance, error) {
	b := w.AmazonPayBalance
	if b == nil {
		return Balance{}, nil
	}
	total, err := b.TotalBalance.paise("totalBalance")
	if err != nil {
		return Balance{}, err
	}
	redeemable, err := b.RedeemableBalance.paise("redeemableBalance")
	if err != nil {
		return Balance{}, err
	}
	return Balance{Enabled: b.Enabled, Total: total, Redeemable: redeemable}, nil
}

func (w wireInstruments) instruments() (Instruments, error) {
	apl := w.AmazonPayLater
	if apl == nil {
		return Instruments{}, nil
	}
	credit, err := apl.AvailableCredit.paise("availableCredit")
	if err != nil {
		return Instruments{}, err
	}
	prio, _ := strconv.Atoi(string(apl.Priority))
	return Instruments{
		Enabled: apl.Enabled, Priority: prio, AvailableCredit: credit,
		IneligibilityCode: deref(apl.IneligibilityCode), IneligibilityReason: deref(apl.IneligibilityReason),
		KeyFactStatementURL: apl.KeyFactStatementURL,
	}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type wireEligibilityRequest struct {
	MerchantID     string `json:"merchantId"`
	PhoneNumber    string `json:"phoneNumber"`
	Amount         string `json:"amount"`
	InstrumentType string `json:"instrumentType"`
}

type wireEligibility struct {
	IsEligible          bool    `json:"isEligible"`
	LinkingRequired     bool    `json:"linkingRequired"`
	IneligibilityCode   *string `json:"ineligibilityCode"`
	IneligibilityReason *string `json:"ineligibilityReason"`
}

func (w wireEligibility) eligibility() Eligibility {
	return Eligibility{
		Eligible: w.IsEligible, LinkingRequired: w.LinkingRequired,
		IneligibilityCode: deref(w.IneligibilityCode), IneligibilityReason: deref(w.IneligibilityReason),
	}
}

type wireChargeRequest struct {
	Intent                        string `json:"intent"`
	Amount                        string `json:"amount"`
	CurrencyCode                  string `json:"currencyCode"`
	CallbackURL                   string `json:"callbackUrl"`
	AccessToken                   string `json:"accessToken"`
	ChargeID                      string `json:"chargeId"`
	ReferenceID                   string `json:"referenceId"`
	MerchantID                    string `json:"merchantId"`
	AttributableProgram           string `json:"attributableProgram"`
	NoteToCustomer                string `json:"noteToCustomer,omitempty"`
	CustomData                    string `json:"customData,omitempty"`
	TimeoutInSecs                 string `json:"timeoutInSecs"`
	SelectedPaymentInstrumentType string `json:"selectedPaymentInstrumentType"`
}

func (c *Client) chargeRequest(r ChargeRequest) wireChargeRequest {
	ref := r.ReferenceID
	if ref == "" {
		ref = r.ChargeID
	}
	timeout := r.TimeoutInSecs
	if timeout == 0 {
		timeout = DefaultChargeTimeout
	}
	instrument := r.Instrument
	if instrument == "" {
		instrument = InstrumentPayLater
	}
	return wireChargeRequest{
		Intent: intentCapture, Amount: r.Amount.String(), CurrencyCode: currencyINR,
		CallbackURL: r.CallbackURL, AccessToken: r.AccessToken, ChargeID: r.ChargeID,
		ReferenceID: ref, MerchantID: c.cfg.MerchantID, AttributableProgram: attributableProgram,
		NoteToCustomer: r.NoteToCustomer, CustomData: r.CustomData,
		TimeoutInSecs: strconv.Itoa(timeout), SelectedPaymentInstrumentType: instrument,
	}
}

type wireCharge struct {
	ChargeID          string     `json:"chargeId"`
	AmazonChargeID    string     `json:"amazonChargeId"`
	RequestedAmount   flexString `json:"requestedAmount"`
	ApprovedAmount    flexString `json:"approvedAmount"`
	CurrencyCode      string     `json:"currencyCode"`
	Status            string     `json:"status"`
	AmazonPayURL      string     `json:"amazonPayUrl"`
	ReasonCode        string     `json:"reasonCode"`
	ReasonDescription string     `json:"reasonDescription"`
	CustomData        string     `json:"customData"`
	CreateTime        flexString `json:"createTime"`
	UpdateTime        flexString `json:"updateTime"`
}

func (w wireCharge) charge() (Charge, error) {
	requested, err := w.RequestedAmount.paise("requestedAmount")
	if err != nil {
		return Charge{}, err
	}
	approved, err := w.ApprovedAmount.paise("approvedAmount")
	if err != nil {
		return Charge{}, err
	}
	return Charge{
		ChargeID: w.ChargeID, AmazonChargeID: w.AmazonChargeID, Status: Status(w.Status),
		RequestedAmount: requested, ApprovedAmount: approved, AmazonPayURL: w.AmazonPayURL,
		ReasonCode: w.ReasonCode, ReasonMessage: w.ReasonDescription, CustomData: w.CustomData,
		CreateTime: wireTime(w.CreateTime), UpdateTime: wireTime(w.UpdateTime),
	}, nil
}

type wireRefundRequest struct {
	MerchantID     string `json:"merchantId"`
	Amount         string `json:"amount"`
	CurrencyCode   string `json:"currencyCode"`
	RefundID       string `json:"refundId"`
	ChargeIDType   string `json:"chargeIdType"`
	ChargeID       string `json:"chargeId"`
	NoteToCustomer string `json:"noteToCustomer,omitempty"`
	SoftDescriptor string `json:"softDescriptor,omitempty"`
}

type wireRefund struct {
	RefundID          string     `json:"refundId"`
	AmazonRefundID    string     `json:"amazonRefundId"`
	ChargeID          string     `json:"chargeId"`
	AmazonChargeID    string     `json:"amazonChargeId"`
	Amount            flexString `json:"amount"`
	RefundedFee       flexString `json:"refundedFee"`
	CurrencyCode      string     `json:"currencyCode"`
	Status            string     `json:"status"`
	ReasonCode        string     `json:"reasonCode"`
	ReasonDescription string     `json:"reasonDescription"`
	CreateTime        flexString `json:"createTime"`
	UpdateTime        flexString `json:"updateTime"`
}

func (w wireRefund) refund() (Refund, error) {
	amount, err := w.Amount.paise("amount")
	if err != nil {
		return Refund{}, err
	}
	fee, err := w.RefundedFee.paise("refundedFee")
	if err != nil {
		return Refund{}, err
	}
	return Refund{
		RefundID: w.RefundID, AmazonRefundID: w.AmazonRefundID, ChargeID: w.ChargeID,
		AmazonChargeID: w.AmazonChargeID, Status: Status(w.Status), Amount: amount, RefundedFee: fee,
		ReasonCode: w.ReasonCode, ReasonMessage: w.ReasonDescription,
		CreateTime: wireTime(w.CreateTime), UpdateTime: wireTime(w.UpdateTime),
	}, nil
}
