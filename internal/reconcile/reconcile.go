// Package reconcile runs the background work that settles payments with no
// browser involved: it polls Amazon about pending charges on Amazon's
// recommended schedule, closes attempts of expired orders and abandoned
// consent pages, refunds late successes, and polls pending refunds. It is
// safe to run in every instance: rows are leased with FOR UPDATE SKIP
// LOCKED, and every state change goes through checkout's guarded
// transitions. What an answer means is decided in internal/checkout.
package reconcile

import (
	"context"
	"log/slog"
	"time"

	"github.com/paypage/paypage/internal/checkout"
)

// Store is what the reconciler reads and leases.
type Store interface {
	ClaimWatchedAttempts(ctx context.Context, limit int, lease, unsentAfter time.Duration) ([]checkout.Due[checkout.Attempt], error)
	ExpiredInFlight(ctx context.Context, limit int) ([]checkout.Attempt, error)
	AbandonedConsents(ctx context.Context, cutoff time.Time, limit int) ([]checkout.Attempt, error)
	ClaimDueRefunds(ctx context.Context, limit int, lease time.Duration) ([]checkout.Due[checkout.Refund], error)
}

// Metrics observes the reconciler; internal/metrics implements it.
type Metrics interface {
	ReconcilerLag(d time.Duration)
	ReconcilerSettled(outcome string)
}

// Options configure a Reconciler.
type Options struct {
	Store   Store
	Service *checkout.Service
	Every   time.Duration // pause between rounds when idle (default 1 s)
	Batch   int           // rows per query (default 50)
	Lease   time.Duration // how long a claimed row is skipped by others (default 30 s)
	Logger  *slog.Logger
	Metrics Metrics // may be nil
}

// Reconciler is the background settling worker.
type Reconciler struct{ o Options }

// New returns a reconciler with defaults filled in.
func New(o Options) *Reconciler {
	if o.Every == 0 {
		o.Every = time.Second
	}
	if o.Batch == 0 {
		o.Batch = 50
	}
	if o.Lease == 0 {
		o.Lease = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Reconciler{o: o}
}

// Run works until ctx ends.
func (r *Reconciler) Run(ctx context.Context) error {
	t := time.NewTicker(r.o.Every)
	defer t.Stop()
	for {
		n, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.o.Logger.WarnContext(ctx, "reconciler round failed", "error", err)
		}
		if n >= r.o.Batch {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce does one round and returns how many rows it handled.
func (r *Reconciler) RunOnce(ctx context.Context) (int, error) {
	svc, n := r.o.Service, 0
	// Close expired orders' attempts first, so that a success Amazon
	// reports for them afterwards is treated as late.
	expired, err := r.o.Store.ExpiredInFlight(ctx, r.o.Batch)
	if err != nil {
		return n, err
	}
	for _, a := range expired {
		if err := svc.CloseExpired(ctx, a); err != nil {
			return n, err
		}
		r.settled("closed_expired")
		n++
	}
	abandoned, err := r.o.Store.AbandonedConsents(ctx, svc.ConsentCutoff(), r.o.Batch)
	if err != nil {
		return n, err
	}
	for _, a := range abandoned {
		if err := svc.AbandonConsent(ctx, a); err != nil {
			return n, err
		}
		r.settled("abandoned_consent")
		n++
	}
	watched, err := r.o.Store.ClaimWatchedAttempts(ctx, r.o.Batch, r.o.Lease, svc.UnsentGrace())
	if err != nil {
		return n, err
	}
	for _, d := range watched {
		r.lag(d.DueAt)
		final, err := svc.SettleAttempt(ctx, d.Item)
		if err != nil {
			r.o.Logger.WarnContext(ctx, "settling attempt failed", "txn_id", d.Item.TxnID, "error", err)
			continue
		}
		if final {
			r.settled("charge")
		}
		n++
	}
	refunds, err := r.o.Store.ClaimDueRefunds(ctx, r.o.Batch, r.o.Lease)
	if err != nil {
		return n, err
	}
	for _, d := range refunds {
		r.lag(d.DueAt)
		if err := svc.SettleRefund(ctx, d.Item); err != nil {
			r.o.Logger.WarnContext(ctx, "settling refund failed", "refund_id", d.Item.ID, "error", err)
			continue
		}
		n++
	}
	return n, nil
}

func (r *Reconciler) lag(due time.Time) {
	if r.o.Metrics != nil {
		r.o.Metrics.ReconcilerLag(time.Since(due))
	}
}

func (r *Reconciler) settled(outcome string) {
	if r.o.Metrics != nil {
		r.o.Metrics.ReconcilerSettled(outcome)
	}
}
