package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

func TestUploadDrainsBacklogInBatchesAndResumes(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "genova-berio")
	k.newClient(t, client.Options{BatchEvents: 700})
	k.appendEvents(t, 2500)
	sent, err := k.client.Upload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sent != 2500 || k.backlog(t) != 0 {
		t.Fatalf("sent %d, backlog %d; want 2500 and 0", sent, k.backlog(t))
	}
	k.appendEvents(t, 0) // nothing new
	k.appendEventsFrom(t, 2500, 300)
	if sent, err = k.client.Upload(ctx); err != nil || sent != 300 {
		t.Fatalf("second upload sent %d (%v), want the 300 new ones", sent, err)
	}
	checkHubHasExactly(t, h, k, 2800)
}

func (k *testKiosk) appendEventsFrom(t testing.TB, from, n int) {
	t.Helper()
	// demoPayload is indexed by seq-1; appendEvents restarts at 0, so
	// append through a shifted helper.
	k.appendShifted(t, from, n)
}

func TestResendingAStoredBatchChangesNothing(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	k.appendEvents(t, 50)
	enc := wire.NewBatchEncoder(k.id.ID)
	for ev, err := range k.store.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		enc.Add(wire.Event{Seq: ev.Seq, Kind: ev.Kind, Version: ev.Version, WallMS: ev.Time.UnixMilli(), ClockSynced: ev.ClockSynced, Payload: ev.Payload})
	}
	body, _ := enc.Finish()
	sig := wire.BatchSignature(body, k.id.Sign)
	for i := 0; i < 3; i++ {
		ack, err := k.client.PostBatch(ctx, body, sig)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Acked != 50 {
			t.Fatalf("ack %d after resend %d, want 50", ack.Acked, i)
		}
	}
	checkHubHasExactly(t, h, k, 50)
}

func TestGapIsAnsweredWithResendFrom(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	k.appendEvents(t, 20)
	enc := wire.NewBatchEncoder(k.id.ID)
	for ev := range k.store.Events(ctx, 10) {
		enc.Add(wire.Event{Seq: ev.Seq, Kind: ev.Kind, WallMS: ev.Time.UnixMilli(), Payload: ev.Payload})
	}
	body, _ := enc.Finish()
	_, err := k.client.PostBatch(ctx, body, wire.BatchSignature(body, k.id.Sign))
	var p *wire.Problem
	if !errors.As(err, &p) || !errors.Is(err, wire.ErrGap) || p.ResendFrom != 1 || p.Status != http.StatusConflict {
		t.Fatalf("batch 11-20 to an empty hub: got %v, want a 409 gap asking to resend from 1", err)
	}
	if h.count(t, k.id.ID) != 0 {
		t.Fatal("hub stored events past a gap")
	}
}

func TestClockAt1970IsCorrectedAtTheHub(t *testing.T) {
	ctx := context.Background()
	hubNow := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h := startHub(t, t.TempDir(), hub.Options{Clock: clock.NewFake(hubNow)}, nil)
	k := newKiosk(t, h, "s")
	// The Pi booted without network: its clock starts at the epoch.
	k.clock.Set(time.Unix(0, 0).Add(5 * time.Minute))
	k.clock.SetSynced(false)
	k.appendEvents(t, 3)
	k.clock.Advance(10 * time.Minute) // sync happens 10 minutes after the events
	if _, err := k.client.Upload(ctx); err != nil {
		t.Fatal(err)
	}
	var got []hub.StoredEvent
	h.store.StoredEvents(ctx, func(e hub.StoredEvent) error { got = append(got, e); return nil })
	if len(got) != 3 {
		t.Fatalf("hub holds %d events", len(got))
	}
	for _, e := range got {
		if e.ClockSynced {
			t.Fatalf("event %d arrived marked synced", e.Seq)
		}
		want := hubNow.Add(-10 * time.Minute)
		if d := e.Corrected.Sub(want); d < -time.Second || d > time.Second {
			t.Fatalf("event %d corrected to %s, want about %s (device clock said %s)", e.Seq, e.Corrected.UTC(), want, e.Time().UTC())
		}
	}
	d, _ := h.store.Device(ctx, k.id.ID)
	if d.ClockSynced || d.ClockOffset < 50*365*24*time.Hour {
		t.Fatalf("fleet view shows offset %s synced=%v; want decades and unsynced", d.ClockOffset, d.ClockSynced)
	}
}

func TestRevokedKioskIsRefusedWithAClearStatus(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	k.appendEvents(t, 5)
	if err := h.store.Revoke(ctx, k.id.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	err := k.client.SyncOnce(ctx)
	if !errors.Is(err, wire.ErrRevoked) || wire.StatusOf(err) != http.StatusForbidden {
		t.Fatalf("sync of a revoked kiosk: %v, want 403 revoked", err)
	}
	if st := k.client.Status(); !st.Revoked || st.Backlog != 5 {
		t.Fatalf("status %+v: want Revoked and the 5 events kept", st)
	}
	if h.count(t, k.id.ID) != 0 {
		t.Fatal("hub took events from a revoked kiosk")
	}
}

// capture records the last request a client sent, body included.
type capture struct {
	rt   http.RoundTripper
	req  *http.Request
	body []byte
}

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		c.body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(c.body))
	}
	c.req = r.Clone(r.Context())
	return c.rt.RoundTrip(r)
}

func TestReplayedOrAlteredRequestIsRejected(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	cap := &capture{rt: http.DefaultTransport}
	k.newClient(t, client.Options{HTTP: &http.Client{Transport: cap}})
	k.appendEvents(t, 10)
	if _, err := k.client.Upload(ctx); err != nil {
		t.Fatal(err)
	}
	send := func(body []byte, edit func(http.Header)) error {
		req, _ := http.NewRequest(cap.req.Method, cap.req.URL.String(), bytes.NewReader(body))
		req.Header = cap.req.Header.Clone()
		if edit != nil {
			edit(req.Header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		return wire.ReadProblem(resp)
	}
	if err := send(cap.body, nil); !errors.Is(err, wire.ErrReplayed) {
		t.Fatalf("replayed request: %v, want rejected as replayed", err)
	}
	altered := append([]byte(nil), cap.body...)
	altered[len(altered)/2] ^= 0xff
	if err := send(altered, func(h http.Header) { h.Set(wire.HeaderCounter, "99999999") }); !errors.Is(err, wire.ErrBadSig) {
		t.Fatalf("altered body: %v, want bad signature", err)
	}
	if err := send(cap.body, func(h http.Header) { h.Set(wire.HeaderCounter, "99999999") }); !errors.Is(err, wire.ErrBadSig) {
		t.Fatalf("altered counter: %v, want bad signature", err)
	}
}

func TestPrunedAcknowledgedEventsDoNotStopUpload(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	k.appendEvents(t, 100)
	if _, err := k.client.Upload(ctx); err != nil {
		t.Fatal(err)
	}
	k.clock.Advance(48 * time.Hour)
	n, err := k.store.PruneAcked(ctx, client.Dest, k.clock.Now().Add(-24*time.Hour))
	if err != nil || n != 100 {
		t.Fatalf("pruned %d (%v), want the 100 acknowledged events", n, err)
	}
	k.appendShifted(t, 100, 50)
	if sent, err := k.client.Upload(ctx); err != nil || sent != 50 {
		t.Fatalf("upload after pruning sent %d (%v), want 50", sent, err)
	}
	checkHubHasExactly(t, h, k, 150)
}

func TestSyncStateOnDiskStaysBounded(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{RateLimit: 1 << 30}, nil)
	k := newKiosk(t, h, "s")
	rows := func() int {
		var n int
		if err := k.store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM sync_kv`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	k.newClient(t, client.Options{BatchEvents: 10})
	var after10 int
	for i := 0; i < 100; i++ {
		k.appendShifted(t, i*20, 20)
		if err := k.client.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 9 {
			after10 = rows()
		}
	}
	if got := rows(); got != after10 || got > 10 {
		t.Fatalf("sync state has %d rows after 100 syncs (%d after 10): it grows", got, after10)
	}
}

func TestFleetViewSeesContactBacklogVersionAndTrouble(t *testing.T) {
	ctx := context.Background()
	hubNow := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h := startHub(t, t.TempDir(), hub.Options{Clock: clock.NewFake(hubNow)}, nil)
	k := newKiosk(t, h, "s")
	k.clock.Set(hubNow.Add(-90 * time.Second)) // kiosk clock 90 s behind
	c := k.newClient(t, client.Options{Version: "v1.4.2", BatchEvents: 10, Trouble: func() string { return "printer: paper out" }})
	k.appendEvents(t, 25)
	if err := c.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := h.store.Device(ctx, k.id.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !d.LastContact.Equal(hubNow) || d.Version != "v1.4.2" || d.Trouble != "printer: paper out" ||
		d.ClockOffset != 90*time.Second || d.Acked != 25 || d.Backlog != 0 {
		t.Fatalf("fleet view: contact %s version %q trouble %q offset %s acked %d backlog %d",
			d.LastContact, d.Version, d.Trouble, d.ClockOffset, d.Acked, d.Backlog)
	}
}

func TestHubDiskFullLosesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := hub.OpenSQLiteWith(ctx, filepath.Join(dir, "hub.db"), hub.SQLiteOptions{MaxPageCount: 120})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := hub.LoadOrCreateKeys(filepath.Join(dir, "keys"), nil)
	blobs, _ := bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	h := &testHub{dir: dir, store: st, keys: keys, blobs: blobs}
	h.srv = hub.NewServer(st, keys, blobs, hub.Options{})
	h.http = httptest.NewServer(h.srv)
	defer h.stop()
	k := newKiosk(t, h, "s")
	k.newClient(t, client.Options{BatchEvents: 200})
	k.appendEvents(t, 6000)
	_, err = k.client.Upload(ctx)
	if wire.StatusOf(err) != http.StatusInternalServerError {
		t.Fatalf("upload to a full hub: %v, want a 500", err)
	}
	stored := h.count(t, k.id.ID)
	acked, _ := k.store.Acked(ctx, client.Dest)
	if stored == 0 || stored >= 6000 || uint64(stored) != acked {
		t.Fatalf("hub stored %d, kiosk acked %d: want a partial upload with the ack equal to what is stored", stored, acked)
	}
	// The coordinator frees space: the hub restarts without the cap.
	h.http.Close()
	st.Close()
	st, err = hub.OpenSQLite(ctx, filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	h.store = st
	h.srv = hub.NewServer(st, keys, blobs, hub.Options{})
	h.http = httptest.NewServer(h.srv)
	en := *k.enrol
	en.HubURL = h.http.URL
	k.enrol = &en
	k.newClient(t, client.Options{})
	if _, err := k.client.Upload(ctx); err != nil {
		t.Fatal(err)
	}
	checkHubHasExactly(t, h, k, 6000)
}
