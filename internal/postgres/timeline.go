package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/checkout"
)

// insertTimeline adds best-effort entries (a provider call, a return to
// the merchant), in the order given, with an asynchronous commit: entries
// come with every page view's provider question, and a crash losing the
// last of them loses no money fact (status entries are written with their
// transition).
const insertTimeline = `INSERT INTO order_timeline (order_id, at, kind, fields)
SELECT e.order_id, e.at, e.kind, e.fields::jsonb
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[]) WITH ORDINALITY AS e(order_id, at, kind, fields, n),
	` + asyncCommit + `
ORDER BY e.n`

// asyncCommit is a FROM item that turns synchronous_commit off for the
// statement's own transaction: a single statement is its own transaction,
// and the setting is read when it commits. Only for writes whose loss in
// a crash is harmless; nothing written later depends on them.
const asyncCommit = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`

// timelineEntry is a checkout.TimelineEntry as insertTimeline takes it.
type timelineEntry struct {
	orderID, at, kind, fields string
}

// RecordTimeline adds entry e to its order's timeline, in one statement
// with the entries recorded at the same time (see group).
func (d *DB) RecordTimeline(ctx context.Context, e checkout.TimelineEntry) error {
	body, err := timelineFields(e.Fields)
	if err != nil {
		return err
	}
	row := timelineEntry{orderID: e.OrderID, at: e.At.Format(time.RFC3339Nano), kind: string(e.Kind), fields: body}
	if err := d.timeline.add(ctx, row, d.insertTimeline); err != nil {
		return mapErr(err, "timeline entry")
	}
	return nil
}

func (d *DB) insertTimeline(ctx context.Context, rows []timelineEntry) error {
	cols := make([]pq.StringArray, 4)
	for _, r := range rows {
		for i, v := range []string{r.orderID, r.at, r.kind, r.fields} {
			cols[i] = append(cols[i], v)
		}
	}
	return d.exec(ctx, insertTimeline, cols[0], cols[1], cols[2], cols[3])
}

// timelineFields renders fields as a jsonb argument (jsonText).
func timelineFields(fields map[string]any) (string, error) {
	if fields == nil {
		fields = map[string]any{}
	}
	return jsonText(fields)
}

const insertStatusEntry = `INSERT INTO order_timeline (order_id, at, kind, fields)
VALUES ($1, clock_timestamp(), 'status', $2)`

// recordStatus writes, inside tx, the timeline entry of object (order,
// attempt or refund) id moving from status from to status to; a move that
// keeps the status records nothing.
func (d *DB) recordStatus(ctx context.Context, tx *sqlx.Tx, orderID, object, id, from, to string) error {
	if from == to {
		return nil
	}
	f := map[string]any{"object": object, "id": id, "to": to}
	if from != "" {
		f["from"] = from
	}
	body, err := timelineFields(f)
	if err != nil {
		return err
	}
	if _, err := d.txExec(ctx, tx, insertStatusEntry, orderID, body); err != nil {
		return mapErr(err, "timeline entry")
	}
	return nil
}

type timelineRow struct {
	At         time.Time      `db:"at"`
	Kind       string         `db:"kind"`
	Fields     string         `db:"fields"`
	EventID    sql.NullString `db:"event_id"`
	EventName  sql.NullString `db:"event_name"`
	StatusCode sql.NullInt32  `db:"status_code"`
	LatencyMS  sql.NullInt64  `db:"latency_ms"`
	Error      sql.NullString `db:"error"`
	Next       sql.NullTime   `db:"next_attempt_at"`
}

// orderTimeline merges the order's own entries with the tries of its
// webhooks, by time; id breaks ties so entries of one transaction keep
// their order.
const orderTimeline = `
SELECT at, kind, fields::text AS fields, NULL AS event_id, NULL AS event_name, NULL::integer AS status_code,
	NULL::bigint AS latency_ms, NULL AS error, NULL::timestamptz AS next_attempt_at, id AS seq
FROM order_timeline WHERE order_id = $1
UNION ALL
SELECT wa.attempted_at, 'webhook_attempt', '{}', e.id, e.event_name, wa.status_code,
	wa.latency_ms, wa.error, wa.next_attempt_at, wa.id
FROM webhook_attempts wa JOIN events e ON e.id = wa.event_id
WHERE e.order_id = $1
ORDER BY 1, 10`

// OrderTimeline returns every entry of order orderID, webhook tries
// included, oldest first.
func (d *DB) OrderTimeline(ctx context.Context, orderID string) ([]checkout.TimelineEntry, error) {
	rows, err := d.db.QueryxContext(ctx, orderTimeline, orderID)
	if err != nil {
		return nil, mapErr(err, "timeline")
	}
	defer rows.Close()
	out := []checkout.TimelineEntry{}
	for rows.Next() {
		var r timelineRow
		var seq int64
		if err := rows.Scan(&r.At, &r.Kind, &r.Fields, &r.EventID, &r.EventName, &r.StatusCode,
			&r.LatencyMS, &r.Error, &r.Next, &seq); err != nil {
			return nil, mapErr(err, "timeline")
		}
		e, err := r.entry(orderID)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "timeline")
	}
	return out, nil
}

func (r timelineRow) entry(orderID string) (checkout.TimelineEntry, error) {
	e := checkout.TimelineEntry{OrderID: orderID, At: r.At, Kind: checkout.TimelineKind(r.Kind), Fields: map[string]any{}}
	if e.Kind != checkout.TimelineWebhookAttempt {
		if err := json.Unmarshal([]byte(r.Fields), &e.Fields); err != nil {
			return e, err
		}
		return e, nil
	}
	f := e.Fields
	f["event_id"], f["event_name"], f["latency_ms"] = r.EventID.String, r.EventName.String, r.LatencyMS.Int64
	if r.StatusCode.Valid {
		f["status_code"] = int(r.StatusCode.Int32)
	}
	// The error text may quote the merchant's answer; the timeline names
	// only its kind.
	switch {
	case r.Error.String == "":
	case r.StatusCode.Valid:
		f["error_kind"] = "http_status"
	default:
		f["error_kind"] = "no_response"
	}
	if r.Next.Valid {
		f["next_attempt_at"] = r.Next.Time.UTC()
	}
	return e, nil
}
