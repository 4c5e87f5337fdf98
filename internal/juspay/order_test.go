package juspay

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/money"
)

var at = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func order(amount money.Paise, status checkout.Status) checkout.Order {
	return checkout.Order{
		ID: "ordeh_0123456789abcdef0123456789abcdef", MerchantID: "shop", OrderID: "o1", Amount: amount,
		Currency: "INR", CustomerID: "c1", Status: status, PaymentPageClientID: "shop",
		Metadata:  map[string]string{"webhook_url": "https://shop.example/hooks", "AMAZONPAY:gateway_reference_id": "x"},
		ExpiresAt: at.Add(15 * time.Minute), CreatedAt: at, UpdatedAt: at,
	}
}

func charged(o checkout.Order) *checkout.Attempt {
	return &checkout.Attempt{ID: "att_1", OrderID: o.ID, Seq: 1, TxnID: "shop-o1-1", Status: checkout.AttemptCharged,
		Method: "AMAZONPAYLATER", MethodType: "CONSUMER_FINANCE", Provider: "AMAZONPAY",
		Linked: true, Amount: o.Amount, ProviderRef: "S04-1", CreatedAt: at, UpdatedAt: at}
}

// render returns the order object as a merchant's JSON decoder sees it.
func render(t *testing.T, o checkout.Order, a *checkout.Attempt, refunds []checkout.Refund) map[string]any {
	t.Helper()
	b, err := json.Marshal(NewOrder(o, a, refunds, "https://pay.example/orders/x/payment-page"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Amounts are written as Juspay writes them, so typed clients that read an
// integer for whole rupees (Juspay's Java kit casts to Integer) work.
func TestAmountsAsJuspayWritesThem(t *testing.T) {
	for paise, want := range map[money.Paise]string{39500: `"amount":395,`, 1050: `"amount":10.5,`, 1055: `"amount":10.55,`, 1: `"amount":0.01,`} {
		b, err := json.Marshal(NewOrder(order(paise, checkout.StatusNew), nil, nil, ""))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%d paise: want %s in %s", paise, want, b)
		}
	}
}

// The fields Juspay always sends are always there, before any refund.
func TestAlwaysPresentFields(t *testing.T) {
	m := render(t, order(49900, checkout.StatusNew), nil, nil)
	for k, want := range map[string]any{
		"refunded": false, "amount_refunded": 0.0, "effective_amount": 499.0, "maximum_eligible_refund_amount": 0.0,
	} {
		if m[k] != want {
			t.Errorf("%s = %#v, want %#v", k, m[k], want)
		}
	}
	meta, _ := m["metadata"].(map[string]any)
	if meta["webhook_url"] != "https://shop.example/hooks" || meta["payment_page_client_id"] != "shop" || meta["AMAZONPAY:gateway_reference_id"] != "x" {
		t.Errorf("metadata = %v", m["metadata"])
	}
	if _, ok := m["refunds"]; ok {
		t.Error("refunds[] present with no refund")
	}
}

// Pending refunds count in amount_refunded as Juspay counts them; refunded
// turns true only once the whole amount is back; failed ones count nowhere.
func TestRefundTotals(t *testing.T) {
	o := order(100000, checkout.StatusCharged)
	a := charged(o)
	refund := func(id string, p money.Paise, st checkout.RefundStatus, auto bool) checkout.Refund {
		return checkout.Refund{ID: id, OrderID: o.ID, AttemptID: a.ID, UniqueRequestID: id, Amount: p, Status: st, Automatic: auto, CreatedAt: at}
	}
	tests := []struct {
		name            string
		status          checkout.Status
		refunds         []checkout.Refund
		refunded        bool
		asked, eligible float64
	}{
		{"none", checkout.StatusCharged, nil, false, 0, 1000},
		{"pending", checkout.StatusCharged, []checkout.Refund{refund("r1", 25050, checkout.RefundPending, false)}, false, 250.5, 749.5},
		{"failed", checkout.StatusCharged, []checkout.Refund{refund("r1", 25050, checkout.RefundFailure, false)}, false, 0, 1000},
		{"partial and review", checkout.StatusCharged, []checkout.Refund{
			refund("r1", 40000, checkout.RefundSuccess, false), refund("r2", 10000, checkout.RefundManualReview, false)}, false, 500, 500},
		{"full", checkout.StatusCharged, []checkout.Refund{
			refund("r1", 40000, checkout.RefundSuccess, false), refund("r2", 60000, checkout.RefundSuccess, false)}, true, 1000, 0},
		{"auto refunded", checkout.StatusAutoRefunded, []checkout.Refund{refund("auto", 100000, checkout.RefundSuccess, true)}, true, 1000, 0},
		{"auto refund pending", checkout.StatusAutoRefunded, []checkout.Refund{refund("auto", 100000, checkout.RefundPending, true)}, false, 1000, 0},
	}
	for _, tt := range tests {
		o.Status = tt.status
		m := render(t, o, a, tt.refunds)
		if m["refunded"] != tt.refunded || m["amount_refunded"] != tt.asked || m["maximum_eligible_refund_amount"] != tt.eligible {
			t.Errorf("%s: refunded %v amount_refunded %v maximum_eligible_refund_amount %v, want %v %v %v", tt.name,
				m["refunded"], m["amount_refunded"], m["maximum_eligible_refund_amount"], tt.refunded, tt.asked, tt.eligible)
		}
	}
}

// notApplicable lists the keys of Juspay's published order status and
// webhook samples (juspay-sdk-integration-demo, APB/order_status_success
// and APB/webhook_success, for an Amazon Pay order) that paypage leaves
// out, with the reason; the README repeats the list.
var notApplicable = map[string]string{
	"product_id":                            "paypage takes no product_id",
	"gateway_reference_id":                  "no gateway reference is configured per merchant",
	"offers":                                "paypage applies no offers",
	"resp_code":                             "the gateway's answer is in payment_gateway_response and bank_error_code",
	"resp_message":                          "as resp_code",
	"resp_category":                         "as resp_code",
	"refundable_amount":                     "maximum_eligible_refund_amount says it",
	"emi_details":                           "no EMI",
	"payment_links.mobile":                  "one hosted page serves every device: payment_links.web",
	"payment_links.iframe":                  "the page refuses to be framed",
	"txn_detail.metadata":                   "the payment channel is not known",
	"txn_detail.txn_amount_breakup[].sno":   "an internal Juspay serial",
	"payment_gateway_response.auth_ref_num": "card networks only",
	"payment_gateway_response.network_error_message": "card networks only",
	"payment_gateway_response.network_error_code":    "card networks only",
	"payment_gateway_response.rrn":                   "card and UPI only",
	"payment_gateway_response.auth_id_code":          "card only",
	"payment_gateway_response.gateway_merchant_id":   "null in the samples",
	"payment_gateway_response.eci":                   "card only",
	"payment_gateway_response.arn":                   "card refunds only",
	"payment_gateway_response.gateway_response":      "Amazon's raw answer stays with paypage",
}

// juspaySampleKeys are the keys of those samples, flattened.
var juspaySampleKeys = []string{
	"payment_method", "customer_phone", "udf1", "udf2", "udf3", "udf4", "udf5", "udf6", "udf7", "udf8", "udf9", "udf10",
	"txn_id", "order_id", "gateway_reference_id", "maximum_eligible_refund_amount", "customer_id", "amount", "status",
	"status_id", "offers", "resp_message", "product_id", "refunded", "gateway_id", "date_created", "id", "merchant_id",
	"return_url", "effective_amount", "captured_amount", "currency", "auth_type", "customer_email", "resp_code",
	"payment_method_type", "wallet", "last_updated", "txn_uuid", "refundable_amount", "resp_category", "amount_refunded",
	"bank_error_code", "metadata", "emi_details", "bank_error_message",
	"payment_links.mobile", "payment_links.web", "payment_links.iframe",
	"payment_gateway_response.auth_ref_num", "payment_gateway_response.network_error_message",
	"payment_gateway_response.txn_id", "payment_gateway_response.rrn", "payment_gateway_response.auth_id_code",
	"payment_gateway_response.resp_message", "payment_gateway_response.epg_txn_id",
	"payment_gateway_response.gateway_merchant_id", "payment_gateway_response.resp_code",
	"payment_gateway_response.created", "payment_gateway_response.eci", "payment_gateway_response.network_error_code",
	"payment_gateway_response.arn", "payment_gateway_response.gateway_response",
	"txn_detail.txn_id", "txn_detail.order_id", "txn_detail.error_code", "txn_detail.txn_flow_type", "txn_detail.status",
	"txn_detail.express_checkout", "txn_detail.gateway_id", "txn_detail.error_message", "txn_detail.offer_deduction_amount",
	"txn_detail.tax_amount", "txn_detail.currency", "txn_detail.txn_amount", "txn_detail.created", "txn_detail.gateway",
	"txn_detail.surcharge_amount", "txn_detail.last_updated", "txn_detail.txn_uuid", "txn_detail.net_amount",
	"txn_detail.redirect", "txn_detail.metadata",
	"txn_detail.txn_amount_breakup[].amount", "txn_detail.txn_amount_breakup[].method",
	"txn_detail.txn_amount_breakup[].sno", "txn_detail.txn_amount_breakup[].name",
}

// Field by field against Juspay's samples: every key is sent or listed as
// not applicable, with a reason.
func TestFieldsAgainstJuspaySamples(t *testing.T) {
	o := order(39500, checkout.StatusCharged)
	a := charged(o)
	a.Method, a.MethodType = "AMAZONPAY", "WALLET" // the samples are Amazon Pay Balance's
	m := render(t, o, a, nil)
	for _, key := range juspaySampleKeys {
		_, skip := notApplicable[key]
		_, has := lookup(m, key)
		switch {
		case has && skip:
			t.Errorf("%s is sent but listed as not applicable", key)
		case !has && !skip:
			t.Errorf("%s is neither sent nor listed as not applicable", key)
		}
	}
	for key := range notApplicable {
		if !slices.Contains(juspaySampleKeys, key) {
			t.Errorf("not-applicable key %s is not in the samples", key)
		}
	}
}

func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		list := strings.HasSuffix(part, "[]")
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[strings.TrimSuffix(part, "[]")]; !ok {
			return nil, false
		}
		if list {
			items, ok := v.([]any)
			if !ok || len(items) == 0 {
				return nil, false
			}
			v = items[0]
		}
	}
	return v, true
}

// Each method appears under its own Juspay names; a balance payment that
// went through the top-up page is a REDIRECT_DEBIT.
func TestMethodNames(t *testing.T) {
	o := order(39500, checkout.StatusCharged)
	a := charged(o)
	m := render(t, o, a, nil)
	if m["payment_method"] != "AMAZONPAYLATER" || m["payment_method_type"] != "CONSUMER_FINANCE" || m["gateway_id"] != 38.0 || m["wallet"] != nil {
		t.Errorf("pay later: %v %v %v %v", m["payment_method"], m["payment_method_type"], m["gateway_id"], m["wallet"])
	}
	a.Method, a.MethodType, a.ActionURL = "AMAZONPAY", "WALLET", "https://amazon.example/topup"
	m = render(t, o, a, nil)
	wallet, _ := m["wallet"].(map[string]any)
	detail, _ := m["txn_detail"].(map[string]any)
	if m["payment_method"] != "AMAZONPAY" || m["payment_method_type"] != "WALLET" || wallet["txn_flow_type"] != "REDIRECT_DEBIT" ||
		detail["txn_flow_type"] != "REDIRECT_DEBIT" || detail["gateway"] != "AMAZONPAY" {
		t.Errorf("balance with top-up: %v %v %v %v", m["payment_method"], m["payment_method_type"], wallet, detail["txn_flow_type"])
	}
}
