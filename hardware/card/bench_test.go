package card

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// BenchmarkTapToEvent measures from the reader's input events arriving
// (a health card's 16-character CF and Enter, 68 key events written to the
// event stream at once, as a USB scanner delivers them) to the typed Tap
// reaching a subscriber.
func BenchmarkTapToEvent(b *testing.B) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s := NewService(clk, Options{})
	pr, pw := io.Pipe()
	s.AddKeyboard("bench", func(context.Context) (io.ReadCloser, error) { return pr, nil })
	taps, cancel := s.Subscribe(1)
	defer cancel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go s.Run(ctx)
	scan, err := EncodeKeys("RSSMRA85T10A562S", EventSize)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Advance(3 * time.Second) // past the debounce window
		if _, err := pw.Write(scan); err != nil {
			b.Fatal(err)
		}
		if tap := <-taps; tap.Kind != HealthCard {
			b.Fatal(fmt.Sprint(tap))
		}
	}
}
