package hub_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

// ingested opens a hub store holding kiosks × per events of size bytes.
func ingested(tb testing.TB, kiosks, per, size int) *hub.SQLiteStore {
	ctx := context.Background()
	st, err := hub.OpenSQLite(ctx, filepath.Join(tb.TempDir(), "hub.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	payload := bytes.Repeat([]byte("x"), size)
	now := time.Now()
	for k := 0; k < kiosks; k++ {
		pub, _, _ := ed25519.GenerateKey(nil)
		id := identity.DeviceID(pub)
		code := fmt.Sprint("C", k)
		st.AddEnrolCode(ctx, code, "site", now.Add(time.Hour))
		if _, err := st.Enrol(ctx, code, hub.Device{ID: id, PublicKey: pub, Site: "site"}, now); err != nil {
			tb.Fatal(err)
		}
		evs := make([]wire.Event, per)
		for i := range evs {
			evs[i] = wire.Event{Seq: uint64(i + 1), Kind: "service.recorded", Version: 1, WallMS: now.UnixMilli(), ClockSynced: true, Payload: payload}
		}
		if _, err := st.Ingest(ctx, id, evs, 0, now); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

func TestEventsYieldsEveryKiosksEventsInOrder(t *testing.T) {
	st := ingested(t, 3, 1500, 10) // more than one read page per device
	ctx := context.Background()
	n, last := 0, map[string]uint64{}
	for ev, err := range hub.Events(ctx, st) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Seq != last[ev.DeviceID]+1 || ev.Kind != "service.recorded" || len(ev.Payload) != 10 {
			t.Fatalf("event %d: %+v after seq %d", n, ev, last[ev.DeviceID])
		}
		last[ev.DeviceID] = ev.Seq
		n++
	}
	if n != 4500 || len(last) != 3 {
		t.Errorf("yielded %d events of %d devices", n, len(last))
	}
	// A consumer that stops early stops the read without an error.
	m := 0
	for _, err := range hub.Events(ctx, st) {
		if err != nil {
			t.Fatal(err)
		}
		if m++; m == 10 {
			break
		}
	}
	// A read error reaches the consumer, once, last.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	var errs []error
	for _, err := range hub.Events(cctx, st) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("events with a cancelled context: %v", errs)
	}
}

func TestSealOpenerOpensWhatIsSealedToTheHub(t *testing.T) {
	keys, err := hub.LoadOrCreateKeys(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := seal.PublicKey(keys.Seal.PublicKey().Bytes())
	s := seal.NewSealer(pk, time.Hour, time.Now)
	sealed, wk, err := s.Seal([]byte("BNCNNA52L55D612I"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := keys.SealOpener()
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Learn(wk); err != nil {
		t.Fatal(err)
	}
	if got, err := o.Open(sealed); err != nil || string(got) != "BNCNNA52L55D612I" {
		t.Errorf("opened %q, %v", got, err)
	}
}

// BenchmarkEvents100k reads 100,000 stored events of 200 kiosks (600-byte
// payloads, about a service event's size) through hub.Events, the export's
// source on the hub.
func BenchmarkEvents100k(b *testing.B) {
	st := ingested(b, 200, 500, 600)
	ctx := context.Background()
	var el time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		count := 0
		for _, err := range hub.Events(ctx, st) {
			if err != nil {
				b.Fatal(err)
			}
			count++
		}
		el += time.Since(start)
		n++
		if count != 100_000 {
			b.Fatalf("read %d events", count)
		}
	}
	b.ReportMetric(float64(100_000*n)/el.Seconds(), "events/s")
}
