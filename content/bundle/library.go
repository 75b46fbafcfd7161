package bundle

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// Library is the kiosk's installed content: a blob store, the signed
// manifests it has activated and a pointer to the active one.
//
//	dir/blobs/ab/abcdef…        blobs by SHA-256
//	dir/manifests/<sha>.json    signed manifests, named by their own SHA-256
//	dir/active                  the SHA-256 of the active signed manifest
//
// Only the rename that replaces dir/active switches catalogues.
type Library struct {
	dir     string
	blobs   *Blobs
	trusted []ed25519.PublicKey
	check   func(fs.FS) error

	mu sync.Mutex // one activation at a time

	keysMu sync.RWMutex

	// step, when set by tests, runs after each stage of Activate; an error
	// stops the activation there, as a power cut would.
	step func(stage string) error
}

// Options configure a Library.
type Options struct {
	// Trusted are the publishing keys whose bundles may be activated: the
	// hub's key after enrolment, and any configured in content.trusted_keys.
	Trusted []ed25519.PublicKey
	// Check, if set, validates the bundle's files before the switch (the
	// kiosk passes the course checker); a bundle it rejects is not activated.
	Check func(fs.FS) error
}

// OpenLibrary opens (creating if needed) the library in dir.
func OpenLibrary(dir string, opts Options) (*Library, error) {
	if err := os.MkdirAll(filepath.Join(dir, "manifests"), 0o755); err != nil {
		return nil, fmt.Errorf("bundle: library: %w", err)
	}
	blobs, err := OpenBlobs(filepath.Join(dir, "blobs"))
	if err != nil {
		return nil, err
	}
	return &Library{dir: dir, blobs: blobs, trusted: opts.Trusted, check: opts.Check}, nil
}

// Trust adds publishing keys, such as the hub's key received at
// enrolment.
func (l *Library) Trust(keys ...ed25519.PublicKey) {
	l.keysMu.Lock()
	defer l.keysMu.Unlock()
	l.trusted = append(l.trusted[:len(l.trusted):len(l.trusted)], keys...)
}

func (l *Library) keys() []ed25519.PublicKey {
	l.keysMu.RLock()
	defer l.keysMu.RUnlock()
	return l.trusted
}

// Blobs returns the library's blob store, for the sync client to fill.
func (l *Library) Blobs() *Blobs { return l.blobs }

// Missing verifies the signed manifest and returns the blobs it lists that
// the store lacks: what the sync client must fetch before Activate.
func (l *Library) Missing(signed []byte) ([]File, error) {
	m, err := Verify(signed, l.keys())
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range m.Blobs() {
		if !l.blobs.Has(f.SHA256) {
			out = append(out, f)
		}
	}
	return out, nil
}

// Activate verifies the signed manifest and every blob it lists (hash and
// size), runs the content check, and only then makes it the active
// catalogue. On any error the active catalogue is unchanged. A manifest
// with a lower version than the active one is refused with ErrOlder;
// activating the active manifest again is a no-op.
func (l *Library) Activate(ctx context.Context, signed []byte) (*Manifest, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, err := Verify(signed, l.keys())
	if err != nil {
		return nil, err
	}
	id := hashOf(signed)
	cur, curID, err := l.active()
	switch {
	case errors.Is(err, ErrNoBundle):
	case err != nil:
		// A damaged active pointer must not block a good new bundle.
	case curID == id:
		return m, nil
	case m.Version < cur.Version:
		return nil, fmt.Errorf("%w: version %d, active is %d", ErrOlder, m.Version, cur.Version)
	}
	if err := VerifyBlobs(ctx, l.blobs, m); err != nil {
		return nil, err
	}
	if err := l.stage("verified"); err != nil {
		return nil, err
	}
	if l.check != nil {
		if err := l.check(newFS(l.blobs, m)); err != nil {
			return nil, fmt.Errorf("bundle: content check: %w", err)
		}
	}
	mpath := filepath.Join(l.dir, "manifests", id+".json")
	if err := atomicfile.WriteFile(mpath, signed, 0o644); err != nil {
		return nil, fmt.Errorf("bundle: save manifest: %w", err)
	}
	if err := l.stage("manifest-saved"); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(l.dir, "active"), []byte(id+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("bundle: switch: %w", err)
	}
	if err := l.stage("switched"); err != nil {
		return m, err
	}
	// Keep the blobs of the new and the previous catalogue; drop the rest.
	keep := map[string]bool{}
	for _, f := range m.Files {
		keep[f.SHA256] = true
	}
	if cur != nil {
		for _, f := range cur.Files {
			keep[f.SHA256] = true
		}
	}
	l.cleanManifests(id, curID)
	_ = l.blobs.Remove(keep) // leftovers cost space, not correctness
	return m, nil
}

func (l *Library) stage(s string) error {
	if l.step == nil {
		return nil
	}
	return l.step(s)
}

func (l *Library) cleanManifests(keep ...string) {
	entries, _ := os.ReadDir(filepath.Join(l.dir, "manifests"))
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".json")
		kept := false
		for _, k := range keep {
			kept = kept || k == id
		}
		if !kept {
			os.Remove(filepath.Join(l.dir, "manifests", e.Name()))
		}
	}
}

// Active returns the active manifest and a read-only file system over its
// files, or ErrNoBundle. The manifest's signature is checked again, so a
// pointer or manifest damaged on disk is reported rather than trusted.
func (l *Library) Active() (*Manifest, fs.FS, error) {
	m, _, err := l.active()
	if err != nil {
		return nil, nil, err
	}
	return m, newFS(l.blobs, m), nil
}

// ActiveSigned returns the active signed manifest's bytes, for a kiosk to
// offer its catalogue to a LAN sibling (which verifies it itself), or
// ErrNoBundle.
func (l *Library) ActiveSigned() ([]byte, error) {
	_, id, err := l.active()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(l.dir, "manifests", id+".json"))
}

func (l *Library) active() (*Manifest, string, error) {
	b, err := os.ReadFile(filepath.Join(l.dir, "active"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", ErrNoBundle
	}
	if err != nil {
		return nil, "", fmt.Errorf("bundle: read active: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if !ValidHash(id) {
		return nil, "", fmt.Errorf("%w: active pointer %q", ErrMalformed, id)
	}
	signed, err := os.ReadFile(filepath.Join(l.dir, "manifests", id+".json"))
	if err != nil {
		return nil, "", fmt.Errorf("bundle: read active manifest: %w", err)
	}
	if hashOf(signed) != id {
		return nil, "", fmt.Errorf("%w: active manifest %s", ErrHashMismatch, id)
	}
	m, err := Verify(signed, l.keys())
	if err != nil {
		return nil, "", err
	}
	return m, id, nil
}

// VerifyBlobs re-hashes every blob the manifest lists, on all CPUs, and
// returns the first problem: ErrMissingBlob, ErrTruncated or
// ErrHashMismatch, naming the file.
func VerifyBlobs(ctx context.Context, blobs *Blobs, m *Manifest) error {
	files := m.Blobs()
	work := make(chan File)
	errc := make(chan error, len(files))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				errc <- blobs.Check(f)
			}
		}()
	}
	var err error
feed:
	for _, f := range files {
		select {
		case work <- f:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errc)
	for e := range errc {
		if e != nil && err == nil {
			err = e
		}
	}
	return err
}

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
