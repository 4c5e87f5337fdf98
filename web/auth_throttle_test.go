package web

import (
	"strconv"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestAuthThrottleBudget(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	th := newAuthThrottle(clock.now)
	const ip = "203.0.113.7"
	for i := 1; i <= authBurst; i++ {
		if w := th.wait(ip); w != 0 {
			t.Fatalf("before failure %d: wait %v", i, w)
		}
		if exhausted := th.fail(ip); exhausted != (i == authBurst) {
			t.Fatalf("failure %d: exhausted %v", i, exhausted)
		}
	}
	if w := th.wait(ip); w != authRefill {
		t.Fatalf("after %d failures: wait %v, want %v", authBurst, w, authRefill)
	}
	if w := th.wait("198.51.100.9"); w != 0 {
		t.Errorf("another address waits %v", w)
	}
	clock.advance(authRefill / 4)
	if w := th.wait(ip); w != authRefill*3/4 {
		t.Errorf("a quarter of the way: wait %v", w)
	}

	// One try comes back per authRefill, and failing it ends the respite.
	clock.advance(authRefill * 3 / 4)
	if w := th.wait(ip); w != 0 {
		t.Fatalf("after a refill: wait %v", w)
	}
	if !th.fail(ip) || th.wait(ip) != authRefill {
		t.Fatalf("the refilled try did not run out")
	}

	// A full bucket is forgotten at the next sweep.
	clock.advance(authSweepEvery)
	th.fail("192.0.2.1")
	if n := th.tracked(); n != 1 {
		t.Errorf("after a sweep %d addresses are tracked, want 1", n)
	}
	if w := th.wait(ip); w != 0 {
		t.Errorf("forgotten address waits %v", w)
	}
}

func TestAuthThrottleKeepsAtMostMaxAddresses(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	th := newAuthThrottle(clock.now)
	for i := 0; i < authBurst; i++ {
		th.fail("first")
	}
	// The newcomers fail at one instant, so that none is swept as idle.
	clock.advance(time.Millisecond)
	for i := 0; i < authMaxAddresses+100; i++ {
		th.fail("10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256))
		if n := th.tracked(); n > authMaxAddresses {
			t.Fatalf("%d addresses tracked", n)
		}
	}
	// The oldest failure made room first; the newest are still counted.
	if w := th.wait("first"); w != 0 {
		t.Errorf("the oldest address is still throttled (%v)", w)
	}
	last := authMaxAddresses + 99
	if _, ok := th.buckets["10.0."+strconv.Itoa(last/256)+"."+strconv.Itoa(last%256)]; !ok {
		t.Errorf("the newest address is not tracked")
	}
}

func TestAuthThrottleSurvivesAClockStep(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	th := newAuthThrottle(clock.now)
	th.fail("a")
	clock.advance(-time.Hour)
	if w := th.wait("a"); w != 0 {
		t.Errorf("after the clock went back: wait %v", w)
	}
}
