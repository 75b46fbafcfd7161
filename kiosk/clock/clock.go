// Package clock gives the kiosk a source of time that can be faked in tests
// and that knows whether it can be trusted.
//
// A Raspberry Pi has no real-time clock: it boots at 1970 (or at the time the
// image was made) until it reaches a time server. Every event records whether
// the clock was synced when it was taken, so the hub can correct it later.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock is the source of time for everything in the kiosk.
type Clock interface {
	// Now returns the current wall-clock time.
	Now() time.Time
	// Synced reports whether the wall clock is believed correct.
	Synced() bool
}

// Plausible is the earliest wall-clock time the kiosk treats as real. A clock
// showing an earlier time has not been set since boot.
var Plausible = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// System is the machine's clock. It asks the kernel whether NTP has
// synchronised the clock and, where the kernel cannot tell, falls back to a
// plausibility check against the build era.
type System struct{}

// Now returns time.Now.
func (System) Now() time.Time { return time.Now() }

// Synced reports whether the kernel says the clock is synchronised, or, when
// that is unknown, whether the time is at least plausible.
func (System) Synced() bool {
	now := time.Now()
	if now.Before(Plausible) {
		return false
	}
	if synced, known := kernelSynced(); known {
		return synced
	}
	return true
}

// Fake is a clock for tests: it stands still until told to move.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	synced bool
}

// NewFake returns a fake clock at t, marked as synced.
func NewFake(t time.Time) *Fake { return &Fake{now: t, synced: true} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Synced returns the fake synced flag.
func (f *Fake) Synced() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.synced
}

// Advance moves the fake clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Set moves the fake clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

// SetSynced sets whether the fake clock claims to be synced.
func (f *Fake) SetSynced(s bool) {
	f.mu.Lock()
	f.synced = s
	f.mu.Unlock()
}

// Sleep waits for d or until ctx is done, whichever comes first, and
// returns ctx.Err() in the second case. Loops that back off take it as a
// function value, so tests can pass one that does not sleep.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
