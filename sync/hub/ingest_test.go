package hub_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

// Ingest writes many rows per INSERT, with the device and the receive
// time bound once per statement: every column of every row must still
// land where it belongs, across full chunks and a partial last one, and
// for two devices that must not see each other's rows.
func TestIngestStoresEveryColumnOfEveryRow(t *testing.T) {
	ctx := context.Background()
	st, err := hub.OpenSQLite(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.UnixMilli(1767225600000)
	for _, id := range []string{"ofc-a", "ofc-b"} {
		if err := st.AddEnrolCode(ctx, "code-"+id, "biblioteca", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Enrol(ctx, "code-"+id, hub.Device{ID: id, PublicKey: []byte(id)}, now); err != nil {
			t.Fatal(err)
		}
	}
	const n = 450 // two full chunks of 200 and a partial one
	events := func(dev string) []wire.Event {
		evs := make([]wire.Event, n)
		for i := range evs {
			evs[i] = wire.Event{Seq: uint64(i + 1), Kind: fmt.Sprintf("kind.%d", i%3), Version: i % 4,
				WallMS: 1000 * int64(i), ClockSynced: i%2 == 0, Payload: []byte(dev + fmt.Sprint(i))}
		}
		return evs
	}
	const offset = 5000
	recvA, recvB := now.Add(time.Minute), now.Add(2*time.Minute)
	if acked, err := st.Ingest(ctx, "ofc-a", events("ofc-a"), offset, recvA); err != nil || acked != n {
		t.Fatalf("ingest a: acked %d, %v", acked, err)
	}
	if acked, err := st.Ingest(ctx, "ofc-b", events("ofc-b")[:7], offset, recvB); err != nil || acked != 7 {
		t.Fatalf("ingest b: acked %d, %v", acked, err)
	}
	seen := map[string]int{}
	err = st.StoredEvents(ctx, func(e hub.StoredEvent) error {
		i := int(e.Seq) - 1
		want := events(e.DeviceID)[i]
		recv, corrected := recvA, want.WallMS
		if e.DeviceID == "ofc-b" {
			recv = recvB
		}
		if !want.ClockSynced {
			corrected += offset
		}
		if e.Kind != want.Kind || e.Version != want.Version || e.WallMS != want.WallMS || e.ClockSynced != want.ClockSynced ||
			string(e.Payload) != string(want.Payload) || !e.Received.Equal(recv) || e.Corrected.UnixMilli() != corrected {
			return fmt.Errorf("%s event %d stored as %+v, want %+v received %s", e.DeviceID, e.Seq, e, want, recv)
		}
		seen[e.DeviceID]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen["ofc-a"] != n || seen["ofc-b"] != 7 {
		t.Fatalf("stored %v, want %d for ofc-a and 7 for ofc-b", seen, n)
	}
}
