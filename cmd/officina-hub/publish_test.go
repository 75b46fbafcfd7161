package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/sync/hub"
)

func hubRun(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	rc := realMain(context.Background(), &env{stdout: &out, stderr: &errb}, args)
	return out.String(), errb.String(), rc
}

// TestPublishACourseDirectory checks, packs and signs a course directory
// with the hub's key; a broken course is reported with file:line and
// publishes nothing.
func TestPublishACourseDirectory(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	src := t.TempDir()
	if err := os.CopyFS(src, os.DirFS("../../content/builtin/catalog/biblioteca-catalogo")); err != nil {
		t.Fatal(err)
	}
	out, errOut, rc := hubRun("content", "publish", "--data", data, src, "--version", "5")
	if rc != 0 || !strings.Contains(out, "version 5") || !strings.Contains(out, "catalogue version 1") {
		t.Fatalf("publish: rc %d %q %q", rc, out, errOut)
	}
	h, err := open(ctx, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, signed, err := h.store.Content(ctx)
	h.store.Close()
	if err != nil || v.Version != 1 {
		t.Fatalf("published content: %+v %v", v, err)
	}
	// What a kiosk trusting the hub's key gets: a valid manifest whose
	// every blob the hub serves, with the course's files.
	m, err := bundle.Verify(signed, []ed25519.PublicKey{h.keys.Signing.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
		if !h.blobs.Has(f.SHA256) {
			t.Errorf("the hub lacks the blob of %s", f.Path)
		}
	}
	if got := strings.Join(paths, " "); !strings.Contains(got, "meta.toml") || !strings.Contains(got, "01-il-catalogo.it.md") {
		t.Errorf("manifest files: %s", got)
	}

	if _, errOut, rc := hubRun("content", "publish", "--data", data, src, "--version", "5"); rc != 1 || !strings.Contains(errOut, "not newer") {
		t.Errorf("republishing version 5: rc %d %q", rc, errOut)
	}
	// A broken quiz: the problem is named with file and line, nothing is published.
	os.WriteFile(filepath.Join(src, "quiz.toml"), []byte("[[question]]\ntext = \"?\"\nthis is not toml\n"), 0o644)
	_, errOut, rc = hubRun("content", "publish", "--data", data, src, "--version", "6")
	if rc != 1 || !strings.Contains(errOut, filepath.Join(src, "quiz.toml")+":2: question.text") || !strings.Contains(errOut, "nothing published") {
		t.Errorf("publishing a broken course: rc %d %q", rc, errOut)
	}
	h, _ = open(ctx, data, nil)
	if v, _, _ := h.store.Content(ctx); v.Version != 1 {
		t.Errorf("a broken course was published: catalogue version %d", v.Version)
	}
	h.store.Close()

	// A bundle packed and signed elsewhere is refused: kiosks trust only
	// the hub's key.
	other, _ := hub.LoadOrCreateKeys(t.TempDir(), nil)
	packed := t.TempDir()
	blobs, _ := bundle.OpenBlobs(filepath.Join(packed, "blobs"))
	os.Remove(filepath.Join(src, "quiz.toml"))
	pm, _ := bundle.Pack(os.DirFS(src), blobs, "officina", 9, m.Created)
	ps, _ := bundle.Sign(pm, other.Signing)
	os.WriteFile(filepath.Join(packed, "manifest.json"), ps, 0o644)
	if _, errOut, rc := hubRun("content", "publish", "--data", data, packed); rc != 1 || !strings.Contains(errOut, "trust only this hub's key") {
		t.Errorf("publishing a bundle signed by another key: rc %d %q", rc, errOut)
	}
}

func TestExportFacilitaCommand(t *testing.T) {
	data := t.TempDir()
	if _, errOut, rc := hubRun("export", "facilita", "--data", data, "--out", t.TempDir()); rc != 2 || !strings.Contains(errOut, "--from") {
		t.Errorf("export without a period: rc %d %q", rc, errOut)
	}
	// With no kiosk yet: an honest zero, not a failure.
	out, errOut, rc := hubRun("export", "facilita", "--data", data, "--from", "2026-11-01", "--to", "2026-11-30", "--out", t.TempDir())
	if rc != 0 || !strings.Contains(out, "0 rows for 0 services delivered to 0 unique citizens") {
		t.Errorf("export of an empty hub: rc %d %q %q", rc, out, errOut)
	}
}
