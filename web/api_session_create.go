package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/juspay"
)

// sessionResponse is the POST /session answer.
type sessionResponse struct {
	Status       string              `json:"status"`
	ID           string              `json:"id"`
	OrderID      string              `json:"order_id"`
	PaymentLinks juspay.PaymentLinks `json:"payment_links"`
	OrderExpiry  string              `json:"order_expiry"`
}

// createSession handles POST /session.
func (s *Server) createSession(c echo.Context) error {
	in, err := decodeSessionInput(c)
	if err != nil {
		return err
	}
	o, _, err := s.svc.CreateSession(c.Request().Context(), merchantFrom(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sessionResponse{
		Status: string(o.Status), ID: o.ID, OrderID: o.OrderID,
		PaymentLinks: juspay.Links(o, s.absURL(routePayShow, o.ID)), OrderExpiry: o.ExpiresAt.UTC().Format(time.RFC3339),
	})
}

// decodeSessionInput reads the POST /session body, which is JSON.
func decodeSessionInput(c echo.Context) (checkout.SessionInput, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(strings.ToLower(ct), echo.MIMEApplicationJSON) {
		return checkout.SessionInput{}, echo.NewHTTPError(http.StatusUnsupportedMediaType, "POST /session takes a JSON body (Content-Type: application/json)")
	}
	return decodeSessionJSON(c)
}

// decodeSessionJSON reads session fields from a JSON body. Juspay clients
// send values as strings or numbers and metadata either as flat dotted keys
// ("metadata.expiryInMins") or as a nested object, so both are accepted.
func decodeSessionJSON(c echo.Context) (checkout.SessionInput, error) {
	raw, err := decodeJSONObject(c)
	if err != nil {
		return checkout.SessionInput{}, err
	}
	if meta, ok := raw["metadata"]; ok && !isNull(meta) {
		var nested map[string]json.RawMessage
		if err := json.Unmarshal(meta, &nested); err != nil {
			return checkout.SessionInput{}, errs.Fields("invalid.request", errs.FieldError{Field: "metadata", Message: "must be an object"})
		}
		for k, v := range nested {
			if _, dup := raw["metadata."+k]; !dup {
				raw["metadata."+k] = v
			}
		}
	}
	// payment_filter is an object: the domain reads it whole.
	filter, hasFilter := raw["payment_filter"]
	delete(raw, "payment_filter")
	in, err := sessionInput(slices.Collect(maps.Keys(raw)), func(key string) (string, error) {
		v, ok := raw[key]
		if !ok || isNull(v) {
			return "", nil
		}
		return scalarString(v)
	})
	if hasFilter && !isNull(filter) {
		// An object, or (as form-minded clients send it) JSON in a string.
		in.PaymentFilter = string(filter)
		if text, serr := scalarString(filter); serr == nil {
			in.PaymentFilter = text
		}
	}
	return in, err
}

// sessionInput maps request fields onto a SessionInput, whatever body they
// came in: keys are the body's field names, and value returns a field's
// text ("" when absent) or says why it is not text. Every metadata.* field
// is kept to echo in the order's metadata.
func sessionInput(keys []string, value func(key string) (string, error)) (checkout.SessionInput, error) {
	var in checkout.SessionInput
	var fields []errs.FieldError
	str := func(key string, dst *string) {
		v, err := value(key)
		if err != nil {
			fields = append(fields, errs.FieldError{Field: key, Message: err.Error()})
			return
		}
		*dst = v
	}
	str("order_id", &in.OrderID)
	str("amount", &in.Amount)
	str("currency", &in.Currency)
	str("customer_id", &in.CustomerID)
	str("customer_phone", &in.CustomerPhone)
	str("customer_email", &in.CustomerEmail)
	str("first_name", &in.FirstName)
	str("last_name", &in.LastName)
	str("description", &in.Description)
	str("return_url", &in.ReturnURL)
	str("payment_page_client_id", &in.PaymentPageClientID)
	str("action", &in.Action)
	for i := range in.UDF {
		str(fmt.Sprintf("udf%d", i+1), &in.UDF[i])
	}
	str("payment_filter", &in.PaymentFilter)
	str("language", &in.Language)
	str("metadata.expiryInMins", &in.ExpiryInMins)
	str("metadata.webhook_url", &in.WebhookURL)
	for _, k := range keys {
		name, ok := strings.CutPrefix(k, "metadata.")
		if !ok {
			continue
		}
		v, err := value(k)
		if err != nil {
			if name != "expiryInMins" && name != "webhook_url" { // reported above
				fields = append(fields, errs.FieldError{Field: k, Message: err.Error()})
			}
			continue
		}
		if v != "" {
			if in.Metadata == nil {
				in.Metadata = map[string]string{}
			}
			in.Metadata[name] = v
		}
	}
	if len(fields) > 0 {
		return in, errs.Fields("invalid.request", fields...)
	}
	return in, nil
}

// decodeJSONObject reads a request body that must be one JSON object.
func decodeJSONObject(c echo.Context) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(c.Request().Body)
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, bodyError(err)
	}
	if dec.More() || raw == nil {
		return nil, errs.Fields("invalid.request", errs.FieldError{Field: "body", Message: "must be one JSON object"})
	}
	return raw, nil
}

func bodyError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	return errs.Fields("invalid.request", errs.FieldError{Field: "body", Message: "must be a JSON object"})
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// scalarString returns a JSON string's value or a JSON number's literal text.
func scalarString(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", fmt.Errorf("must be a string")
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("must be a string")
		}
		return strings.TrimSpace(s), nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(v), nil
	}
	return "", fmt.Errorf("must be a string or a number")
}
