package hub

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/sync/wire"
)

// codeAlphabet leaves out letters and digits that are easily confused when
// read aloud or typed on a touchscreen (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewEnrolCode creates a one-time code for site, valid for ttl, such as
// "K7QF-M2XA-PR".
func NewEnrolCode(ctx context.Context, st Store, site string, ttl time.Duration, now time.Time) (string, error) {
	site = strings.TrimSpace(site)
	if site == "" {
		return "", fmt.Errorf("hub: an enrolment code needs a site (--site)")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("hub: the code's lifetime must be positive")
	}
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var sb strings.Builder
	for i, c := range b {
		if i == 4 || i == 8 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	code := sb.String()
	return code, st.AddEnrolCode(ctx, code, site, now.Add(ttl))
}

// PublishDir publishes a packed bundle directory: DIR/manifest (the signed
// manifest bytes) and DIR/blobs/<sha256>. Every blob is verified against its
// name while it is copied into the hub's blob store; nothing is published if
// one does not match. need, if not nil, lists the blobs the manifest names
// (the content package's parser); each must be present.
func PublishDir(ctx context.Context, st Store, blobs *bundle.Blobs, dir string, need func(manifest []byte) ([]string, error), now time.Time) (wire.Versioned, error) {
	manifest, err := os.ReadFile(filepath.Join(dir, "manifest"))
	if err != nil {
		return wire.Versioned{}, fmt.Errorf("hub: publish: %w (a packed bundle has a manifest file and a blobs/ directory)", err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "blobs"))
	if err != nil {
		return wire.Versioned{}, fmt.Errorf("hub: publish: %w", err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !bundle.ValidHash(name) {
			return wire.Versioned{}, fmt.Errorf("hub: publish: blobs/%s is not named by its sha256", name)
		}
		if !blobs.Has(name) {
			f, err := os.Open(filepath.Join(dir, "blobs", name))
			if err != nil {
				return wire.Versioned{}, fmt.Errorf("hub: publish: %w", err)
			}
			err = blobs.Put(name, io.Reader(f))
			f.Close()
			if err != nil {
				return wire.Versioned{}, fmt.Errorf("hub: publish blobs/%s: %w", name, err)
			}
		}
		have[name] = true
	}
	if need != nil {
		sums, err := need(manifest)
		if err != nil {
			return wire.Versioned{}, fmt.Errorf("hub: publish: manifest: %w", err)
		}
		for _, s := range sums {
			if !have[s] && !blobs.Has(s) {
				return wire.Versioned{}, fmt.Errorf("hub: publish: the manifest needs blob %s, which is not in %s", s, filepath.Join(dir, "blobs"))
			}
		}
	}
	return st.PublishContent(ctx, manifest, now)
}
