package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

// countingConn counts the bytes both ways of every connection a client
// opens, and the requests.
type counter struct {
	read, written atomic.Int64
	requests      atomic.Int64
}

type countingConn struct {
	net.Conn
	c *counter
}

func (cc countingConn) Read(b []byte) (int, error) {
	n, err := cc.Conn.Read(b)
	cc.c.read.Add(int64(n))
	return n, err
}

func (cc countingConn) Write(b []byte) (int, error) {
	n, err := cc.Conn.Write(b)
	cc.c.written.Add(int64(n))
	return n, err
}

type countingRT struct {
	rt http.RoundTripper
	c  *counter
}

func (r countingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.c.requests.Add(1)
	return r.rt.RoundTrip(req)
}

func countingClient(c *counter) *http.Client {
	t := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{conn, c}, nil
	}}
	return &http.Client{Transport: countingRT{t, c}}
}

func TestNothingChangedIsOneSmallRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	h.store.AddNotice(ctx, wire.Notice{Text: "Lunedì sportello SPID chiuso", From: time.Now(), Until: time.Now().Add(time.Hour)})
	var cnt counter
	c := k.newClient(t, client.Options{HTTP: countingClient(&cnt)})
	if err := c.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	cnt.read.Store(0)
	cnt.written.Store(0)
	cnt.requests.Store(0)
	if err := c.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	total := cnt.read.Load() + cnt.written.Load()
	if cnt.requests.Load() != 1 || total > 2048 {
		t.Fatalf("nothing-changed sync: %d requests, %d bytes on the wire; want 1 and ≤ 2048", cnt.requests.Load(), total)
	}
	t.Logf("nothing changed: 1 request, %d bytes (%d up, %d down)", total, cnt.written.Load(), cnt.read.Load())
}

func TestNoticesRosterAndSettingsFlowDownVersioned(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "berio")
	now := time.Now()
	h.store.AddNotice(ctx, wire.Notice{Text: "Lunedì sportello SPID chiuso", From: now.Add(-time.Hour), Until: now.Add(24 * time.Hour)})
	h.store.AddNotice(ctx, wire.Notice{Text: "nuovo corso sulle truffe online", Site: "berio", From: now.Add(-time.Hour), Until: now.Add(time.Hour)})
	h.store.AddNotice(ctx, wire.Notice{Text: "only for another site", Site: "other", From: now.Add(-time.Hour), Until: now.Add(time.Hour)})
	h.store.SetRoster(ctx, "berio", []wire.StaffMember{{Card: "C1", Name: "Giulia", PINHash: "$argon2id$x"}})
	roster := &recordingRoster{}
	c := k.newClient(t, client.Options{Roster: roster})
	if changed, err := c.Pull(ctx); err != nil || !changed {
		t.Fatalf("first pull: changed=%v err=%v", changed, err)
	}
	ns, err := c.Notices(ctx, now)
	if err != nil || len(ns) != 2 {
		t.Fatalf("notices %v (%v), want the two for this site", ns, err)
	}
	if ns2, _ := c.Notices(ctx, now.Add(2*time.Hour)); len(ns2) != 1 || !strings.Contains(ns2[0].Text, "SPID") {
		t.Fatalf("two hours later: %v, want only the SPID notice (the other expired)", ns2)
	}
	if len(roster.got) != 1 || roster.got[0].Version != 1 || roster.got[0].Staff[0].Card != "C1" {
		t.Fatalf("roster applied %+v", roster.got)
	}
	if changed, err := c.Pull(ctx); err != nil || changed {
		t.Fatalf("second pull: changed=%v err=%v, want nothing", changed, err)
	}
	h.store.SetRoster(ctx, "berio", []wire.StaffMember{{Card: "C2", Name: "Marco", PINHash: "$argon2id$y"}})
	if changed, err := c.Pull(ctx); err != nil || !changed || len(roster.got) != 2 || roster.got[1].Version != 2 {
		t.Fatalf("after a roster change: changed=%v err=%v applied=%d", changed, err, len(roster.got))
	}
	// A failing applier leaves the version unapplied, so the next pull retries.
	h.store.SetRoster(ctx, "berio", []wire.StaffMember{{Card: "C3", PINHash: "h"}})
	roster.fail = errors.New("disk full")
	if _, err := c.Pull(ctx); err == nil {
		t.Fatal("pull hid the applier's failure")
	}
	roster.fail = nil
	if changed, err := c.Pull(ctx); err != nil || !changed || roster.got[len(roster.got)-1].Version != 3 {
		t.Fatalf("retry after failure: changed=%v err=%v", changed, err)
	}
}

type recordingRoster struct {
	got  []wire.Roster
	fail error
}

func (r *recordingRoster) ApplyRoster(ctx context.Context, ro wire.Roster) error {
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, ro)
	return nil
}

// lineCatalogue is a stand-in manifest format: one "sha256 size" per line.
type lineCatalogue struct{ active []byte }

func (l *lineCatalogue) Blobs(m []byte) ([]client.Blob, error) {
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

func (l *lineCatalogue) Activate(ctx context.Context, m []byte) error { l.active = m; return nil }

func publish(t testing.TB, h *testHub, blobs ...[]byte) (manifest []byte) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "blobs"), 0o755)
	var m bytes.Buffer
	for _, b := range blobs {
		sum := sha256.Sum256(b)
		name := hex.EncodeToString(sum[:])
		os.WriteFile(filepath.Join(dir, "blobs", name), b, 0o644)
		fmt.Fprintf(&m, "%s %d\n", name, len(b))
	}
	os.WriteFile(filepath.Join(dir, "manifest"), m.Bytes(), 0o644)
	if _, err := hub.PublishDir(context.Background(), h.store, h.blobs, dir, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	return m.Bytes()
}

// cutAfter breaks every blob response after n bytes, once per blob.
type cutAfter struct {
	next http.Handler
	n    int
	cut  map[string]bool
	seen []string // Range headers of blob requests
}

type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(b []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("cut")
	}
	if len(b) > c.left {
		n, _ := c.ResponseWriter.Write(b[:c.left])
		c.left = 0
		return n, errors.New("cut")
	}
	c.left -= len(b)
	return c.ResponseWriter.Write(b)
}

func (c *cutAfter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, wire.PathBlobs) {
		c.next.ServeHTTP(w, r)
		return
	}
	c.seen = append(c.seen, r.Header.Get("Range"))
	if c.cut[r.URL.Path] {
		c.next.ServeHTTP(w, r)
		return
	}
	c.cut[r.URL.Path] = true
	cw := &cutWriter{ResponseWriter: w, left: c.n}
	c.next.ServeHTTP(cw, r)
	if cw.left == 0 {
		hijackClose(w)
	}
}

func TestBlobDownloadResumesWithRange(t *testing.T) {
	ctx := context.Background()
	cut := &cutAfter{n: 100000, cut: map[string]bool{}}
	h := startHub(t, t.TempDir(), hub.Options{}, func(next http.Handler) http.Handler { cut.next = next; return cut })
	k := newKiosk(t, h, "s")
	big := bytes.Repeat([]byte("lezione 1: cos'è lo SPID. "), 40000) // ~1 MB
	small := []byte("quiz")
	m := publish(t, h, big, small)
	kb, _ := bundle.OpenBlobs(filepath.Join(k.dir, "blobs"))
	cat := &lineCatalogue{}
	c := k.newClient(t, client.Options{Blobs: kb, Catalogue: cat})
	if _, err := c.Pull(ctx); err == nil {
		t.Fatal("first pull should fail: the connection was cut mid-blob")
	}
	if cat.active != nil {
		t.Fatal("catalogue activated with a blob missing")
	}
	if _, err := c.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cat.active, m) {
		t.Fatal("manifest not activated after the blobs arrived")
	}
	resumed := false
	for _, r := range cut.seen {
		if strings.HasPrefix(r, "bytes=") && r != "bytes=0-" {
			resumed = true
		}
	}
	if !resumed {
		t.Fatalf("no Range request among %q: the download restarted from zero", cut.seen)
	}
	sum := sha256.Sum256(big)
	f, err := kb.Open(hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if !bytes.Equal(got, big) {
		t.Fatal("resumed blob differs from the published one")
	}
	if left, _ := os.ReadDir(filepath.Join(k.dir, "partial")); len(left) != 0 {
		t.Fatalf("%d partial downloads left on disk after success", len(left))
	}
	// One changed lesson: only the changed blob travels.
	cut.seen = nil
	changed := []byte("lezione 2, corretta")
	publish(t, h, big, small, changed)
	if _, err := c.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if len(cut.seen) != 1 {
		t.Fatalf("after one lesson changed, %d blob requests; want 1", len(cut.seen))
	}
}

// badSibling serves corrupt bytes for every blob.
type badSibling struct{ asked int }

func (b *badSibling) OpenBlob(ctx context.Context, sum string) (io.ReadCloser, error) {
	b.asked++
	return io.NopCloser(strings.NewReader("not the blob you want")), nil
}
func (b *badSibling) String() string { return "bad sibling" }

func TestCorruptBlobFromSiblingIsRejectedAndFetchedFromHub(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	lesson := []byte("# Truffe online\nNon dare mai il PIN.")
	publish(t, h, lesson)
	kb, _ := bundle.OpenBlobs(filepath.Join(k.dir, "blobs"))
	sib := &badSibling{}
	cat := &lineCatalogue{}
	c := k.newClient(t, client.Options{Blobs: kb, Catalogue: cat, Siblings: func() []client.BlobSource { return []client.BlobSource{sib} }})
	if _, err := c.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lesson)
	if sib.asked != 1 || !kb.Has(hex.EncodeToString(sum[:])) || cat.active == nil {
		t.Fatalf("sibling asked %d times, blob present %v, active %v", sib.asked, kb.Has(hex.EncodeToString(sum[:])), cat.active != nil)
	}
}

func TestEnrolmentCodeIsOneTimeAndExpires(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	other := newKiosk(t, h, "s")
	code, err := hub.NewEnrolCode(ctx, h.store, "s", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enrol(ctx, h.http.URL, code, k.id, client.EnrolOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enrol(ctx, h.http.URL, code, other.id, client.EnrolOptions{}); !errors.Is(err, wire.ErrBadCode) {
		t.Fatalf("second use of a code: %v, want refused", err)
	}
	old, _ := hub.NewEnrolCode(ctx, h.store, "s", time.Minute, time.Now().Add(-time.Hour))
	if _, err := client.Enrol(ctx, h.http.URL, old, other.id, client.EnrolOptions{}); !errors.Is(err, wire.ErrBadCode) {
		t.Fatalf("expired code: %v, want refused", err)
	}
}

func TestHubTLSKeyIsPinnedAtEnrolment(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	tlsSrv := httptest.NewUnstartedServer(h.srv)
	tlsSrv.TLS = h.keys.TLSConfig()
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	k := newKiosk(t, h, "s")
	code, _ := hub.NewEnrolCode(ctx, h.store, "s", time.Hour, time.Now())
	en, err := client.Enrol(ctx, tlsSrv.URL, code, k.id, client.EnrolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if en.TLSPin != h.keys.TLSPin() {
		t.Fatalf("pinned %s, hub key is %s", en.TLSPin, h.keys.TLSPin())
	}
	k.enrol = en
	c := k.newClient(t, client.Options{})
	if err := c.SyncOnce(ctx); err != nil {
		t.Fatalf("sync to the pinned hub: %v", err)
	}
	// Another server with another key at the same address is refused.
	impostor := startHub(t, t.TempDir(), hub.Options{}, nil)
	imp := httptest.NewUnstartedServer(impostor.srv)
	imp.TLS = impostor.keys.TLSConfig()
	imp.StartTLS()
	defer imp.Close()
	en2 := *en
	en2.HubURL = imp.URL
	k.enrol = &en2
	c = k.newClient(t, client.Options{})
	if err := c.SyncOnce(ctx); err == nil || !strings.Contains(err.Error(), "pinned") {
		t.Fatalf("sync to an impostor: %v, want the pin to refuse it", err)
	}
	if _, err := client.Enrol(ctx, imp.URL, "x", k.id, client.EnrolOptions{Pin: h.keys.TLSPin()}); err == nil || !strings.Contains(err.Error(), "pin") {
		t.Fatalf("enrol with an expected pin at an impostor: %v", err)
	}
}

func TestCatalogueWiredLaterStillGetsTheCurrentContent(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, t.TempDir(), hub.Options{}, nil)
	k := newKiosk(t, h, "s")
	m := publish(t, h, []byte("lezione"))
	if _, err := k.client.Pull(ctx); err != nil { // no catalogue wired yet
		t.Fatal(err)
	}
	kb, _ := bundle.OpenBlobs(filepath.Join(k.dir, "blobs"))
	cat := &lineCatalogue{}
	c := k.newClient(t, client.Options{Blobs: kb, Catalogue: cat})
	if _, err := c.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cat.active, m) {
		t.Fatal("a catalogue wired after the first sync never received the published content")
	}
}
