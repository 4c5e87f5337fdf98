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
}

// showOrder handles GET /orders/{order_id}.
func (s *Server) showOrder(c echo.Context) error {
	o, err := s.svc.MerchantOrder(c.Request().Context(), merchantFrom(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.orderJSON(o))
}

func (s *Server) orderJSON(o checkout.Order) orderJSON {
	return orderJSON{
		ID: o.ID, OrderID: o.OrderID, MerchantID: o.MerchantID, Status: string(o.Status), StatusID: o.Status.ID(),
		Amount: json.Number(o.Amount.String()), Currency: o.Currency,
		DateCreated: o.CreatedAt.UTC().Format(time.RFC3339), LastUpdated: o.UpdatedAt.UTC().Format(time.RFC3339),
		CustomerID: o.CustomerID, CustomerEmail: o.CustomerEmail, CustomerPhone: o.CustomerPhone,
		ReturnURL: o.ReturnURL, Description: o.Description,
		UDF1: o.UDF[0], UDF2: o.UDF[1], UDF3: o.UDF[2], UDF4: o.UDF[3], UDF5: o.UDF[4],
		UDF6: o.UDF[5], UDF7: o.UDF[6], UDF8: o.UDF[7], UDF9: o.UDF[8], UDF10: o.UDF[9],
		PaymentLinks: s.paymentLinks(o), OrderExpiry: o.ExpiresAt.UTC().Format(time.RFC3339),
	}
}
