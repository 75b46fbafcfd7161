package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

// faultProxy forwards to the hub on loopback and then misbehaves: it drops
// the response (the hub has acted on the request), delays it, truncates
// it, or sends the request to the hub twice.
type faultProxy struct {
	target string
	mu     sync.Mutex
	rng    *rand.Rand
	counts map[string]int
}

func (p *faultProxy) pick() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	faults := []string{"pass", "drop", "delay", "truncate", "duplicate"}
	f := faults[p.rng.IntN(len(faults))]
	p.counts[f]++
	return f
}

func (p *faultProxy) forward(r *http.Request, body []byte) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fault := p.pick()
	resp, rb, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if fault == "duplicate" {
		if resp2, rb2, err := p.forward(r, body); err == nil {
			resp, rb = resp2, rb2 // the client sees the answer to the copy
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	switch fault {
	case "drop":
		hijackClose(w)
		return
	case "delay":
		time.Sleep(time.Duration(p.rng.IntN(30)) * time.Millisecond)
	case "truncate":
		w.Header().Set("Content-Length", strconv.Itoa(len(rb)))
		w.WriteHeader(resp.StatusCode)
		w.Write(rb[:len(rb)/2])
		hijackClose(w)
		return
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(rb)
}

func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
		}
	}
}

func TestFaultyProxyStillDeliversEveryEventExactlyOnce(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	fp := &faultProxy{target: h.http.URL, rng: rand.New(rand.NewPCG(7, 7)), counts: map[string]int{}}
	px := httptest.NewServer(fp)
	defer px.Close()
	en := *k.enrol
	en.HubURL = px.URL
	k.enrol = &en
	c := k.newClient(t, client.Options{BatchEvents: 97, HTTP: &http.Client{Timeout: 5 * time.Second}})
	const n = 3000
	k.appendEvents(t, n)
	failures := 0
	for round := 0; k.backlog(t) > 0; round++ {
		if round > 500 {
			t.Fatalf("backlog still %d after 500 rounds", k.backlog(t))
		}
		if _, err := c.Upload(ctx); err != nil {
			failures++
		}
	}
	checkHubHasExactly(t, h, k, n)
	for _, f := range []string{"drop", "delay", "truncate", "duplicate"} {
		if fp.counts[f] == 0 {
			t.Errorf("the proxy never injected %q; the test proves nothing about it", f)
		}
	}
	if failures == 0 {
		t.Error("no upload ever failed: the faults did not reach the client")
	}
	t.Logf("faults injected: %v; failed uploads: %d", fp.counts, failures)
}

// flakyHub answers 500 or 429 until the fake hour has passed.
type flakyHub struct {
	next    http.Handler
	mu      sync.Mutex
	elapsed time.Duration
	calls   int
}

func (f *flakyHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	bad := f.elapsed < time.Hour
	f.calls++
	calls := f.calls
	f.mu.Unlock()
	if !bad {
		f.next.ServeHTTP(w, r)
		return
	}
	if calls%4 == 0 {
		w.Header().Set("Retry-After", "120")
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemRateLimited, Status: http.StatusTooManyRequests})
		return
	}
	wire.WriteProblem(w, wire.Problem{Status: http.StatusInternalServerError})
}

func TestHubFailingForAnHourBacksOffThenDrains(t *testing.T) {
	flaky := &flakyHub{}
	h := startHub(t, t.TempDir(), hub.Options{}, func(next http.Handler) http.Handler { flaky.next = next; return flaky })
	// Enrolment must succeed: let the hour start after it.
	flaky.elapsed = time.Hour
	k := newKiosk(t, h, "s")
	flaky.elapsed = 0
	k.appendEvents(t, 400)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waits []time.Duration
	var c *client.Client
	c = k.newClient(t, client.Options{
		MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, Interval: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			flaky.mu.Lock()
			flaky.elapsed += d
			flaky.mu.Unlock()
			if n, _ := k.store.Backlog(ctx, client.Dest); n == 0 {
				cancel()
			}
			if len(waits) > 1000 {
				cancel()
			}
			return ctx.Err()
		},
	})
	if err := c.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if k.backlog(t) != 0 {
		t.Fatalf("backlog %d after %d waits", k.backlog(t), len(waits))
	}
	checkHubHasExactly(t, h, k, 400)
	// During the outage: delays grow, never past the cap, and a 429's
	// Retry-After (120 s) is honoured.
	var outage []time.Duration
	var total time.Duration
	for _, w := range waits {
		if total >= time.Hour {
			break
		}
		outage = append(outage, w)
		total += w
	}
	if len(outage) < 5 || len(outage) > 200 {
		t.Fatalf("%d retries in the hour; want backoff (neither hammering nor giving up): %v", len(outage), outage)
	}
	if outage[0] > 2*time.Second {
		t.Fatalf("first retry after %s, want about a second", outage[0])
	}
	for i, w := range outage {
		if w > 5*time.Minute {
			t.Fatalf("retry %d waited %s, over the 5 min cap", i, w)
		}
	}
	// Calls 2 and 3 got a 500, call 4 a 429 (call 1 was the enrolment).
	if outage[1] > 4*time.Second || outage[2] < 120*time.Second {
		t.Fatalf("retries %v: want short waits after 500s, then the 429's Retry-After of 120 s honoured", outage[:3])
	}
	if outage[len(outage)-1] < 2*time.Minute {
		t.Fatalf("late retries wait %s: backoff did not grow", outage[len(outage)-1])
	}
}
