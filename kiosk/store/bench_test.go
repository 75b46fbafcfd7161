package store_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/store"
)

var payload200 = make([]byte, 200)

// BenchmarkAppendBatched1000 appends 1,000 events per transaction.
func BenchmarkAppendBatched1000(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "b.db"), "bench", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Write(ctx, func(tx *store.Tx) error {
			for j := 0; j < 1000; j++ {
				if _, err := tx.Append("bench.event", 1, payload200); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAppendDurable commits one event per transaction (fsync each) and
// reports the p99 latency.
func BenchmarkAppendDurable(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "b.db"), "bench", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		if err := s.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Append("bench.event", 1, payload200)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkOpen1M opens a store holding 1,000,000 events, checking
// migrations, and reads its last sequence number.
func BenchmarkOpen1M(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "b.db")
	s, err := store.Open(ctx, path, "bench", store.Options{Synchronous: "OFF"})
	if err != nil {
		b.Fatal(err)
	}
	for k := 0; k < 100; k++ {
		if err := s.Write(ctx, func(tx *store.Tx) error {
			for j := 0; j < 10000; j++ {
				if _, err := tx.Append("bench.event", 1, payload200); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := store.Open(ctx, path, "bench", store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := s.LastSeq(ctx); err != nil || n != 1_000_000 {
			b.Fatalf("last seq %d, %v", n, err)
		}
		s.Close()
	}
}
