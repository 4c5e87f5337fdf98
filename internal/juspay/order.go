// Package juspay renders paypage's orders in Juspay's wire format: the order
// object that GET /orders/{order_id} answers and that webhooks carry in
// content.order. The API handlers and the webhook outbox share it, so a
// merchant sees the same shape everywhere.
package juspay

import (
	"encoding/json"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/money"
)

// gatewayIDs are Juspay's numbers for the gateways (providers) paypage's
// methods use.
var gatewayIDs = map[string]int{"AMAZONPAY": 38}

// PaymentLinks is the payment_links object.
type PaymentLinks struct {
	Web    string `json:"web"`
	Expiry string `json:"expiry"`
}

// Order is the Juspay order object, with the fields that apply.
type Order struct {
	ID            string       `json:"id"`
	OrderID       string       `json:"order_id"`
	MerchantID    string       `json:"merchant_id"`
	Status        string       `json:"status"`
	StatusID      int          `json:"status_id"`
	Amount        json.Number  `json:"amount"`
	Currency      string       `json:"currency"`
	DateCreated   string       `json:"date_created"`
	LastUpdated   string       `json:"last_updated"`
	CustomerID    string       `json:"customer_id"`
	CustomerEmail string       `json:"customer_email"`
	CustomerPhone string       `json:"customer_phone"`
	ReturnURL     string       `json:"return_url"`
	Description   string       `json:"description"`
	UDF1          string       `json:"udf1"`
	UDF2          string       `json:"udf2"`
	UDF3          string       `json:"udf3"`
	UDF4          string       `json:"udf4"`
	UDF5          string       `json:"udf5"`
	UDF6          string       `json:"udf6"`
	UDF7          string       `json:"udf7"`
	UDF8          string       `json:"udf8"`
	UDF9          string       `json:"udf9"`
	UDF10         string       `json:"udf10"`
	PaymentLinks  PaymentLinks `json:"payment_links"`
	OrderExpiry   string       `json:"order_expiry"`

	// Always present, as Juspay sends them. amount_refunded counts the
	// refunds not failed (pending ones too, as Juspay does); refunded is
	// true once refunds that succeeded cover the whole amount; the most
	// the merchant may still refund is maximum_eligible_refund_amount.
	// For an AUTO_REFUNDED order the first two count the automatic refund.
	EffectiveAmount             json.Number       `json:"effective_amount"`
	Refunded                    bool              `json:"refunded"`
	AmountRefunded              json.Number       `json:"amount_refunded"`
	MaximumEligibleRefundAmount json.Number       `json:"maximum_eligible_refund_amount"`
	Metadata                    map[string]string `json:"metadata"`

	// Present once a payment was attempted (the newest attempt).
	TxnID                  string           `json:"txn_id,omitempty"`
	TxnUUID                string           `json:"txn_uuid,omitempty"`
	PaymentMethodType      string           `json:"payment_method_type,omitempty"`
	PaymentMethod          string           `json:"payment_method,omitempty"`
	GatewayID              int              `json:"gateway_id,omitempty"`
	AuthType               *string          `json:"auth_type,omitempty"`
	BankErrorCode          *string          `json:"bank_error_code,omitempty"`
	BankErrorMessage       *string          `json:"bank_error_message,omitempty"`
	TxnDetail              *TxnDetail       `json:"txn_detail,omitempty"`
	PaymentGatewayResponse *GatewayResponse `json:"payment_gateway_response,omitempty"`
	// CapturedAmount is present once the order is CHARGED.
	CapturedAmount *json.Number `json:"captured_amount,omitempty"`
	// Wallet is present for wallet payments, as Juspay sends it.
	Wallet *Wallet `json:"wallet,omitempty"`

	// Refunds lists the merchant's refunds of the order's charge, once
	// one was asked for.
	Refunds []Refund `json:"refunds,omitempty"`
	// AutoRefunds lists the automatic refunds of late captures on
	// attempts other than the charge, with their status (PENDING,
	// SUCCESS, MANUAL_REVIEW). They never count as merchant refunds.
	AutoRefunds []Refund `json:"auto_refunds,omitempty"`
}

// Wallet is the wallet object of a wallet payment.
type Wallet struct {
	TxnFlowType string `json:"txn_flow_type"`
}

// TxnDetail is the txn_detail object of the newest attempt.
type TxnDetail struct {
	TxnID           string      `json:"txn_id"`
	OrderID         string      `json:"order_id"`
	Status          string      `json:"status"`
	TxnUUID         string      `json:"txn_uuid"`
	Gateway         string      `json:"gateway"`
	GatewayID       int         `json:"gateway_id"`
	TxnAmount       json.Number `json:"txn_amount"`
	NetAmount       json.Number `json:"net_amount"`
	Currency        string      `json:"currency"`
	Created         string      `json:"created"`
	LastUpdated     string      `json:"last_updated"`
	ErrorCode       string      `json:"error_code"`
	ErrorMessage    string      `json:"error_message"`
	ExpressCheckout bool        `json:"express_checkout"`
	Redirect        bool        `json:"redirect"`
	TxnFlowType     string      `json:"txn_flow_type"`

	// paypage applies no surcharge, tax or offer: null, as Juspay
	// writes them when there are none.
	SurchargeAmount      *json.Number `json:"surcharge_amount"`
	TaxAmount            *json.Number `json:"tax_amount"`
	OfferDeductionAmount *json.Number `json:"offer_deduction_amount"`
	TxnAmountBreakup     []Breakup    `json:"txn_amount_breakup"`
}

// Breakup is one entry of txn_detail.txn_amount_breakup.
type Breakup struct {
	Name   string      `json:"name"`
	Amount json.Number `json:"amount"`
	Method string      `json:"method"`
}

// GatewayResponse is the payment_gateway_response object.
type GatewayResponse struct {
	RespCode    string `json:"resp_code"`
	RespMessage string `json:"resp_message"`
	EpgTxnID    string `json:"epg_txn_id"`
	TxnID       string `json:"txn_id"`
	Created     string `json:"created"`
}

// Refund is one entry of refunds[].
type Refund struct {
	UniqueRequestID string      `json:"unique_request_id"`
	ID              string      `json:"id"`
	Ref             string      `json:"ref"`
	Status          string      `json:"status"`
	Amount          json.Number `json:"amount"`
	Created         string      `json:"created"`
	RefundSource    string      `json:"refund_source"`
	RefundType      string      `json:"refund_type"`
	InitiatedBy     string      `json:"initiated_by"`
	ErrorCode       string      `json:"error_code"`
	ErrorMessage    string      `json:"error_message"`
	// SentToGateway is false until Amazon has acknowledged the refund.
	SentToGateway bool `json:"sent_to_gateway"`
}

func stamp(t time.Time) string      { return t.UTC().Format(time.RFC3339) }
func num(p money.Paise) json.Number { return json.Number(p.Number()) }

// Links returns the payment_links object for order o at paymentPage.
func Links(o checkout.Order, paymentPage string) PaymentLinks {
	return PaymentLinks{Web: paymentPage, Expiry: stamp(o.ExpiresAt)}
}

// NewOrder renders order o with its newest attempt a (nil when none) and
// its refunds; paymentPage is the order's hosted page URL.
func NewOrder(o checkout.Order, a *checkout.Attempt, refunds []checkout.Refund, paymentPage string) Order {
	j := Order{
		ID: o.ID, OrderID: o.OrderID, MerchantID: o.MerchantID, Status: string(o.Status), StatusID: o.Status.ID(),
		Amount: num(o.Amount), Currency: o.Currency, DateCreated: stamp(o.CreatedAt), LastUpdated: stamp(o.UpdatedAt),
		CustomerID: o.CustomerID, CustomerEmail: o.CustomerEmail, CustomerPhone: o.CustomerPhone,
		ReturnURL: o.ReturnURL, Description: o.Description,
		UDF1: o.UDF[0], UDF2: o.UDF[1], UDF3: o.UDF[2], UDF4: o.UDF[3], UDF5: o.UDF[4],
		UDF6: o.UDF[5], UDF7: o.UDF[6], UDF8: o.UDF[7], UDF9: o.UDF[8], UDF10: o.UDF[9],
		PaymentLinks: Links(o, paymentPage), OrderExpiry: stamp(o.ExpiresAt),
		EffectiveAmount: num(o.Amount), Metadata: metadata(o),
	}
	if a != nil {
		addAttempt(&j, o, *a)
	}
	source := ""
	if a != nil {
		source = a.Provider
	}
	addRefunds(&j, o, refunds, source)
	return j
}

// metadata echoes the request's metadata.* fields, with the page client id
// as Juspay adds it.
func metadata(o checkout.Order) map[string]string {
	m := make(map[string]string, len(o.Metadata)+1)
	for k, v := range o.Metadata {
		m[k] = v
	}
	if o.PaymentPageClientID != "" {
		m["payment_page_client_id"] = o.PaymentPageClientID
	}
	return m
}

func addAttempt(j *Order, o checkout.Order, a checkout.Attempt) {
	created := stamp(a.CreatedAt)
	j.TxnID, j.TxnUUID = a.TxnID, a.ID
	gatewayID := gatewayIDs[a.Provider]
	j.PaymentMethodType, j.PaymentMethod, j.GatewayID = a.MethodType, a.Method, gatewayID
	j.AuthType, j.BankErrorCode, j.BankErrorMessage = &a.AuthType, &a.ErrorCode, &a.ErrorMessage
	j.TxnDetail = &TxnDetail{
		TxnID: a.TxnID, OrderID: o.OrderID, Status: string(a.TxnStatus()), TxnUUID: a.ID,
		Gateway: a.Provider, GatewayID: gatewayID, TxnAmount: num(a.Amount), NetAmount: num(a.Amount),
		Currency: o.Currency, Created: created, LastUpdated: stamp(a.UpdatedAt),
		ErrorCode: a.ErrorCode, ErrorMessage: a.ErrorMessage, Redirect: !a.Linked, TxnFlowType: flowType(a),
		TxnAmountBreakup: []Breakup{{Name: "BASE", Amount: num(a.Amount), Method: "ADD"}},
	}
	j.PaymentGatewayResponse = &GatewayResponse{
		RespCode: a.ErrorCode, RespMessage: a.ErrorMessage, EpgTxnID: a.ProviderRef, TxnID: a.TxnID, Created: created,
	}
	if a.Status == checkout.AttemptCharged {
		j.PaymentGatewayResponse.RespCode, j.PaymentGatewayResponse.RespMessage = "SUCCESS", "Capture approved"
	}
	if o.Status == checkout.StatusCharged {
		captured := num(o.Amount)
		j.CapturedAmount = &captured
	}
	if a.MethodType == "WALLET" {
		j.Wallet = &Wallet{TxnFlowType: flowType(a)}
	}
}

// flowType is Juspay's txn_flow_type: a wallet payment whose shopper went
// to the provider's page to add money is REDIRECT_DEBIT; the rest are
// DIRECT_DEBIT (a 2FA page does not change that).
func flowType(a checkout.Attempt) string {
	if a.MethodType == "WALLET" && a.ActionURL != "" {
		return "REDIRECT_DEBIT"
	}
	return "DIRECT_DEBIT"
}

// addRefunds reports refunds per charge: the merchant's refunds (all of
// the charged attempt) in refunds[], automatic refunds apart, and the
// always-present totals; source is the gateway that refunds.
func addRefunds(j *Order, o checkout.Order, refunds []checkout.Refund, source string) {
	var merchant, auto total
	for _, r := range refunds {
		entry := refundEntry(r, source)
		if r.Automatic {
			j.AutoRefunds = append(j.AutoRefunds, entry)
			auto.add(r)
			continue
		}
		j.Refunds = append(j.Refunds, entry)
		merchant.add(r)
	}
	counted := merchant
	if o.Status == checkout.StatusAutoRefunded {
		counted = auto
	}
	j.Refunded = counted.succeeded >= o.Amount
	j.AmountRefunded = num(counted.asked)
	eligible := money.Paise(0)
	if o.Status == checkout.StatusCharged && merchant.asked < o.Amount {
		eligible = o.Amount - merchant.asked
	}
	j.MaximumEligibleRefundAmount = num(eligible)
}

// total sums refunds: asked counts every refund not failed, succeeded
// only those the provider carried out.
type total struct{ asked, succeeded money.Paise }

func (t *total) add(r checkout.Refund) {
	if r.Status != checkout.RefundFailure {
		t.asked += r.Amount
	}
	if r.Status == checkout.RefundSuccess {
		t.succeeded += r.Amount
	}
}

func refundEntry(r checkout.Refund, source string) Refund {
	id := r.ProviderRef
	if id == "" {
		id = r.ID
	}
	return Refund{
		UniqueRequestID: r.UniqueRequestID, ID: id, Ref: r.ID, Status: string(r.Status), Amount: num(r.Amount),
		Created: stamp(r.CreatedAt), RefundSource: source, RefundType: "STANDARD", InitiatedBy: initiator(r),
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage, SentToGateway: r.ProviderRef != "",
	}
}

func initiator(r checkout.Refund) string {
	if r.Automatic {
		return "SYSTEM"
	}
	return "API"
}

// Event is a webhook body.
type Event struct {
	ID          string       `json:"id"`
	DateCreated string       `json:"date_created"`
	EventName   string       `json:"event_name"`
	Content     EventContent `json:"content"`
}

// EventContent wraps the order.
type EventContent struct {
	Order Order `json:"order"`
}

// NewEvent builds the webhook body for an event.
func NewEvent(id, name string, at time.Time, order Order) Event {
	return Event{ID: id, DateCreated: stamp(at), EventName: name, Content: EventContent{Order: order}}
}
