package e2e_test

import (
	"context"
	"crypto/ed25519"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/content/catalog"
	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/sync/apply"
	"github.com/officina-digitale/officina/sync/client"
)

// library opens a content library as the kiosk does: trusting the hub's
// publishing key from the enrolment and running the course checker.
func library(t *testing.T, k *kiosk) *bundle.Library {
	lib, err := bundle.OpenLibrary(filepath.Join(t.TempDir(), "content"), bundle.Options{
		Trusted: []ed25519.PublicKey{ed25519.PublicKey(k.enrol.Hub.HubKey)},
		Check: func(fsys iofs.FS) error {
			_, probs := course.LoadAll(fsys, course.DefaultLimits)
			return probs.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// publishCourses packs and signs dir with the hub's content key.
func publishCourses(t *testing.T, h *theHub, dir string, version int64) {
	tmp, _ := bundle.OpenBlobs(t.TempDir())
	m, err := bundle.Pack(os.DirFS(dir), tmp, "officina", version, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := bundle.Sign(m, h.keys.Signing)
	for _, f := range m.Blobs() {
		r, _ := tmp.Open(f.SHA256)
		h.blobs.Put(f.SHA256, r)
		r.Close()
	}
	if _, err := h.store.PublishContent(context.Background(), signed, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogueThroughTheContentLibraryAndASibling: the hub publishes a
// signed course; kiosk A fetches it into its content library and shows it;
// kiosk B gets every blob from A over the LAN (none from the hub) and shows
// it too.
func TestCatalogueThroughTheContentLibraryAndASibling(t *testing.T) {
	ctx := context.Background()
	h := startHub(t, clock.System{})
	src := t.TempDir()
	if err := os.CopyFS(src, os.DirFS("../../content/builtin/catalog/spid-primo")); err != nil {
		t.Fatal(err)
	}
	publishCourses(t, h, src, 1)

	a, b := newKiosk(t, h, "a"), newKiosk(t, h, "b")
	libA, libB := library(t, a), library(t, b)
	reloads := 0
	newClient := func(k *kiosk, lib *bundle.Library, siblings func() []client.BlobSource) *client.Client {
		c, err := client.New(ctx, client.Options{Store: k.store, Identity: k.id, Enrolment: k.enrol,
			Catalogue: apply.Catalogue{Library: lib, Reload: func(context.Context) error { reloads++; return nil }},
			Blobs:     lib.Blobs(), Siblings: siblings, PartialDir: filepath.Join(t.TempDir(), "partial")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ca := newClient(a, libA, nil)
	if changed, err := ca.Pull(ctx); err != nil || !changed {
		t.Fatalf("kiosk A pull: %v %v", changed, err)
	}
	if reloads != 1 {
		t.Errorf("the catalogue was reloaded %d times after activation, want 1", reloads)
	}
	hits := h.blobHits.Load()
	if hits == 0 {
		t.Fatal("kiosk A fetched no blob from the hub")
	}

	a.client = ca
	a.serveLAN(t, apply.Blobs{Blobs: libA.Blobs()}, false)
	cb := newClient(b, libB, func() []client.BlobSource { return []client.BlobSource{a.sibling(b)} })
	if _, err := cb.Pull(ctx); err != nil {
		t.Fatalf("kiosk B pull: %v", err)
	}
	if got := h.blobHits.Load(); got != hits {
		t.Errorf("kiosk B fetched %d blobs from the hub; its sibling had them all", got-hits)
	}
	for name, lib := range map[string]*bundle.Library{"A": libA, "B": libB} {
		cat, err := catalog.Open(ctx, lib, course.DefaultLimits)
		if err != nil {
			t.Fatalf("kiosk %s catalogue: %v", name, err)
		}
		var titles []string
		for _, it := range cat.List("it") {
			titles = append(titles, it.Title)
		}
		cat.Close()
		if cat.Source == "built-in" || len(titles) != 1 || !strings.Contains(titles[0], "SPID") {
			t.Errorf("kiosk %s shows %s: %q", name, cat.Source, titles)
		}
	}
}
