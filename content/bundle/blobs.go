package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// Blobs is a directory of files named by their SHA-256: dir/ab/abcdef….
// A blob is written once, whole, and never changed.
type Blobs struct {
	dir string
}

// OpenBlobs opens (creating if needed) the blob store in dir and removes
// temporary files left by a write that was cut off.
func OpenBlobs(dir string) (*Blobs, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bundle: blob store: %w", err)
	}
	b := &Blobs{dir: dir}
	tmps, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	for _, t := range tmps {
		os.Remove(t)
	}
	return b, nil
}

// Dir returns the store's directory.
func (b *Blobs) Dir() string { return b.dir }

func (b *Blobs) path(sha string) string { return filepath.Join(b.dir, sha[:2], sha) }

// Has reports whether the blob is present. It does not re-hash it.
func (b *Blobs) Has(sha string) bool {
	if !ValidHash(sha) {
		return false
	}
	_, err := os.Stat(b.path(sha))
	return err == nil
}

// Put stores the content of r as blob sha. It hashes while writing to a
// temporary file, and renames it into place only if the hash matches, so a
// mismatch (ErrHashMismatch) or a read error leaves nothing behind. A blob
// already present is not rewritten.
func (b *Blobs) Put(sha string, r io.Reader) error {
	if !ValidHash(sha) {
		return fmt.Errorf("bundle: put: %q is not a sha256", sha)
	}
	if b.Has(sha) {
		_, err := io.Copy(io.Discard, r)
		return err
	}
	sub := filepath.Join(b.dir, sha[:2])
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	f, err := os.CreateTemp(sub, ".tmp-*")
	if err != nil {
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		f.Close()
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		f.Close()
		return fmt.Errorf("%w: put %s: content hashes to %s", ErrHashMismatch, sha, got)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	if err := os.Chmod(tmp, 0o444); err != nil {
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	if err := os.Rename(tmp, b.path(sha)); err != nil {
		return fmt.Errorf("bundle: put %s: %w", sha, err)
	}
	return atomicfile.SyncDir(sub)
}

// Open opens blob sha for reading.
func (b *Blobs) Open(sha string) (*os.File, error) {
	if !ValidHash(sha) {
		return nil, fmt.Errorf("bundle: open: %q is not a sha256", sha)
	}
	f, err := os.Open(b.path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrMissingBlob, sha)
	}
	return f, err
}

// Check re-reads blob f.SHA256 and confirms its size and hash, naming the
// file in the error.
func (b *Blobs) Check(f File) error {
	r, err := b.Open(f.SHA256)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("bundle: %s: read blob: %w", f.Path, err)
	}
	if n != f.Size {
		return fmt.Errorf("%w: %s is %d bytes, the manifest says %d", ErrTruncated, f.Path, n, f.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("%w: %s", ErrHashMismatch, f.Path)
	}
	return nil
}

// Remove deletes every blob not in keep.
func (b *Blobs) Remove(keep map[string]bool) error {
	subs, err := os.ReadDir(b.dir)
	if err != nil {
		return fmt.Errorf("bundle: clean blobs: %w", err)
	}
	var errs []error
	for _, s := range subs {
		if !s.IsDir() || len(s.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(b.dir, s.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range files {
			if ValidHash(f.Name()) && !keep[f.Name()] && !strings.HasPrefix(f.Name(), ".") {
				if err := os.Remove(filepath.Join(b.dir, s.Name(), f.Name())); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}
