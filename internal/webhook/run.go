package webhook

import (
	"context"
	"time"
)

// Run delivers webhooks until ctx ends, then waits for tries in flight and
// returns nil. It claims only as many rows as it has free workers, so rows
// never wait in this process while another instance could send them.
func (d *Dispatcher) Run(ctx context.Context) error {
	sem := make(chan struct{}, d.workers)
	// On return, wait for tries in flight by taking every worker slot.
	defer func() {
		for range d.workers {
			sem <- struct{}{}
		}
	}()
	var lastCount time.Time
	timer := time.NewTimer(d.pollEvery)
	defer timer.Stop()
	for {
		if time.Since(lastCount) >= queueEvery {
			lastCount = time.Now()
			d.updateQueue(ctx)
		}
		// Block for one worker, then take whatever else is free.
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		free := 1
		for free < d.batch && d.tryAcquire(sem) {
			free++
		}
		ds, err := d.claim(ctx, free)
		if err != nil && ctx.Err() == nil {
			d.log.Error("claiming webhook deliveries", "error", err)
		}
		for range free - len(ds) {
			<-sem
		}
		for _, del := range ds {
			go func() {
				defer func() { <-sem }()
				d.deliver(ctx, del)
			}()
		}
		if err == nil && len(ds) == free {
			continue // a full claim: more may be due right now
		}
		timer.Reset(d.pollEvery)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer.C:
		}
	}
}

func (d *Dispatcher) tryAcquire(sem chan struct{}) bool {
	select {
	case sem <- struct{}{}:
		return true
	default:
		return false
	}
}

func (d *Dispatcher) updateQueue(ctx context.Context) {
	if d.metrics == nil {
		return
	}
	n, err := d.store.PendingWebhookCount(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("counting pending webhooks", "error", err)
		}
		return
	}
	d.metrics.SetWebhookQueue(n)
}
