package hub_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

type fixture struct {
	store *hub.SQLiteStore
	keys  *hub.Keys
	srv   *httptest.Server
}

func newFixture(t testing.TB, opts hub.Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := hub.OpenSQLite(context.Background(), filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := hub.LoadOrCreateKeys(filepath.Join(dir, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, _ := bundle.OpenBlobs(filepath.Join(dir, "blobs"))
	srv := httptest.NewServer(hub.NewServer(st, keys, blobs, opts))
	t.Cleanup(func() { srv.Close(); st.Close() })
	return &fixture{store: st, keys: keys, srv: srv}
}

// device is a bare kiosk identity that signs its own requests.
type device struct {
	id      string
	priv    ed25519.PrivateKey
	counter atomic.Uint64
}

func (f *fixture) enrol(t testing.TB, site string) *device {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	d := &device{id: identity.DeviceID(pub), priv: priv}
	code := fmt.Sprint("C", time.Now().UnixNano(), d.id)
	f.store.AddEnrolCode(context.Background(), code, site, time.Now().Add(time.Hour))
	body, _ := json.Marshal(wire.EnrollRequest{Code: code, PublicKey: pub, Proof: ed25519.Sign(priv, wire.EnrollProof(code, pub))})
	resp, err := http.Post(f.srv.URL+wire.PathEnroll, wire.ContentTypeJSON, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatal(wire.ReadProblem(resp))
	}
	var en wire.Enrolment
	json.NewDecoder(resp.Body).Decode(&en)
	if !ed25519.Verify(f.keys.Signing.Public().(ed25519.PublicKey), wire.CertificateMessage(en.Deployment, site, d.id, pub), en.Certificate) {
		t.Fatal("device certificate does not verify with the hub key")
	}
	return d
}

func (d *device) request(t testing.TB, url, method, path string, body []byte) *http.Request {
	req, _ := http.NewRequest(method, url+path, bytes.NewReader(body))
	req.Header.Set(wire.HeaderDevice, d.id)
	req.Header.Set(wire.HeaderCounter, strconv.FormatUint(d.counter.Add(1), 10))
	req.Header.Set(wire.HeaderClock, strconv.FormatInt(time.Now().UnixMilli(), 10))
	req.Header.Set(wire.HeaderClockSynced, "1")
	sign := func(m []byte) []byte { return ed25519.Sign(d.priv, m) }
	if body != nil {
		req.Header.Set(wire.HeaderBatchSig, wire.BatchSignature(body, sign))
	}
	wire.Sign(req, body, sign)
	return req
}

func batch(t testing.TB, dev string, first uint64, n int) []byte {
	enc := wire.NewBatchEncoder(dev)
	for i := 0; i < n; i++ {
		seq := first + uint64(i)
		enc.Add(wire.Event{Seq: seq, Kind: "service.recorded", Version: 1, WallMS: time.Now().UnixMilli(), ClockSynced: true,
			Payload: []byte(fmt.Sprintf(`{"cit":"%012x","se5":%d,"dur":%d}`, seq*2654435761%(1<<48), seq%13+1, 15+seq%8*5))})
	}
	b, err := enc.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRateLimitHeadersAndRetryAfter(t *testing.T) {
	f := newFixture(t, hub.Options{RateLimit: 3, RateWindow: time.Minute})
	d := f.enrol(t, "s")
	for i := 1; i <= 4; i++ {
		resp, err := http.DefaultClient.Do(d.request(t, f.srv.URL, "GET", wire.PathState, nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-RateLimit-Limit") != "3" || resp.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d: rate-limit headers %v", i, resp.Header)
		}
		if i <= 3 && (resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(3-i)) {
			t.Fatalf("request %d: %d remaining %s", i, resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
		}
		if i == 4 && (resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Content-Type") != wire.ContentTypeProblem) {
			t.Fatalf("request over the limit: %d, Retry-After %q, type %q", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
		}
	}
}

func TestUnknownDeviceAndMalformedBatchGetProblems(t *testing.T) {
	f := newFixture(t, hub.Options{})
	d := f.enrol(t, "s")
	stranger := &device{id: "ofc-nobody", priv: d.priv}
	resp, _ := http.DefaultClient.Do(stranger.request(t, f.srv.URL, "GET", wire.PathState, nil))
	err := wire.ReadProblem(resp)
	resp.Body.Close()
	if resp.StatusCode != 401 || err.(*wire.Problem).Type != wire.ProblemUnknown {
		t.Fatalf("unknown device: %v", err)
	}
	resp, _ = http.DefaultClient.Do(d.request(t, f.srv.URL, "POST", wire.PathEvents, []byte("garbage")))
	err = wire.ReadProblem(resp)
	resp.Body.Close()
	if resp.StatusCode != 400 || err.(*wire.Problem).Type != wire.ProblemBadBatch {
		t.Fatalf("garbage batch: %v", err)
	}
}

func TestSiblingRelaysAnotherKiosksBatch(t *testing.T) {
	f := newFixture(t, hub.Options{})
	origin, relay := f.enrol(t, "s"), f.enrol(t, "s")
	body := batch(t, origin.id, 1, 10)
	// The relay signs the request; the batch keeps the origin's signature.
	req, _ := http.NewRequest("POST", f.srv.URL+wire.PathEvents, bytes.NewReader(body))
	req.Header.Set(wire.HeaderDevice, relay.id)
	req.Header.Set(wire.HeaderCounter, strconv.FormatUint(relay.counter.Add(1), 10))
	req.Header.Set(wire.HeaderClock, strconv.FormatInt(time.Now().UnixMilli(), 10))
	req.Header.Set(wire.HeaderBatchSig, wire.BatchSignature(body, func(m []byte) []byte { return ed25519.Sign(origin.priv, m) }))
	wire.Sign(req, body, func(m []byte) []byte { return ed25519.Sign(relay.priv, m) })
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatal(wire.ReadProblem(resp))
	}
	if n, _ := f.store.EventCount(context.Background(), origin.id); n != 10 {
		t.Fatalf("origin has %d events at the hub, want 10", n)
	}
	if n, _ := f.store.EventCount(context.Background(), relay.id); n != 0 {
		t.Fatalf("relay got %d events credited", n)
	}
	// A batch forged by the relay in the origin's name is refused.
	forged := batch(t, origin.id, 11, 5)
	req2 := relay.request(t, f.srv.URL, "POST", wire.PathEvents, forged) // batch signed by the relay
	resp2, err := http.DefaultClient.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	if resp2.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged relay: %d, want 401", resp2.StatusCode)
	}
}

// BenchmarkIngest200Kiosks has 200 kiosks upload at once, 5 batches of
// 500 events each, and reports the hub's ingest rate.
func BenchmarkIngest200Kiosks(b *testing.B) {
	const kiosks, batches, per = 200, 5, 500
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b, hub.Options{RateLimit: 1 << 30})
		devs := make([]*device, kiosks)
		bodies := make([][][]byte, kiosks)
		for k := range devs {
			devs[k] = f.enrol(b, fmt.Sprint("site", k%20))
			for j := 0; j < batches; j++ {
				bodies[k] = append(bodies[k], batch(b, devs[k].id, uint64(j*per+1), per))
			}
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: kiosks}}
		var errs atomic.Int64
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for k := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < batches; j++ {
					resp, err := client.Do(devs[k].request(b, f.srv.URL, "POST", wire.PathEvents, bodies[k][j]))
					if err != nil {
						errs.Add(1)
						continue
					}
					if resp.StatusCode != 200 {
						errs.Add(1)
					}
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		el := time.Since(start)
		b.StopTimer()
		if errs.Load() != 0 {
			b.Fatalf("%d failed uploads", errs.Load())
		}
		if n, _ := f.store.EventCount(context.Background(), ""); n != kiosks*batches*per {
			b.Fatalf("hub holds %d events, want %d", n, kiosks*batches*per)
		}
		b.ReportMetric(kiosks*batches*per/el.Seconds(), "events/s")
	}
}
