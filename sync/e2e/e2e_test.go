package e2e_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/lan"
	"github.com/officina-digitale/officina/sync/wire"
)

type theHub struct {
	store    *hub.SQLiteStore
	keys     *hub.Keys
	blobs    *bundle.Blobs
	url      string
	blobHits atomic.Int64
	flaky    atomic.Bool // when set, every 3rd response is dropped after the hub acted
	down     atomic.Bool // when set, answers 500 or 429 to everything
	served   atomic.Int64
}

func (h *theHub) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, wire.PathBlobs) {
			h.blobHits.Add(1)
		}
		n := h.served.Add(1)
		if h.down.Load() {
			if n%2 == 0 {
				w.Header().Set("Retry-After", "60")
				wire.WriteProblem(w, wire.Problem{Type: wire.ProblemRateLimited, Status: http.StatusTooManyRequests})
				return
			}
			wire.WriteProblem(w, wire.Problem{Status: http.StatusInternalServerError})
			return
		}
		if h.flaky.Load() && n%3 == 0 {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r) // the hub acts, the answer is lost
			if hj, ok := w.(http.Hijacker); ok {
				c, _, _ := hj.Hijack()
				c.Close()
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

func startHub(t *testing.T, clk clock.Clock) *theHub {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := hub.OpenSQLite(ctx, filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := hub.LoadOrCreateKeys(filepath.Join(dir, "keys"), nil)
	blobs, _ := bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	h := &theHub{store: st, keys: keys, blobs: blobs}
	srv := httptest.NewServer(h.wrap(hub.NewServer(st, keys, blobs, hub.Options{Clock: clk})))
	t.Cleanup(func() { srv.Close(); st.Close() })
	h.url = srv.URL
	return h
}

type kiosk struct {
	name   string
	id     *identity.Identity
	store  *store.Store
	clock  *clock.Fake
	enrol  *client.Enrolment
	blobs  *bundle.Blobs
	client *client.Client
	lanURL string // its sibling endpoint
}

func newKiosk(t *testing.T, h *theHub, name string) *kiosk {
	ctx := context.Background()
	dir := t.TempDir()
	id, _ := identity.LoadOrCreate(dir, nil)
	k := &kiosk{name: name, id: id, clock: clock.NewFake(time.Now())}
	st, err := store.Open(ctx, filepath.Join(dir, "officina.db"), id.ID, store.Options{Clock: k.clock, Schemas: []store.Schema{client.Schema}, Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	k.store = st
	code, _ := hub.NewEnrolCode(ctx, h.store, "berio", time.Hour, time.Now())
	if k.enrol, err = client.Enrol(ctx, h.url, code, id, client.EnrolOptions{Name: name}); err != nil {
		t.Fatal(err)
	}
	k.blobs, _ = bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	return k
}

func (k *kiosk) connect(t *testing.T, o client.Options) {
	o.Store, o.Identity, o.Enrolment = k.store, k.id, k.enrol
	o.Blobs, o.Catalogue = k.blobs, &catalogue{}
	o.PartialDir = filepath.Join(t.TempDir(), "partial")
	c, err := client.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	k.client = c
}

func (k *kiosk) record(t *testing.T, n int) {
	err := k.store.Write(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := tx.Append("service.recorded", 1, []byte(fmt.Sprintf(`{"kiosk":%q,"i":%d}`, k.name, i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (k *kiosk) self() lan.Self {
	return lan.Self{DeviceID: k.id.ID, Site: k.enrol.Hub.Site, PublicKey: k.id.Public, Cert: k.enrol.Hub.Certificate, Sign: k.id.Sign}
}

// serveLAN starts k's sibling endpoint; relay says whether it relays.
func (k *kiosk) serveLAN(t *testing.T, blobs lan.BlobOpener, relay bool) {
	var rf lan.RelayFunc
	if relay {
		rf = k.client.PostBatch
	}
	srv := httptest.NewServer(lan.NewHandler(k.enrol.Hub.Deployment, k.enrol.Hub.HubKey, blobs, rf))
	t.Cleanup(srv.Close)
	k.lanURL = strings.TrimPrefix(srv.URL, "http://")
}

func (k *kiosk) sibling(of *kiosk) *lan.Sibling {
	return &lan.Sibling{Peer: lan.Peer{Announcement: lan.Announcement{DeviceID: k.id.ID}, Addr: k.lanURL}, Self: of.self()}
}

type blobsOf struct{ d *bundle.Blobs }

func (b blobsOf) Open(sum string) (io.ReadCloser, error) { return b.d.Open(sum) }

type corruptBlobs struct{}

func (corruptBlobs) Open(sum string) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("tampered lesson")), nil
}

type catalogue struct{ active []byte }

func (c *catalogue) Blobs(m []byte) ([]client.Blob, error) {
	var out []client.Blob
	for _, line := range strings.Split(strings.TrimSpace(string(m)), "\n") {
		var b client.Blob
		if _, err := fmt.Sscanf(line, "%s %d", &b.SHA256, &b.Size); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
func (c *catalogue) Activate(ctx context.Context, m []byte) error { c.active = m; return nil }

func publish(t *testing.T, h *theHub, blobs ...[]byte) []string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "blobs"), 0o755)
	var m bytes.Buffer
	var sums []string
	for _, b := range blobs {
		s := sha256.Sum256(b)
		name := hex.EncodeToString(s[:])
		sums = append(sums, name)
		os.WriteFile(filepath.Join(dir, "blobs", name), b, 0o644)
		fmt.Fprintf(&m, "%s %d\n", name, len(b))
	}
	os.WriteFile(filepath.Join(dir, "manifest"), m.Bytes(), 0o644)
	if _, err := hub.PublishDir(context.Background(), h.store, h.blobs, dir, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	return sums
}

func deadURL(t *testing.T) string {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens here: "no uplink"
	return "http://" + addr
}

func hubCount(t *testing.T, h *theHub, k *kiosk) int64 {
	n, err := h.store.EventCount(context.Background(), k.id.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHubAndThreeKiosks(t *testing.T) {
	ctx := context.Background()
	hubNow := time.Now()
	h := startHub(t, clock.NewFake(hubNow))
	a, b, c := newKiosk(t, h, "A"), newKiosk(t, h, "B"), newKiosk(t, h, "C")

	// B has the uplink and serves siblings.
	b.connect(t, client.Options{})
	b.serveLAN(t, blobsOf{b.blobs}, true)

	// A has no uplink, and its clock is at 1970 (a Pi that never reached a
	// time server). Its records reach the hub through B, exactly once.
	a.clock.Set(time.Unix(0, 0).Add(time.Hour))
	a.clock.SetSynced(false)
	a.record(t, 1200)
	deadA := *a.enrol
	deadA.HubURL = deadURL(t)
	a.enrol = &deadA
	a.connect(t, client.Options{BatchEvents: 500, Relays: func() []client.PostFunc { return []client.PostFunc{b.sibling(a).Relay} }})
	if err := a.client.SyncOnce(ctx); err != nil {
		// The pull still fails (no uplink for state); the upload must not.
		if n, _ := a.store.Backlog(ctx, client.Dest); n != 0 {
			t.Fatalf("A's backlog %d after relaying through B: %v", n, err)
		}
	}
	if n := hubCount(t, h, a); n != 1200 {
		t.Fatalf("hub holds %d of A's events, want 1200", n)
	}
	if _, err := a.client.UploadVia(ctx, b.sibling(a).Relay); err != nil { // a resend changes nothing
		t.Fatal(err)
	}
	if n := hubCount(t, h, a); n != 1200 {
		t.Fatalf("after a resend the hub holds %d of A's events", n)
	}
	// A's 1970 timestamps were corrected at the hub, from the clock A
	// wrote into each batch, though A itself never reached the hub.
	var corrected int
	h.store.StoredEvents(ctx, func(e hub.StoredEvent) error {
		if e.DeviceID == a.id.ID && !e.ClockSynced {
			if d := e.Corrected.Sub(hubNow); d > -time.Second && d < time.Second {
				corrected++
			}
		}
		return nil
	})
	if corrected != 1200 {
		t.Fatalf("%d of A's 1970 events corrected to the hub's time, want all 1200", corrected)
	}

	// A course is published: B downloads it from the hub once.
	lesson := bytes.Repeat([]byte("Come riconoscere una truffa online. "), 3000)
	sums := publish(t, h, lesson, []byte("quiz: 3 domande"))
	if _, err := b.client.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if got := h.blobHits.Load(); got != 2 {
		t.Fatalf("B fetched %d blobs from the hub, want 2", got)
	}
	// C copies it from B, not from the hub, after refusing a corrupt
	// sibling's copy.
	bad := newKiosk(t, h, "bad")
	bad.connect(t, client.Options{})
	bad.serveLAN(t, corruptBlobs{}, false)
	c.connect(t, client.Options{Siblings: func() []client.BlobSource { return []client.BlobSource{bad.sibling(c), b.sibling(c)} }})
	c.record(t, 800)
	h.flaky.Store(true) // and C's network loses every third answer
	for round := 0; ; round++ {
		if round > 50 {
			t.Fatal("C never finished syncing through the flaky network")
		}
		if err := c.client.SyncOnce(ctx); err == nil {
			if n, _ := c.store.Backlog(ctx, client.Dest); n == 0 {
				break
			}
		}
	}
	h.flaky.Store(false)
	if got := h.blobHits.Load(); got != 2 {
		t.Fatalf("hub served %d blob downloads in all; C should have copied from B", got)
	}
	for _, s := range sums {
		if !c.blobs.Has(s) {
			t.Fatalf("C lacks blob %s", s[:12])
		}
	}
	if n := hubCount(t, h, c); n != 800 {
		t.Fatalf("hub holds %d of C's events, want exactly 800", n)
	}

	// A corrupt sibling alone: its copy is refused and the hub's is used.
	d := newKiosk(t, h, "D")
	d.connect(t, client.Options{Siblings: func() []client.BlobSource { return []client.BlobSource{bad.sibling(d)} }})
	if _, err := d.client.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if !d.blobs.Has(sums[0]) || h.blobHits.Load() != 4 {
		t.Fatalf("D: blob present %v, hub blob downloads %d (want 4)", d.blobs.Has(sums[0]), h.blobHits.Load())
	}

	// A kiosk of another deployment on the same LAN is ignored: B refuses
	// to relay for it or share content with it.
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	fpub, fpriv, _ := ed25519.GenerateKey(nil)
	fid := identity.DeviceID(fpub)
	foreign := &lan.Sibling{Peer: lan.Peer{Addr: b.lanURL}, Self: lan.Self{DeviceID: fid, Site: "oblate", PublicKey: fpub,
		Cert: ed25519.Sign(otherPriv, wire.CertificateMessage("dep-firenze", "oblate", fid, fpub)), Sign: func(m []byte) []byte { return ed25519.Sign(fpriv, m) }}}
	if _, err := foreign.OpenBlob(ctx, sums[0]); wire.StatusOf(err) != http.StatusForbidden {
		t.Fatalf("foreign kiosk fetching from B: %v, want 403", err)
	}
	if _, err := foreign.Relay(ctx, []byte("x"), "y"); wire.StatusOf(err) != http.StatusForbidden {
		t.Fatalf("foreign kiosk relaying via B: %v, want 403", err)
	}
	ann := lan.Announcement{DeviceID: fid, Site: "oblate", Deployment: "dep-firenze", PublicKey: fpub, Cert: foreign.Self.Cert}
	if err := lan.Trust(ann, b.enrol.Hub.Deployment, b.enrol.Hub.HubKey); err == nil {
		t.Fatal("B would trust a kiosk of another deployment")
	}

	// The hub answers 500 or 429 for an hour: B backs off, then drains.
	b.record(t, 3000)
	h.down.Store(true)
	var outage time.Duration
	runCtx, stop := context.WithCancel(ctx)
	b.connect(t, client.Options{MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, Sleep: func(ctx context.Context, d time.Duration) error {
		outage += d
		if outage >= time.Hour {
			h.down.Store(false)
		}
		if n, _ := b.store.Backlog(ctx, client.Dest); n == 0 || outage > 3*time.Hour {
			stop()
		}
		return ctx.Err()
	}})
	b.client.Run(runCtx)
	if n := hubCount(t, h, b); n != 3000 || outage < time.Hour {
		t.Fatalf("after the outage (%s of backoff) the hub holds %d of B's 3000 events", outage, n)
	}

	// The coordinator's fleet view knows all of them.
	devs, _ := h.store.Devices(ctx)
	if len(devs) != 5 {
		t.Fatalf("hub lists %d devices, want 5", len(devs))
	}
}
