package web

import (
	"sync"
	"time"
)

// Limits on failed merchant API authentication, per client address.
const (
	authBurst        = 10          // failures an address may make in a row
	authRefill       = time.Second // after which it earns one more try
	authMaxAddresses = 10_000      // addresses tracked at once
	authSweepEvery   = time.Minute // how often forgotten entries are dropped
)

// authThrottle counts failed authentications per client address in a token
// bucket: an address starts with authBurst tries, each failure takes one and
// one comes back every authRefill. Only failures take tries, so servers
// that authenticate correctly are never slowed, and an address that runs
// out does not affect any other.
//
// The state is in memory and per instance. An address whose bucket is full
// again has nothing to remember and is dropped; when authMaxAddresses
// addresses are failing at once, the one whose last failure is oldest makes
// room for the newcomer.
type authThrottle struct {
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]authBucket
	swept   time.Time
}

// authBucket is one address's tries left, as of a moment.
type authBucket struct {
	tokens float64
	at     time.Time
}

func newAuthThrottle(now func() time.Time) *authThrottle {
	return &authThrottle{now: now, buckets: map[string]authBucket{}}
}

// wait returns how long ip must wait before its next try, or 0 if it may
// try now.
func (t *authThrottle) wait(ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, ok := t.buckets[ip]
	if !ok {
		return 0
	}
	tokens := b.tokensAt(t.now())
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(authRefill))
}

// fail records a failed authentication from ip. It reports whether this
// failure used up ip's last try, so that callers log the moment once.
func (t *authThrottle) fail(ip string) (exhausted bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Sub(t.swept) >= authSweepEvery {
		t.sweep(now)
	}
	b, ok := t.buckets[ip]
	if !ok {
		if len(t.buckets) >= authMaxAddresses {
			t.sweep(now)
		}
		if len(t.buckets) >= authMaxAddresses {
			t.evictOldest()
		}
		b = authBucket{tokens: authBurst, at: now}
	}
	before := b.tokensAt(now)
	b = authBucket{tokens: max(before-1, 0), at: now}
	t.buckets[ip] = b
	return before >= 1 && b.tokens < 1
}

// tracked returns the number of addresses remembered.
func (t *authThrottle) tracked() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buckets)
}

// sweep drops addresses whose bucket has filled up again.
func (t *authThrottle) sweep(now time.Time) {
	for ip, b := range t.buckets {
		if b.tokensAt(now) >= authBurst {
			delete(t.buckets, ip)
		}
	}
	t.swept = now
}

func (t *authThrottle) evictOldest() {
	var oldest string
	var at time.Time
	first := true
	for ip, b := range t.buckets {
		if first || b.at.Before(at) {
			oldest, at, first = ip, b.at, false
		}
	}
	delete(t.buckets, oldest)
}

func (b authBucket) tokensAt(now time.Time) float64 {
	elapsed := max(now.Sub(b.at), 0)
	return min(authBurst, b.tokens+float64(elapsed)/float64(authRefill))
}
