// Package blobdir is a content-addressed directory of blobs named by their
// SHA-256. Put verifies the hash before a blob becomes visible, so a
// truncated or corrupt transfer never lands. The hub keeps published
// content in one; kiosk tests use it as the blob store.
package blobdir

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// ErrMismatch means the bytes given to Put do not hash to the name.
var ErrMismatch = errors.New("blobdir: content does not match its sha256")

// Dir is a blob directory.
type Dir struct{ root string }

// Open returns the directory at root, creating it.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("blobdir: %w", err)
	}
	return &Dir{root: root}, nil
}

// ValidName reports whether s is a lower-case hex SHA-256.
func ValidName(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Path returns where the blob sum lives (whether or not it exists).
func (d *Dir) Path(sum string) string { return filepath.Join(d.root, sum) }

// Has reports whether the blob is present.
func (d *Dir) Has(sum string) bool {
	if !ValidName(sum) {
		return false
	}
	_, err := os.Stat(d.Path(sum))
	return err == nil
}

// Put stores the bytes of r as blob sum if they hash to sum; otherwise it
// keeps nothing and returns ErrMismatch.
func (d *Dir) Put(sum string, r io.Reader) error {
	if !ValidName(sum) {
		return fmt.Errorf("blobdir: %q is not a sha256", sum)
	}
	tmp, err := os.CreateTemp(d.root, ".put-*")
	if err != nil {
		return fmt.Errorf("blobdir: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), r); err != nil {
		tmp.Close()
		return fmt.Errorf("blobdir: write %s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		tmp.Close()
		return fmt.Errorf("%w: want %s, got %s", ErrMismatch, sum, got)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("blobdir: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("blobdir: %w", err)
	}
	if err := os.Rename(tmp.Name(), d.Path(sum)); err != nil {
		return fmt.Errorf("blobdir: %w", err)
	}
	return atomicfile.SyncDir(d.root)
}

// Open opens blob sum for reading.
func (d *Dir) Open(sum string) (*os.File, error) {
	if !ValidName(sum) {
		return nil, fmt.Errorf("blobdir: %q is not a sha256: %w", sum, os.ErrNotExist)
	}
	return os.Open(d.Path(sum))
}
