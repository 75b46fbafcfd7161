package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/monitoring"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

type testHub struct {
	st    *hub.SQLiteStore
	keys  *hub.Keys
	blobs *bundle.Blobs
	url   string
	srv   *httptest.Server // closed at cleanup; a test may close it early to take the hub away
}

func newTestHub(t *testing.T) *testHub {
	t.Helper()
	ctx := context.Background()
	hd := t.TempDir()
	st, err := hub.OpenSQLite(ctx, filepath.Join(hd, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := hub.LoadOrCreateKeys(filepath.Join(hd, "keys"), nil)
	if err != nil {
		t.Fatal(err)
	}
	blobs, _ := bundle.OpenBlobs(filepath.Join(hd, "blobs"))
	srv := httptest.NewServer(hub.NewServer(st, keys, blobs, hub.Options{}))
	t.Cleanup(srv.Close)
	return &testHub{st: st, keys: keys, blobs: blobs, url: srv.URL, srv: srv}
}

// enrolledKiosk is a kiosk data directory enrolled at h for site.
func enrolledKiosk(t *testing.T, h *testHub, site string) cli {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "none.toml"), []byte("[records]\nsite_id = \"GE-0042\"\nsite_name = \"Biblioteca Berio, Genova\"\n"), 0o600)
	c := cli{t: t, data: dir}
	code, err := hub.NewEnrolCode(ctx, h.st, site, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), environ: []string{"OFFICINA_CONFIG=" + filepath.Join(dir, "none.toml")}}
	if rc := realMain(ctx, e, []string{"enroll", "--data", dir, h.url, code}); rc != 0 {
		t.Fatalf("enroll: %s%s", out.String(), errb.String())
	}
	return c
}

// publishCourse packs and signs src with the hub's content key and
// publishes it, as 'officina-hub content publish' does.
func (h *testHub) publishCourse(t *testing.T, src string, version int64) {
	t.Helper()
	tmp, _ := bundle.OpenBlobs(t.TempDir())
	m, err := bundle.Pack(os.DirFS(src), tmp, "officina", version, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := bundle.Sign(m, h.keys.Signing)
	for _, f := range m.Blobs() {
		r, _ := tmp.Open(f.SHA256)
		if err := h.blobs.Put(f.SHA256, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	if _, err := h.st.PublishContent(context.Background(), signed, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestServicesFromTwoKiosksReachTheHubsFacilitaExport runs the whole path
// of a service: the hub's roster reaches the kiosk, a facilitator records a
// service with a codice fiscale, the kiosk syncs, and the hub's export
// opens the sealed CF. The same citizen served at a second kiosk of the
// deployment counts once.
func TestServicesFromTwoKiosksReachTheHubsFacilitaExport(t *testing.T) {
	ctx := context.Background()
	h := newTestHub(t)
	hash, _ := staff.HashPIN("4821", 1000)
	if _, err := h.st.SetRoster(ctx, "genova-berio", []wire.StaffMember{{ID: "FAC-GE-001", Name: "Giulia D'Amico", Card: "04:A2:19:7C", PINHash: hash}}); err != nil {
		t.Fatal(err)
	}
	a, b := enrolledKiosk(t, h, "genova-berio"), enrolledKiosk(t, h, "genova-berio")
	if fi, err := os.Stat(filepath.Join(a.data, "enrolment.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the enrolment file holding the deployment secret: %v %v", fi.Mode(), err)
	}
	// An enrolled kiosk seals to the hub: there is no local export key to set up.
	a.fails("export from the hub", "export", "setup")

	service := []string{"record", "service", "--cf", "BNCNNA52L55D612I", "--first", "Anna", "--last", "D'Amico", "--staff", "FAC-GE-001",
		"--education", "b", "--employment", "g", "--citizenship", "a", "--province", "ge", "--first-time",
		"--duration", "00:35", "--se5", "9", "--se6", "A", "--consent", "verbal"}
	// Before the first sync the roster is empty: the facilitator is unknown.
	a.fails("FAC-GE-001", append(service, "--date", "2026-11-03")...)
	for _, k := range []cli{a, b} {
		k.ok("sync", "--once")
	}
	if out, _, code := a.run("4821\n", "staff", "login", "--card", "04A2197C"); code != 0 || !strings.Contains(out, "Giulia") {
		t.Fatalf("staff login with the hub's roster: %d %s", code, out)
	}
	a.ok(append(service, "--date", "2026-11-03")...)
	b.ok(append(service, "--date", "2026-11-10")...)
	for _, k := range []cli{a, b} {
		if out := k.ok("sync", "--once"); !strings.Contains(out, "backlog 0") {
			t.Fatalf("sync: %s", out)
		}
	}

	opener, err := h.keys.SealOpener()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res, err := monitoring.Export(ctx, hub.Events(ctx, h.st), monitoring.Options{
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Opener: opener, Dir: out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 2 || res.Services != 2 || res.UniqueCitizens != 1 || len(res.Rejected) != 0 || len(res.Files) != 1 {
		t.Fatalf("export: %+v", res)
	}
	csv, _ := os.ReadFile(res.Files[0])
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 3 {
		t.Fatalf("CSV has %d lines, want a header and 2 rows:\n%s", len(lines), csv)
	}
	for _, row := range lines[1:] {
		if !strings.Contains(row, "BNCNNA52L55D612I") || !strings.Contains(row, "FAC-GE-001") || !strings.Contains(row, "GE-0042") {
			t.Errorf("CSV row %q lacks the citizen's CF, the facilitator or the site", row)
		}
	}
}

// TestAChangedCourseAtTheHubReachesTheKiosksCatalogue publishes a changed
// course at the hub; after one sync the kiosk shows it.
func TestAChangedCourseAtTheHubReachesTheKiosksCatalogue(t *testing.T) {
	h := newTestHub(t)
	k := enrolledKiosk(t, h, "genova-berio")
	if out := k.ok("content", "list", "--lang", "it"); !strings.Contains(out, "Cercare un libro nel catalogo della biblioteca") {
		t.Fatalf("built-in catalogue: %s", out)
	}
	src := t.TempDir()
	if err := os.CopyFS(src, os.DirFS("../../content/builtin/catalog/biblioteca-catalogo")); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(src, "meta.toml")
	b, _ := os.ReadFile(meta)
	os.WriteFile(meta, bytes.Replace(b, []byte(`it = "Cercare un libro nel catalogo della biblioteca"`), []byte(`it = "Prenotare un libro in biblioteca"`), 1), 0o644)
	h.publishCourse(t, src, 2)
	k.ok("sync", "--once")
	out := k.ok("content", "list", "--lang", "it")
	if !strings.Contains(out, "Prenotare un libro in biblioteca") || strings.Contains(out, "Cercare un libro nel catalogo") {
		t.Fatalf("after sync the catalogue is:\n%s", out)
	}

	// A manifest signed by a key the kiosk does not trust is refused and
	// the catalogue stays as it was.
	os.WriteFile(meta, bytes.Replace(b, []byte(`it = "Cercare un libro nel catalogo della biblioteca"`), []byte(`it = "Contraffatto"`), 1), 0o644)
	other, _ := hub.LoadOrCreateKeys(t.TempDir(), nil)
	(&testHub{st: h.st, keys: other, blobs: h.blobs}).publishCourse(t, src, 3)
	if _, errOut, code := k.run("", "sync", "--once"); code == 0 || !strings.Contains(errOut, "refused") {
		t.Errorf("sync of a manifest signed by another key: exit %d, %s", code, errOut)
	}
	if out := k.ok("content", "list", "--lang", "it"); !strings.Contains(out, "Prenotare un libro in biblioteca") {
		t.Errorf("after a refused manifest the catalogue is:\n%s", out)
	}
}
