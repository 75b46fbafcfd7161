package supervise_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/supervise"
)

// A failing service is restarted with doubling delays up to the maximum, a
// panicking one does not take the others down, and Run returns once the
// context is done.
func TestRestartsWithBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var delays []time.Duration
	wait := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		delays = append(delays, d)
		n := len(delays)
		mu.Unlock()
		if n >= 6 {
			cancel()
		}
		return ctx.Err()
	}
	var healthyRuns atomic.Int32
	var panics atomic.Int32
	b := supervise.Backoff{Min: time.Second, Max: 4 * time.Second}
	done := make(chan struct{})
	go func() {
		supervise.Run(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), b, wait,
			supervise.Service{Name: "flaky", Run: func(ctx context.Context) error {
				if panics.Add(1)%2 == 0 {
					panic("sensor driver bug")
				}
				return errors.New("i2c: no device")
			}},
			supervise.Service{Name: "steady", Run: func(ctx context.Context) error {
				healthyRuns.Add(1)
				<-ctx.Done()
				return ctx.Err()
			}},
		)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
	mu.Lock()
	defer mu.Unlock()
	for i := range want {
		if i >= len(delays) || delays[i] != want[i] {
			t.Fatalf("restart delays %v, want %v", delays, want)
		}
	}
	if healthyRuns.Load() != 1 {
		t.Errorf("the steady service ran %d times, want once: a neighbour's failure must not restart it", healthyRuns.Load())
	}
	if panics.Load() < 6 {
		t.Errorf("the flaky service ran %d times, want it restarted after each panic and error", panics.Load())
	}
}
