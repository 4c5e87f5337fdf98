package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/paypage/paypage/internal/errs"
	"github.com/paypage/paypage/internal/metrics"
)

// Defaults for Options fields left zero.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultWorkers   = 8
	DefaultBatch     = 16
	DefaultPollEvery = 500 * time.Millisecond
	// DefaultLease must exceed the per-attempt timeout plus the time to
	// record a result, or a slow try could be re-claimed while in flight.
	DefaultLease = 2 * time.Minute
	// queueEvery bounds how often the pending count is queried for metrics.
	queueEvery = 5 * time.Second
)

// DefaultSchedule is Juspay's retry schedule: the delay before each retry
// after a failed try. After the last one the delivery is FAILED, so a
// webhook gets 1 + 16 tries over about a day.
var DefaultSchedule = []time.Duration{
	time.Minute, 5 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute,
	time.Hour, time.Hour, time.Hour, time.Hour, time.Hour,
	6 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// Options configure a Dispatcher. Only Store is required.
type Options struct {
	Store Store
	// HTTPClient sends the webhooks. Its Timeout bounds each try
	// (DefaultTimeout when unset); redirects are never followed either way.
	HTTPClient *http.Client
	Workers    int           // concurrent deliveries per instance
	Batch      int           // rows claimed per poll at most
	PollEvery  time.Duration // idle poll interval; Notify wakes the loop early
	Lease      time.Duration // how long a claimed row is kept from other instances
	// Schedule is the delay before each retry; after len(Schedule) retries
	// a failing delivery is FAILED. Nil means DefaultSchedule.
	Schedule []time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
	Metrics  *metrics.Metrics // may be nil
}

// Dispatcher delivers due webhooks. It is safe to run one in every
// instance against the same database.
type Dispatcher struct {
	store     Store
	client    *http.Client
	workers   int
	batch     int
	pollEvery time.Duration
	lease     time.Duration
	schedule  []time.Duration
	now       func() time.Time
	log       *slog.Logger
	metrics   *metrics.Metrics
	wake      chan struct{}
}

// New builds a Dispatcher, filling defaults for zero options.
func New(opts Options) *Dispatcher {
	d := &Dispatcher{
		store: opts.Store, workers: opts.Workers, batch: opts.Batch, pollEvery: opts.PollEvery,
		lease: opts.Lease, schedule: opts.Schedule, now: opts.Now, log: opts.Logger,
		metrics: opts.Metrics, wake: make(chan struct{}, 1),
	}
	if d.workers <= 0 {
		d.workers = DefaultWorkers
	}
	if d.batch <= 0 {
		d.batch = DefaultBatch
	}
	if d.pollEvery <= 0 {
		d.pollEvery = DefaultPollEvery
	}
	if d.schedule == nil {
		d.schedule = DefaultSchedule
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	var c http.Client
	if opts.HTTPClient != nil {
		c = *opts.HTTPClient
	} else {
		// Keep a connection per worker alive to a busy merchant; the
		// default transport keeps only two per host.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = d.workers
		c.Transport = t
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	c.CheckRedirect = noRedirects
	d.client = &c
	if d.lease <= 0 {
		d.lease = DefaultLease
	}
	if d.lease < 2*c.Timeout {
		// A lease shorter than a try would let another instance send the
		// same webhook while this one is still waiting for an answer.
		d.lease = 2 * c.Timeout
	}
	return d
}

// Notify wakes the loop to look for due deliveries now. It never blocks;
// call it after committing a transaction that added deliveries.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// DeliverDue claims one batch of due deliveries, sends them with up to
// Workers at once, records the outcomes and returns how many it sent.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	ds, err := d.claim(ctx, d.batch)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, d.workers)
	var wg sync.WaitGroup
	for _, del := range ds {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.deliver(ctx, del)
		})
	}
	wg.Wait()
	return len(ds), nil
}

func (d *Dispatcher) claim(ctx context.Context, limit int) ([]Delivery, error) {
	now := d.now()
	ds, err := d.store.ClaimWebhookDeliveries(ctx, now, now.Add(d.lease), limit)
	if err != nil {
		return nil, errs.Wrap(err, "claim webhook deliveries")
	}
	return ds, nil
}

// deliver makes one try at del and records it. Errors are logged, not
// returned: the row's lease makes any lost outcome come back later.
func (d *Dispatcher) deliver(ctx context.Context, del Delivery) {
	a := d.post(ctx, del)
	r := d.result(del, a)
	if a.err != "" && ctx.Err() != nil {
		// Shutting down, not the merchant's fault: make it due at once for
		// another instance instead of waiting out the schedule or lease.
		r.Status, r.NextAttempt = StatusPending, d.now()
	}
	log := d.log.With("event_id", del.EventID, "attempt", del.Attempt, "host", host(del.URL))
	// Record even while shutting down, within a short bound of its own.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.store.RecordWebhookAttempt(rctx, r); err != nil {
		if errs.Is(err, errs.Conflict) {
			log.Warn("webhook lease lost; another instance owns the delivery now")
		} else {
			log.Error("recording webhook attempt", "error", err)
		}
		return
	}
	d.metrics.WebhookDelivered(r.Status.outcome(), a.latency)
	switch r.Status {
	case StatusDelivered:
		log.Debug("webhook delivered", "status_code", a.statusCode, "latency_ms", a.latency.Milliseconds())
	case StatusPending:
		log.Info("webhook try failed, will retry", "status_code", a.statusCode, "error", a.err, "next_attempt_at", r.NextAttempt)
	case StatusFailed:
		log.Warn("webhook failed, schedule exhausted", "status_code", a.statusCode, "error", a.err)
	}
}

// outcome names a recorded status as the metrics label.
func (s Status) outcome() string {
	switch s {
	case StatusDelivered:
		return "delivered"
	case StatusFailed:
		return "failed"
	}
	return "retry"
}

// host names the merchant endpoint in logs without any userinfo or query
// that might carry credentials.
func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
