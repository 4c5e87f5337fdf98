package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
)

// orderJSON is the Juspay order object, with the fields that apply.
type orderJSON struct {
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
	PaymentLinks  paymentLinks `json:"payment_links"`
	OrderExpiry   string       `json:"order_expiry"`

	// Present once a payment was attempted (the newest attempt).
	TxnID                  string           `json:"txn_id,omitempty"`
	TxnUUID                string           `json:"txn_uuid,omitempty"`
	PaymentMethodType      string           `json:"payment_method_type,omitempty"`
	PaymentMethod          string           `json:"payment_method,omitempty"`
	GatewayID              int              `json:"gateway_id,omitempty"`
	AuthType               *string          `json:"auth_type,omitempty"`
	BankErrorCode          *string          `json:"bank_error_code,omitempty"`
	BankErrorMessage       *string          `json:"bank_error_message,omitempty"`
	TxnDetail              *txnDetailJSON   `json:"txn_detail,omitempty"`
	PaymentGatewayResponse *gatewayRespJSON `json:"payment_gateway_response,omitempty"`
}

type txnDetailJSON struct {
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
}

type gatewayRespJSON struct {
	RespCode    string `json:"resp_code"`
	RespMessage string `json:"resp_message"`
	EpgTxnID    string `json:"epg_txn_id"`
	TxnID       string `json:"txn_id"`
	Created     string `json:"created"`
}

// Amazon Pay as Juspay names it.
const (
	amazonGatewayID   = 38
	amazonGateway     = "AMAZONPAY"
	paymentMethod     = "AMAZONPAYLATER"
	paymentMethodType = "CONSUMER_FINANCE"
)

// showOrder handles GET /orders/{order_id}.
func (s *Server) showOrder(c echo.Context) error {
	o, a, err := s.svc.MerchantOrderDetails(c.Request().Context(), merchantFrom(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.orderJSON(o, a))
}

func (s *Server) orderJSON(o checkout.Order, a *checkout.Attempt) orderJSON {
	j := orderJSON{
		ID: o.ID, OrderID: o.OrderID, MerchantID: o.MerchantID, Status: string(o.Status), StatusID: o.Status.ID(),
		Amount: json.Number(o.Amount.String()), Currency: o.Currency,
		DateCreated: o.CreatedAt.UTC().Format(time.RFC3339), LastUpdated: o.UpdatedAt.UTC().Format(time.RFC3339),
		CustomerID: o.CustomerID, CustomerEmail: o.CustomerEmail, CustomerPhone: o.CustomerPhone,
		ReturnURL: o.ReturnURL, Description: o.Description,
		UDF1: o.UDF[0], UDF2: o.UDF[1], UDF3: o.UDF[2], UDF4: o.UDF[3], UDF5: o.UDF[4],
		UDF6: o.UDF[5], UDF7: o.UDF[6], UDF8: o.UDF[7], UDF9: o.UDF[8], UDF10: o.UDF[9],
		PaymentLinks: s.paymentLinks(o), OrderExpiry: o.ExpiresAt.UTC().Format(time.RFC3339),
	}
	if a == nil {
		return j
	}
	created, updated := a.CreatedAt.UTC().Format(time.RFC3339), a.UpdatedAt.UTC().Format(time.RFC3339)
	j.TxnID, j.TxnUUID = a.TxnID, a.ID
	j.PaymentMethodType, j.PaymentMethod, j.GatewayID = paymentMethodType, paymentMethod, amazonGatewayID
	j.AuthType, j.BankErrorCode, j.BankErrorMessage = &a.AuthType, &a.ErrorCode, &a.ErrorMessage
	j.TxnDetail = &txnDetailJSON{
		TxnID: a.TxnID, OrderID: o.OrderID, Status: string(a.TxnStatus()), TxnUUID: a.ID,
		Gateway: amazonGateway, GatewayID: amazonGatewayID,
		TxnAmount: json.Number(a.Amount.String()), NetAmount: json.Number(a.Amount.String()), Currency: o.Currency,
		Created: created, LastUpdated: updated, ErrorCode: a.ErrorCode, ErrorMessage: a.ErrorMessage,
		Redirect: !a.Linked, TxnFlowType: "DIRECT_DEBIT",
	}
	j.PaymentGatewayResponse = &gatewayRespJSON{
		RespCode: a.ErrorCode, RespMessage: a.ErrorMessage, EpgTxnID: a.AmazonChargeID, TxnID: a.TxnID, Created: created,
	}
	if a.Status == checkout.AttemptCharged {
		j.PaymentGatewayResponse.RespCode, j.PaymentGatewayResponse.RespMessage = "SUCCESS", "Capture approved"
	}
	return j
}
