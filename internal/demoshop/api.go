package demoshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// sessionRequest is the POST /session body the shop sends, the fields a
// typical merchant backend fills in.
type sessionRequest struct {
	OrderID       string `json:"order_id"`
	Amount        string `json:"amount"`
	Currency      string `json:"currency"`
	CustomerID    string `json:"customer_id"`
	CustomerPhone string `json:"customer_phone"`
	CustomerEmail string `json:"customer_email"`
	FirstName     string `json:"first_name"`
	LastName      string `json:"last_name"`
	Description   string `json:"description"`
	ReturnURL     string `json:"return_url"`
	Action        string `json:"action"`
	// PaymentFilter narrows the methods the page offers; nil sends none.
	PaymentFilter *paymentFilter `json:"payment_filter,omitempty"`
	// Language is the payment page's language; "" leaves it to the
	// shopper's browser.
	Language string `json:"language,omitempty"`
	// Metadata names this shop's own webhook URL on every order, so that
	// when several servers share one database each shop hears of its own
	// orders (the merchant's default webhook URL is the last server's).
	Metadata sessionMetadata `json:"metadata"`
}

// sessionMetadata holds the session's metadata.* fields.
type sessionMetadata struct {
	WebhookURL string `json:"webhook_url"`
}

// sessionResponse is the part of the POST /session answer the shop uses.
type sessionResponse struct {
	Status       string `json:"status"`
	ID           string `json:"id"`
	OrderID      string `json:"order_id"`
	PaymentLinks struct {
		Web    string `json:"web"`
		Expiry string `json:"expiry"`
	} `json:"payment_links"`
	OrderExpiry string `json:"order_expiry"`
}

// order is the part of the GET /orders/{order_id} answer the shop shows.
// Amount and status_id stay raw because Juspay sends them as numbers or
// as strings depending on the version.
type order struct {
	OrderID       string          `json:"order_id"`
	Status        string          `json:"status"`
	StatusID      json.RawMessage `json:"status_id"`
	Amount        json.RawMessage `json:"amount"`
	Currency      string          `json:"currency"`
	CustomerPhone string          `json:"customer_phone"`
}

// apiError is an answer outside 2xx, carrying what the shopper may see.
type apiError struct {
	HTTPStatus int
	Message    string
}

func (e *apiError) Error() string { return fmt.Sprintf("paypage API %d: %s", e.HTTPStatus, e.Message) }

// errorEnvelope is the Juspay error body.
type errorEnvelope struct {
	Status       string `json:"status"`
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
	ErrorInfo    struct {
		UserMessage      string `json:"user_message"`
		DeveloperMessage string `json:"developer_message"`
		Fields           []struct {
			FieldName string `json:"field_name"`
			Reason    string `json:"reason"`
		} `json:"fields"`
	} `json:"error_info"`
}

// message picks the most useful text of an error body for a person.
func (e errorEnvelope) message() string {
	var parts []string
	switch {
	case e.ErrorMessage != "":
		parts = append(parts, e.ErrorMessage)
	case e.ErrorInfo.DeveloperMessage != "":
		parts = append(parts, e.ErrorInfo.DeveloperMessage)
	case e.ErrorInfo.UserMessage != "":
		parts = append(parts, e.ErrorInfo.UserMessage)
	case e.ErrorCode != "":
		parts = append(parts, e.ErrorCode)
	}
	for _, f := range e.ErrorInfo.Fields {
		parts = append(parts, f.FieldName+": "+f.Reason)
	}
	return strings.Join(parts, "; ")
}

func (s *Shop) createSession(ctx context.Context, req sessionRequest) (sessionResponse, error) {
	var out sessionResponse
	body, err := json.Marshal(req)
	if err != nil {
		return out, err
	}
	err = s.call(ctx, http.MethodPost, "/session", body, req.CustomerID, &out)
	return out, err
}

func (s *Shop) orderStatus(ctx context.Context, orderID string) (order, error) {
	var out order
	err := s.call(ctx, http.MethodGet, "/orders/"+url.PathEscape(orderID), nil, "", &out)
	return out, err
}

// call does one merchant API request with the merchant's credentials and
// decodes a 2xx JSON answer into out.
func (s *Shop) call(ctx context.Context, method, path string, body []byte, routingID string, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.opts.APIURL+path, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(s.opts.APIKey, "")
	req.Header.Set("x-merchantid", s.opts.MerchantID)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if routingID != "" {
		req.Header.Set("x-routing-id", routingID)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var env errorEnvelope
		msg := ""
		if json.Unmarshal(raw, &env) == nil {
			msg = env.message()
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &apiError{HTTPStatus: resp.StatusCode, Message: msg}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return errors.New("paypage API answered with malformed JSON")
	}
	return nil
}
