package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

func TestSleepEndsWithItsContext(t *testing.T) {
	if err := clock.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("a finished sleep returned %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := clock.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled sleep returned %v, want context.Canceled", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("a cancelled sleep did not return at once")
	}
}
