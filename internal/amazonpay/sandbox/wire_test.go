package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/money"
)

// The client speaks only Pay Later, so balance calls are made here on the
// wire, signed as the client signs, with Amazon's field names.

// seller is a set of seller credentials a test signs with.
type seller struct {
	merchantID string
	signer     amazonpay.Signer
}

func payLaterSeller() seller {
	return seller{merchantID: sandbox.DefaultCredentials().MerchantID, signer: defaultSigner()}
}

// wireInstruments is a Get Instruments answer. Typed string fields make
// decoding fail if Amazon's decimal strings turn into numbers.
type wireInstruments struct {
	MerchantID     string `json:"merchantId"`
	AmazonPayLater *struct {
		Enabled         bool    `json:"enabled"`
		AvailableCredit *string `json:"availableCredit"`
	} `json:"amazonPayLater"`
	AmazonPayBalance *struct {
		Enabled           bool   `json:"enabled"`
		Priority          int    `json:"priority"`
		TotalBalance      string `json:"totalBalance"`
		RedeemableBalance string `json:"redeemableBalance"`
	} `json:"amazonPayBalance"`
}

// wireCharge is a charge answer.
type wireCharge struct {
	MerchantID      string  `json:"merchantId"`
	ChargeID        string  `json:"chargeId"`
	AmazonChargeID  string  `json:"amazonChargeId"`
	RequestedAmount string  `json:"requestedAmount"`
	ApprovedAmount  string  `json:"approvedAmount"`
	Status          string  `json:"status"`
	AmazonPayURL    *string `json:"amazonPayUrl"`
	ReasonCode      *string `json:"reasonCode"`
}

// api sends a request signed as s and decodes a 2xx answer into out. It
// returns the HTTP status and, for an error answer, its code, and fails
// the test unless the answer is signed with s's key.
func (e *env) api(s seller, method, path string, query map[string]string, body, out any) (int, string) {
	e.t.Helper()
	u, _ := url.Parse(e.srv.URL + prefix + path)
	u.RawQuery = amazonpay.Block(query)
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, u.String(), bytes.NewReader(payload))
	headers := map[string]string{
		"x-amz-algorithm": amazonpay.Algorithm, "x-amz-client-id": s.merchantID,
		"x-amz-date": amazonpay.FormatDate(e.clock.Now()), "x-amz-expires": "900", "x-amz-source": "Server",
		"x-amz-user-agent": "test", "x-amz-user-ip": "203.0.113.7",
	}
	params, _ := amazonpay.BodyParams(payload)
	canonical := amazonpay.CanonicalRequest(method, u.Host+u.EscapedPath(), query, headers, params)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", s.signer.Authorization(s.signer.Signature(headers["x-amz-date"], canonical)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	signed, err := amazonpay.CanonicalResponse(method, u.Host+u.EscapedPath(), resp.Header, raw)
	if err != nil || !s.signer.Verify(resp.Header.Get("x-amz-date"), signed, resp.Header.Get("x-amz-signature")) {
		e.t.Errorf("%s %s: HTTP %d answer not signed with %s's key: %s", method, path, resp.StatusCode, s.merchantID, raw)
	}
	if resp.StatusCode >= 300 {
		var apiErr struct{ Code string }
		_ = json.Unmarshal(raw, &apiErr)
		return resp.StatusCode, apiErr.Code
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	return resp.StatusCode, ""
}

// instruments asks Get Instruments for types (comma-separated) as s.
func (e *env) instruments(s seller, tok amazonpay.Token, types string, amount money.Paise) (int, string, wireInstruments) {
	e.t.Helper()
	var out wireInstruments
	status, code := e.api(s, "GET", amazonpay.PathInstruments, map[string]string{
		"merchantId": s.merchantID, "accessToken": tok.AccessToken, "instrumentTypes": types, "amount": amount.String(),
	}, nil, &out)
	return status, code, out
}

// chargeAs charges amount with instrument (AmazonPayLater or
// AmazonPayBalance) as s, with the fields the client sends.
func (e *env) chargeAs(s seller, tok amazonpay.Token, instrument, id string, amount money.Paise) (int, string, wireCharge) {
	e.t.Helper()
	var out wireCharge
	status, code := e.api(s, "POST", amazonpay.PathCharge, nil, map[string]string{
		"intent": "Capture", "amount": amount.String(), "currencyCode": "INR", "callbackUrl": callbackURL,
		"accessToken": tok.AccessToken, "chargeId": id, "referenceId": id, "merchantId": s.merchantID,
		"attributableProgram": "S2SPay", "timeoutInSecs": "300", "selectedPaymentInstrumentType": instrument,
	}, &out)
	return status, code, out
}

// balanceCharge charges amount from the Amazon Pay balance as the default
// seller.
func (e *env) balanceCharge(tok amazonpay.Token, id string, amount money.Paise) (int, string, wireCharge) {
	e.t.Helper()
	return e.chargeAs(payLaterSeller(), tok, "AmazonPayBalance", id, amount)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
