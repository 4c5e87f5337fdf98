package postgres

import (
	"context"
	"time"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/money"
)

// offerJSON is a checkout.Offer as the order_offers table keeps it, with
// names of its own so that renaming a Go field does not silently drop a
// kept answer.
type offerJSON struct {
	Listed     bool   `json:"listed"`
	Payable    bool   `json:"payable"`
	Linked     bool   `json:"linked"`
	Figure     int64  `json:"figure"`
	FigureKind int    `json:"figure_kind"`
	Note       string `json:"note,omitempty"`
	Consent    string `json:"consent,omitempty"`
	TermsURL   string `json:"terms_url,omitempty"`
	TermsLabel string `json:"terms_label,omitempty"`
	Action     string `json:"action,omitempty"`
}

func toOfferJSON(o checkout.Offer) offerJSON {
	return offerJSON{Listed: o.Listed, Payable: o.Payable, Linked: o.Linked, Figure: int64(o.Figure), FigureKind: int(o.FigureKind),
		Note: o.Note, Consent: o.Consent, TermsURL: o.TermsURL, TermsLabel: o.TermsLabel, Action: o.Action}
}

func (j offerJSON) offer() checkout.Offer {
	return checkout.Offer{Listed: j.Listed, Payable: j.Payable, Linked: j.Linked, Figure: money.Paise(j.Figure),
		FigureKind: checkout.FigureKind(j.FigureKind), Note: j.Note, Consent: j.Consent, TermsURL: j.TermsURL,
		TermsLabel: j.TermsLabel, Action: j.Action}
}

// cachedOfferJSON is one order_offers row as pageRecords aggregates it.
type cachedOfferJSON struct {
	Method     string    `json:"method"`
	Offer      offerJSON `json:"offer"`
	Linked     bool      `json:"linked"`
	LinkKey    string    `json:"link_key"`
	AnsweredAt int64     `json:"answered_at"` // microseconds since 1970
}

// offersOfOrder is the pageRecords column holding the order's kept
// answers, a jsonb array (NULL when none).
const offersOfOrder = `(SELECT jsonb_agg(jsonb_build_object('method', method, 'offer', offer, 'linked', linked,
		'link_key', link_key, 'answered_at', (extract(epoch FROM answered_at) * 1000000)::bigint) ORDER BY method)
	FROM order_offers WHERE order_offers.order_id = o.id)`

// cachedOffers reads offersOfOrder for order orderID.
type cachedOffers struct {
	orderID string
	offers  []checkout.CachedOffer
}

// Scan implements sql.Scanner. An array that does not decode (written by
// another version) counts as none: the page asks the provider instead.
func (c *cachedOffers) Scan(src any) error {
	var rows []cachedOfferJSON
	if ok, err := scanJSON(src, &rows); !ok || err != nil {
		c.offers = nil
		return nil
	}
	c.offers = make([]checkout.CachedOffer, len(rows))
	for i, r := range rows {
		c.offers[i] = checkout.CachedOffer{OrderID: c.orderID, Method: r.Method, Offer: r.Offer.offer(), Linked: r.Linked,
			LinkKey: r.LinkKey, AnsweredAt: time.UnixMicro(r.AnsweredAt)}
	}
	return nil
}

// The answers are a cache: their commit need not wait for the WAL to
// reach disk (asyncCommit), so keeping them costs the database no flush of
// its own. A crash may lose the last answers kept; the page then asks
// again. An answer replaces the one kept for its order and method only if
// it is not older.
const saveOffers = `
INSERT INTO order_offers (order_id, method, offer, linked, link_key, answered_at)
SELECT c.order_id, c.method, c.offer::jsonb, c.linked, c.link_key, c.answered_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::timestamptz[])
	AS c(order_id, method, offer, linked, link_key, answered_at),
	` + asyncCommit + `
ON CONFLICT (order_id, method) DO UPDATE SET
	offer = EXCLUDED.offer, linked = EXCLUDED.linked, link_key = EXCLUDED.link_key, answered_at = EXCLUDED.answered_at
WHERE order_offers.answered_at <= EXCLUDED.answered_at`

// SaveOffer keeps a provider's answer c with its order, unless a newer one
// is kept already, in one statement with the answers kept at the same
// time (see group).
func (d *DB) SaveOffer(ctx context.Context, c checkout.CachedOffer) error {
	return mapErr(d.offers.add(ctx, c, d.saveOffers), "offer")
}

func (d *DB) saveOffers(ctx context.Context, cs []checkout.CachedOffer) error {
	var orders, methods, offers, keys, at pq.StringArray
	var linked pq.BoolArray
	for _, c := range latestOffers(cs) {
		offer, err := jsonText(toOfferJSON(c.Offer))
		if err != nil {
			return err
		}
		orders, methods, offers = append(orders, c.OrderID), append(methods, c.Method), append(offers, offer)
		linked, keys = append(linked, c.LinkKey != ""), append(keys, c.LinkKey)
		at = append(at, c.AnsweredAt.Format(time.RFC3339Nano))
	}
	return d.exec(ctx, saveOffers, orders, methods, offers, linked, keys, at)
}

// latestOffers is cs with only the newest of the answers for one order and
// method (the last of equally new ones), in the order first seen: one
// statement may change a row only once.
func latestOffers(cs []checkout.CachedOffer) []checkout.CachedOffer {
	type key struct{ order, method string }
	at := make(map[key]int, len(cs))
	out := make([]checkout.CachedOffer, 0, len(cs))
	for _, c := range cs {
		k := key{c.OrderID, c.Method}
		i, seen := at[k]
		switch {
		case !seen:
			at[k] = len(out)
			out = append(out, c)
		case !c.AnsweredAt.Before(out[i].AnsweredAt):
			out[i] = c
		}
	}
	return out
}
