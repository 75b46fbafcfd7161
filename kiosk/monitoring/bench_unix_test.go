//go:build unix

package monitoring

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/store"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExport100k exports 100,000 services from two devices (decode,
// open the sealed identity, check every rule, write 12 CSV files with
// fsync). Besides wall time it reports the process CPU time per export,
// which a shared, loaded machine disturbs less.
func BenchmarkExport100k(b *testing.B) {
	priv, _ := seal.GenerateKey()
	evs := synthetic(100_000, seal.NewSealer(priv.PublicKey(), time.Hour, time.Now), nil)
	var cpu time.Duration
	n := 0
	for b.Loop() {
		c0 := cpuTime()
		res, err := Export(context.Background(), seq(evs), Options{From: day("2026-01-01"), To: day("2026-12-31"), Opener: seal.NewOpener(priv), Dir: b.TempDir()})
		cpu += cpuTime() - c0
		n++
		if err != nil || res.Rows != 100_000 {
			b.Fatal(err, res.Rows)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(n), "cpu-s/op")
}

// BenchmarkExport100kFromStore is the kiosk's real path: the same 100,000
// services read back from a SQLite store with store.Events, as
// `officina export facilita` does.
func BenchmarkExport100kFromStore(b *testing.B) {
	ctx := context.Background()
	priv, _ := seal.GenerateKey()
	evs := synthetic(100_000, seal.NewSealer(priv.PublicKey(), time.Hour, time.Now), nil)
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "k.db"), "dev-a", store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for i := 0; i < len(evs); i += 10_000 {
		if err := st.Write(ctx, func(tx *store.Tx) error {
			for _, ev := range evs[i:min(i+10_000, len(evs))] {
				if _, err := tx.Append(ev.Kind, ev.Version, ev.Payload); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	evs = nil
	var cpu time.Duration
	n := 0
	for b.Loop() {
		c0 := cpuTime()
		res, err := Export(ctx, st.Events(ctx, 0), Options{From: day("2026-01-01"), To: day("2026-12-31"), Opener: seal.NewOpener(priv), Dir: b.TempDir()})
		cpu += cpuTime() - c0
		n++
		if err != nil || res.Rows != 100_000 {
			b.Fatal(err, res.Rows)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(n), "cpu-s/op")
}
