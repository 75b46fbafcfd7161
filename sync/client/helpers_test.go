package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
)

type testHub struct {
	dir   string
	store *hub.SQLiteStore
	keys  *hub.Keys
	blobs *bundle.Blobs
	srv   *hub.Server
	http  *httptest.Server
	clock clock.Clock
	codes int
}

// startHub runs a hub on loopback over dir. wrap, if set, wraps its handler
// (fault injection).
func startHub(t testing.TB, dir string, opts hub.Options, wrap func(http.Handler) http.Handler) *testHub {
	t.Helper()
	ctx := context.Background()
	st, err := hub.OpenSQLite(ctx, filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := hub.LoadOrCreateKeys(filepath.Join(dir, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	h := &testHub{dir: dir, store: st, keys: keys, blobs: blobs, clock: opts.Clock}
	h.srv = hub.NewServer(st, keys, blobs, opts)
	var handler http.Handler = h.srv
	if wrap != nil {
		handler = wrap(handler)
	}
	h.http = httptest.NewServer(handler)
	t.Cleanup(h.stop)
	return h
}

func (h *testHub) stop() {
	if h.http != nil {
		h.http.CloseClientConnections()
		h.http.Close()
		h.store.Close()
		h.http = nil
	}
}

func (h *testHub) code(t testing.TB, site string) string {
	t.Helper()
	h.codes++
	code := fmt.Sprintf("CODE-%d-%d", time.Now().UnixNano(), h.codes)
	if err := h.store.AddEnrolCode(context.Background(), code, site, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return code
}

func (h *testHub) count(t testing.TB, device string) int64 {
	t.Helper()
	n, err := h.store.EventCount(context.Background(), device)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type testKiosk struct {
	dir    string
	id     *identity.Identity
	store  *store.Store
	clock  *clock.Fake
	enrol  *client.Enrolment
	client *client.Client
}

// newKiosk creates a kiosk with its own store and enrols it at h.
func newKiosk(t testing.TB, h *testHub, site string) *testKiosk {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	id, err := identity.LoadOrCreate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := &testKiosk{dir: dir, id: id, clock: clock.NewFake(time.Now())}
	k.openStore(t)
	en, err := client.Enrol(ctx, h.http.URL, h.code(t, site), id, client.EnrolOptions{Name: "test kiosk"})
	if err != nil {
		t.Fatal(err)
	}
	if err := en.Save(dir); err != nil {
		t.Fatal(err)
	}
	k.enrol = en
	k.newClient(t, client.Options{})
	return k
}

func (k *testKiosk) openStore(t testing.TB) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(k.dir, "officina.db"), k.id.ID,
		store.Options{Clock: k.clock, Schemas: []store.Schema{client.Schema}, Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	k.store = st
	t.Cleanup(func() { st.Close() })
}

func (k *testKiosk) newClient(t testing.TB, o client.Options) *client.Client {
	t.Helper()
	o.Store, o.Identity, o.Enrolment = k.store, k.id, k.enrol
	if o.PartialDir == "" {
		o.PartialDir = filepath.Join(k.dir, "partial")
	}
	c, err := client.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	k.client = c
	return c
}

// appendEvents records n demo events; event seq s has demoPayload(s-1).
func (k *testKiosk) appendEvents(t testing.TB, n int) { k.appendShifted(t, 0, n) }

func (k *testKiosk) appendShifted(t testing.TB, from, n int) {
	t.Helper()
	for done := 0; done < n; {
		m := min(n-done, 1000)
		err := k.store.Write(context.Background(), func(tx *store.Tx) error {
			for i := 0; i < m; i++ {
				if _, err := tx.Append("service.recorded", 1, demoPayload(from+done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		done += m
	}
}

var demoKinds = []string{"E", "F", "A", "L", "M", "B"}

// demoPayload is a service record as the demo data has it: a citizen out
// of 2,000 (as an HMAC prefix, which does not compress), a facilitator, the
// Facilita codes and a duration.
func demoPayload(i int) []byte {
	cit := sha256.Sum256([]byte(fmt.Sprint("citizen", (i*7919)%2000)))
	b, _ := json.Marshal(map[string]any{
		"cit": hex.EncodeToString(cit[:6]), "fac": "F" + fmt.Sprint(i%3), "se3": "A",
		"se5": 1 + (i*31)%13, "se6": demoKinds[(i*17)%len(demoKinds)], "dur": 15 + (i*13)%8*5,
	})
	return b
}

func (k *testKiosk) backlog(t testing.TB) uint64 {
	t.Helper()
	n, err := k.store.Backlog(context.Background(), client.Dest)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkHubHasExactly verifies the hub holds events 1..n of k, each once,
// with the payload the kiosk recorded.
func checkHubHasExactly(t testing.TB, h *testHub, k *testKiosk, n int) {
	t.Helper()
	if got := h.count(t, k.id.ID); got != int64(n) {
		t.Fatalf("hub holds %d events of the kiosk, want exactly %d", got, n)
	}
	next := uint64(1)
	err := h.store.StoredEvents(context.Background(), func(e hub.StoredEvent) error {
		if e.DeviceID != k.id.ID {
			return nil
		}
		if e.Seq != next {
			return fmt.Errorf("hub event seq %d, want %d", e.Seq, next)
		}
		if want := demoPayload(int(e.Seq - 1)); string(e.Payload) != string(want) {
			return fmt.Errorf("event %d payload %s, want %s", e.Seq, e.Payload, want)
		}
		next++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := h.store.Device(context.Background(), k.id.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Acked != uint64(n) {
		t.Fatalf("hub acked %d, want %d", d.Acked, n)
	}
}

func newFakeNow() *clock.Fake { return clock.NewFake(time.Now()) }
