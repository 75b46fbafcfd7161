package bundle

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/officina-digitale/officina/content/course"
)

var testTime = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// catalogue returns the documented example course under a new title, so
// two versions can be told apart.
func catalogue(t testing.TB, title string) fs.FS {
	t.Helper()
	src := os.DirFS("../course/testdata/good")
	out := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(src, p)
		if p == "esempio/meta.toml" {
			b = bytes.Replace(b, []byte("Mandare un messaggio"), []byte(title), 1)
		}
		out[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func checkContent(fsys fs.FS) error {
	_, probs := course.LoadAll(fsys, course.Limits{})
	return probs.Err()
}

// publish packs a catalogue into a publisher's blob store and signs it.
func publish(t testing.TB, pubDir string, src fs.FS, version int64, key ed25519.PrivateKey) []byte {
	t.Helper()
	blobs, err := OpenBlobs(pubDir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Pack(src, blobs, "test", version, testTime)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func openLib(t testing.TB, dir string) *Library {
	t.Helper()
	l, err := OpenLibrary(dir, Options{Trusted: []ed25519.PublicKey{testKey(1).Public().(ed25519.PublicKey)}, Check: checkContent})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func activeTitle(t testing.TB, l *Library) string {
	t.Helper()
	_, fsys, err := l.Active()
	if err != nil {
		t.Fatalf("active catalogue: %v", err)
	}
	items, probs := course.LoadAll(fsys, course.Limits{})
	if len(probs) > 0 {
		t.Fatalf("active catalogue is damaged: %v", probs)
	}
	return items[0].Title["it"]
}

func install(t testing.TB, l *Library, signed []byte, pubDir string) (*Manifest, error) {
	t.Helper()
	if err := l.Import(signed, pubDir); err != nil {
		return nil, err
	}
	return l.Activate(context.Background(), signed)
}

func TestPackSignActivate(t *testing.T) {
	pub, kdir := t.TempDir(), t.TempDir()
	signed := publish(t, pub, catalogue(t, "Versione uno"), 1, testKey(1))
	l := openLib(t, kdir)
	if _, _, err := l.Active(); !errors.Is(err, ErrNoBundle) {
		t.Fatalf("fresh library: %v, want ErrNoBundle", err)
	}
	missing, err := l.Missing(signed)
	if err != nil || len(missing) != 9 {
		t.Fatalf("missing = %d blobs, %v; want the 9 files of the example", len(missing), err)
	}
	m, err := install(t, l, signed, pub)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || len(m.Files) != 9 {
		t.Errorf("manifest = version %d, %d files", m.Version, len(m.Files))
	}
	if got := activeTitle(t, l); got != "Versione uno" {
		t.Errorf("active title = %q", got)
	}
	if missing, _ := l.Missing(signed); len(missing) != 0 {
		t.Errorf("after import, still missing %v", missing)
	}
	// A LAN sibling gets the same signed bytes and can install from our blobs.
	relay, err := l.ActiveSigned()
	if err != nil || !bytes.Equal(relay, signed) {
		t.Fatalf("ActiveSigned: %v", err)
	}
	sibling := openLib(t, t.TempDir())
	if _, err := install(t, sibling, relay, l.Blobs().Dir()); err != nil {
		t.Errorf("sibling install from our blobs: %v", err)
	}

	// A newer version replaces it; reopening the library finds the new one.
	signed2 := publish(t, pub, catalogue(t, "Versione due"), 2, testKey(1))
	if _, err := install(t, l, signed2, pub); err != nil {
		t.Fatal(err)
	}
	if got := activeTitle(t, openLib(t, kdir)); got != "Versione due" {
		t.Errorf("after restart, active title = %q", got)
	}
	// Replaying the older signed bundle is refused.
	if _, err := l.Activate(context.Background(), signed); !errors.Is(err, ErrOlder) {
		t.Errorf("rollback to version 1: %v, want ErrOlder", err)
	}
}

func TestRejections(t *testing.T) {
	pub := t.TempDir()
	good := publish(t, pub, catalogue(t, "Buona"), 1, testKey(1))
	var s Signed
	if err := json.Unmarshal(good, &s); err != nil {
		t.Fatal(err)
	}
	reencode := func(s Signed) []byte { b, _ := json.Marshal(s); return b }

	forged := s
	forged.Manifest = bytes.Replace(s.Manifest, []byte(`"version": 1`), []byte(`"version": 9`), 1)
	untrusted := publish(t, t.TempDir(), catalogue(t, "Altra"), 1, testKey(2))

	cases := []struct {
		name   string
		signed []byte
		want   error
		msg    string
	}{
		{"bad signature", reencode(forged), ErrBadSignature, "bad signature"},
		{"untrusted key", untrusted, ErrUntrustedKey, "untrusted key"},
		{"truncated manifest", good[:len(good)/2], ErrMalformed, "truncated"},
		{"not json", []byte("PK\x03\x04"), ErrMalformed, "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := openLib(t, t.TempDir())
			_, err := l.Activate(context.Background(), tc.signed)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want %v saying %q", err, tc.want, tc.msg)
			}
			if _, _, err := l.Active(); !errors.Is(err, ErrNoBundle) {
				t.Errorf("a rejected bundle became active: %v", err)
			}
		})
	}
}

// A signed manifest must not smuggle paths outside the catalogue.
func TestManifestPaths(t *testing.T) {
	for _, p := range []string{"../etc/passwd", "/abs", "a/../../b", ""} {
		m := &Manifest{Format: Format, Files: []File{{Path: p, SHA256: strings.Repeat("a", 64)}}}
		if _, err := Sign(m, testKey(1)); !errors.Is(err, ErrMalformed) {
			t.Errorf("path %q: %v, want ErrMalformed", p, err)
		}
	}
}

func TestTamperedAndTruncatedBlobs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(path string) error
		want   error
	}{
		{"tampered", func(p string) error {
			b, _ := os.ReadFile(p)
			b[0] ^= 0xff
			return os.WriteFile(p, b, 0o644)
		}, ErrHashMismatch},
		{"truncated", func(p string) error { return os.Truncate(p, 3) }, ErrTruncated},
		{"missing", os.Remove, ErrMissingBlob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pub, kdir := t.TempDir(), t.TempDir()
			l := openLib(t, kdir)
			v1 := publish(t, pub, catalogue(t, "Vecchia"), 1, testKey(1))
			if _, err := install(t, l, v1, pub); err != nil {
				t.Fatal(err)
			}
			v2 := publish(t, pub, catalogue(t, "Nuova"), 2, testKey(1))
			if err := l.Import(v2, pub); err != nil {
				t.Fatal(err)
			}
			m, _ := Verify(v2, l.trusted)
			var meta File
			for _, f := range m.Files {
				if f.Path == "esempio/meta.toml" {
					meta = f
				}
			}
			p := l.Blobs().path(meta.SHA256)
			os.Chmod(p, 0o644)
			if err := tc.damage(p); err != nil {
				t.Fatal(err)
			}
			_, err := l.Activate(context.Background(), v2)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "esempio/meta.toml") {
				t.Errorf("got %v, want %v naming esempio/meta.toml", err, tc.want)
			}
			if got := activeTitle(t, l); got != "Vecchia" {
				t.Errorf("active title = %q after a rejected update", got)
			}
		})
	}
}

func TestContentCheckBlocksActivation(t *testing.T) {
	pub := t.TempDir()
	src := catalogue(t, "Rotta").(fstest.MapFS)
	delete(src, "esempio/media/fumetto.png") // broken image link
	signed := publish(t, pub, src, 1, testKey(1))
	l := openLib(t, t.TempDir())
	_, err := install(t, l, signed, pub)
	if err == nil || !strings.Contains(err.Error(), "broken image link") {
		t.Errorf("got %v, want the content check's broken image link", err)
	}
}

func TestPutVerifiesHash(t *testing.T) {
	b, err := OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // "hello"
	if err := b.Put(sha, strings.NewReader("hellO")); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("wrong content: %v, want ErrHashMismatch", err)
	}
	if b.Has(sha) {
		t.Error("a mismatched blob was kept")
	}
	if err := b.Put(sha, io.MultiReader(strings.NewReader("he"), errReader{})); err == nil {
		t.Error("a read error mid-blob was not reported")
	}
	if left, _ := filepath.Glob(filepath.Join(b.Dir(), "*", "*")); len(left) != 0 {
		t.Errorf("failed puts left files: %v", left)
	}
	if err := b.Put(sha, strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	r, err := b.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "hello" || !b.Has(sha) {
		t.Errorf("blob = %q", got)
	}
	if err := b.Put("../../etc", strings.NewReader("")); err == nil {
		t.Error("a non-hash name was accepted")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestAbortAtEachStage stops activation after each stage, as a power cut
// would, and reopens the library: before the switch the old catalogue is
// active and intact, after it the new one.
func TestAbortAtEachStage(t *testing.T) {
	for _, tc := range []struct{ stage, want string }{
		{"verified", "Vecchia"}, {"manifest-saved", "Vecchia"}, {"switched", "Nuova"},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			pub, kdir := t.TempDir(), t.TempDir()
			l := openLib(t, kdir)
			if _, err := install(t, l, publish(t, pub, catalogue(t, "Vecchia"), 1, testKey(1)), pub); err != nil {
				t.Fatal(err)
			}
			v2 := publish(t, pub, catalogue(t, "Nuova"), 2, testKey(1))
			if err := l.Import(v2, pub); err != nil {
				t.Fatal(err)
			}
			cut := errors.New("power cut")
			l.step = func(s string) error {
				if s == tc.stage {
					return cut
				}
				return nil
			}
			if _, err := l.Activate(context.Background(), v2); !errors.Is(err, cut) {
				t.Fatalf("activate: %v", err)
			}
			if got := activeTitle(t, openLib(t, kdir)); got != tc.want {
				t.Errorf("after a cut at %s the active catalogue is %q, want %q", tc.stage, got, tc.want)
			}
		})
	}
}

// TestKilledMidActivation kills a real process with SIGKILL in the middle
// of activation, then opens the library the way the kiosk does at boot.
func TestKilledMidActivation(t *testing.T) {
	if dir := os.Getenv("OFFICINA_BUNDLE_CRASH_DIR"); dir != "" {
		crashChild(dir, os.Getenv("OFFICINA_BUNDLE_CRASH_STAGE"))
		return
	}
	for _, stage := range []string{"verified", "manifest-saved"} {
		pub, kdir := t.TempDir(), t.TempDir()
		l := openLib(t, kdir)
		if _, err := install(t, l, publish(t, pub, catalogue(t, "Vecchia"), 1, testKey(1)), pub); err != nil {
			t.Fatal(err)
		}
		v2 := publish(t, pub, catalogue(t, "Nuova"), 2, testKey(1))
		if err := l.Import(v2, pub); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(kdir, "v2.json"), v2, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidActivation$")
		cmd.Env = append(os.Environ(), "OFFICINA_BUNDLE_CRASH_DIR="+kdir, "OFFICINA_BUNDLE_CRASH_STAGE="+stage)
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child at %s: %v, want killed by SIGKILL", stage, err)
		}
		if got := activeTitle(t, openLib(t, kdir)); got != "Vecchia" {
			t.Errorf("killed at %s: active catalogue is %q, want the old one", stage, got)
		}
		// The update can be retried and succeeds.
		if _, err := openLib(t, kdir).Activate(context.Background(), v2); err != nil {
			t.Errorf("retry after the kill: %v", err)
		}
	}
}

func crashChild(dir, stage string) {
	l, err := OpenLibrary(dir, Options{Trusted: []ed25519.PublicKey{testKey(1).Public().(ed25519.PublicKey)}})
	if err != nil {
		os.Exit(3)
	}
	v2, err := os.ReadFile(filepath.Join(dir, "v2.json"))
	if err != nil {
		os.Exit(3)
	}
	l.step = func(s string) error {
		if s == stage {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return nil
	}
	l.Activate(context.Background(), v2)
	os.Exit(4)
}

// A Put cut off by a power loss leaves a temporary file; reopening the
// store removes it, and the blob is not considered present.
func TestLeftoverTempRemovedAtOpen(t *testing.T) {
	dir := t.TempDir()
	const sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
	os.MkdirAll(filepath.Join(dir, sha[:2]), 0o755)
	tmp := filepath.Join(dir, sha[:2], ".tmp-12345")
	if err := os.WriteFile(tmp, []byte("hel"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := OpenBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("leftover temporary file still there: %v", err)
	}
	if b.Has(sha) {
		t.Error("a half-written blob counts as present")
	}
}
