// Package supervise runs the kiosk's long-lived services, each a
// Run(ctx) error loop, and restarts any that fails, with backoff. Only main
// decides what is fatal: a failing service is logged and retried, never
// allowed to stop the others.
package supervise

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// Service is one supervised loop. Run should return only when ctx is done
// (returning ctx.Err() or nil) or on failure.
type Service struct {
	Name string
	Run  func(ctx context.Context) error
}

// Backoff bounds the delay between restarts of a failing service.
type Backoff struct {
	Min, Max time.Duration
}

// DefaultBackoff restarts after 1 s, doubling up to 1 min.
func DefaultBackoff() Backoff { return Backoff{Min: time.Second, Max: time.Minute} }

// Run starts every service and blocks until ctx is done and all of them have
// returned. A service that returns early is restarted after a delay that
// doubles with each consecutive failure and resets once it has run for a
// while. wait is the sleep function (nil means clock.Sleep), so tests need
// not sleep.
func Run(ctx context.Context, log *slog.Logger, b Backoff, wait func(context.Context, time.Duration) error, services ...Service) {
	if wait == nil {
		wait = clock.Sleep
	}
	var wg sync.WaitGroup
	for _, s := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			delay := b.Min
			for {
				start := time.Now()
				err := runSafely(ctx, s)
				if ctx.Err() != nil {
					return
				}
				if time.Since(start) > b.Max {
					delay = b.Min
				}
				log.Error("service stopped; restarting", "service", s.Name, "err", err, "in", delay)
				if wait(ctx, delay) != nil {
					return
				}
				delay = min(delay*2, b.Max)
			}
		}()
	}
	wg.Wait()
}

// runSafely turns a panic in a service into an error, so one bad service
// cannot take the kiosk down.
func runSafely(ctx context.Context, s Service) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic: " + slog.AnyValue(r).String())
		}
	}()
	err = s.Run(ctx)
	if err == nil && ctx.Err() == nil {
		err = errors.New("returned without error before shutdown")
	}
	return err
}
