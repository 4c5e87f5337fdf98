package checkout

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paypage/paypage/internal/errs"
)

// Return is the signed way back to the merchant.
type Return struct {
	MerchantName string
	Method       string  // GET or POST
	URL          string  // GET: the full URL to redirect to; POST: the form action
	Params       []Param // POST: the form fields, signature included
	Language     string  // the order's page language ("" when none), for the POST form
}

// ReturnToMerchant builds the signed return for order id with its current
// status: the merchant's own query parameters are kept and signed, and the
// target is the order's return URL, which was checked against the
// merchant's registered prefixes when the order was created and is checked
// again here.
func (s *Service) ReturnToMerchant(ctx context.Context, id string) (Return, error) {
	o, m, err := s.PageOrder(ctx, id)
	if err != nil {
		return Return{}, err
	}
	if !MatchesPrefix(o.ReturnURL, m.ReturnURLPrefixes) {
		return Return{}, errs.E(errs.Conflict, "return_url.unregistered", "the order's return URL is no longer registered")
	}
	u, err := url.Parse(o.ReturnURL)
	if err != nil {
		return Return{}, errs.Wrap(err, "parse return url")
	}
	ours := map[string]string{"order_id": o.OrderID, "status": string(o.Status), "status_id": strconv.Itoa(o.Status.ID())}
	var params []Param
	for _, kv := range splitQuery(u.RawQuery) {
		if _, clash := ours[kv.Key]; clash || kv.Key == "signature" || kv.Key == "signature_algorithm" {
			continue
		}
		params = append(params, kv)
	}
	for _, k := range []string{"order_id", "status", "status_id"} {
		params = append(params, Param{k, ours[k]})
	}
	sig := SignReturn(params, m.ResponseKey)
	all := append(params, Param{"signature", sig}, Param{"signature_algorithm", "HMAC-SHA256"})
	// The entry names the way back, never the signature or the URL, whose
	// query is the merchant's.
	s.recordTimeline(ctx, o.ID, TimelineReturn, map[string]any{"method": m.ReturnMethod, "status": string(o.Status)})
	if m.ReturnMethod == ReturnPOST {
		u.RawQuery = ""
		return Return{MerchantName: m.Name, Method: ReturnPOST, URL: u.String(), Params: all, Language: o.Language}, nil
	}
	q := make([]string, len(all))
	for i, p := range all {
		q[i] = url.QueryEscape(p.Key) + "=" + url.QueryEscape(p.Value)
	}
	u.RawQuery = strings.Join(q, "&")
	return Return{MerchantName: m.Name, Method: ReturnGET, URL: u.String()}, nil
}

// returnQueryProblem says why the query of return URL raw could not be
// signed and then verified by a merchant, or "" when it can. Verifiers
// (Juspay's kits among them) read the parameters into a map, so a key that
// occurs twice cannot be verified; and every key and value must decode to
// UTF-8 text to be encoded again the same way.
func returnQueryProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "must be a valid URL"
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		switch {
		case err1 != nil || err2 != nil:
			return "has a query parameter that is not valid percent-encoding"
		case !utf8.ValidString(k) || !utf8.ValidString(v):
			return "has a query parameter that does not decode to UTF-8 text"
		case seen[k]:
			return fmt.Sprintf("repeats the query key %q; a signed return can carry each key only once, as verifiers read the parameters into a map", k)
		}
		seen[k] = true
	}
	return ""
}

// splitQuery keeps the merchant's parameters in order, decoded.
func splitQuery(raw string) []Param {
	var out []Param
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Param{k, v})
	}
	return out
}
