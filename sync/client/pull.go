package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/officina-digitale/officina/sync/wire"
)

// BlobStore holds content blobs by SHA-256 (hex). Put must verify the hash
// and keep nothing on a mismatch. The content area's bundle store
// implements it; bundle.Blobs, the content store, is one.
type BlobStore interface {
	Has(sha256 string) bool
	Put(sha256 string, r io.Reader) error
}

// Blob names one blob a manifest lists.
type Blob struct {
	SHA256 string
	Size   int64
}

// Catalogue is where a downloaded manifest goes: Blobs checks its
// signature and lists the blobs it needs; Activate switches to it once they
// are all present.
type Catalogue interface {
	Blobs(manifest []byte) ([]Blob, error)
	Activate(ctx context.Context, manifest []byte) error
}

// RosterApplier takes a new staff roster (PIN hashes only).
type RosterApplier interface {
	ApplyRoster(ctx context.Context, r wire.Roster) error
}

// SettingsApplier takes new site settings.
type SettingsApplier interface {
	ApplySettings(ctx context.Context, c wire.SiteConfig) error
}

// BlobSource is somewhere other than the hub that may have a blob: a LAN
// sibling. What it returns is verified before use.
type BlobSource interface {
	OpenBlob(ctx context.Context, sha256 string) (io.ReadCloser, error)
	String() string
}

// Pull fetches the hub's state for this kiosk and applies each part whose
// version is newer than the one applied. When nothing changed it costs one
// small request (a 304). It reports whether anything was applied.
func (c *Client) Pull(ctx context.Context) (bool, error) {
	// The saved ETag is only valid for the same set of appliers: a kiosk
	// that gains a catalogue after an upgrade must fetch the state again.
	wired := fmt.Sprintf("r%t,s%t,c%t ", c.o.Roster != nil, c.o.Settings != nil, c.o.Catalogue != nil && c.o.Blobs != nil)
	saved, err := c.get(ctx, "state_etag")
	if err != nil {
		return false, err
	}
	var etag []byte
	if rest, ok := bytes.CutPrefix(saved, []byte(wired)); ok {
		etag = rest
	}
	last, _ := c.o.Store.LastSeq(ctx)
	acked, _ := c.o.Store.Acked(ctx, Dest)
	resp, err := c.do(ctx, http.MethodGet, wire.PathState, nil, last-acked, func(h http.Header) {
		if etag != nil {
			h.Set("If-None-Match", string(etag))
		}
	})
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return false, nil
	}
	if resp.StatusCode != http.StatusOK {
		return false, wire.ReadProblem(resp)
	}
	var st wire.State
	if err := json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&st); err != nil {
		return false, fmt.Errorf("sync: reading the hub's state: %w", err)
	}
	changed := false
	var errs []error
	apply := func(key string, version int64, fn func() error) {
		have, err := c.getUint(ctx, key)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if version <= int64(have) {
			return
		}
		if err := fn(); err != nil {
			errs = append(errs, err)
			return
		}
		if err := c.setUint(ctx, key, uint64(version)); err != nil {
			errs = append(errs, err)
			return
		}
		changed = true
	}
	// Without an applier a part is kept raw under its own version key, so
	// an applier wired later still receives the current version.
	if c.o.Roster != nil {
		apply("roster_version", st.Roster.Version, func() error { return c.o.Roster.ApplyRoster(ctx, st.Roster) })
	} else {
		apply("roster_raw_version", st.Roster.Version, func() error {
			b, _ := json.Marshal(st.Roster)
			return c.set(ctx, "roster", b)
		})
	}
	if c.o.Settings != nil {
		apply("settings_version", st.Config.Version, func() error { return c.o.Settings.ApplySettings(ctx, st.Config) })
	} else {
		apply("settings_raw_version", st.Config.Version, func() error {
			b, _ := json.Marshal(st.Config)
			return c.set(ctx, "settings", b)
		})
	}
	apply("notices_version", st.Notices.Version, func() error {
		b, _ := json.Marshal(st.Notices)
		return c.set(ctx, "notices", b)
	})
	if c.o.Catalogue != nil && c.o.Blobs != nil {
		apply("content_version", st.Content.Version, func() error { return c.pullContent(ctx, st.Content) })
	}
	if err := errors.Join(errs...); err != nil {
		return changed, err // the ETag is not saved: the next pull retries
	}
	if tag := resp.Header.Get("ETag"); tag != "" {
		if err := c.set(ctx, "state_etag", []byte(wired+tag)); err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// Notices returns the hub's notices active at t, for the UI.
func (c *Client) Notices(ctx context.Context, t time.Time) ([]wire.Notice, error) {
	return activeNotices(ctx, c, t)
}

type kvGetter interface {
	get(ctx context.Context, key string) ([]byte, error)
}

// activeNotices reads the stored notices active at t.
func activeNotices(ctx context.Context, c kvGetter, t time.Time) ([]wire.Notice, error) {
	b, err := c.get(ctx, "notices")
	if err != nil || b == nil {
		return nil, err
	}
	var ns wire.Notices
	if err := json.Unmarshal(b, &ns); err != nil {
		return nil, fmt.Errorf("sync: stored notices: %w", err)
	}
	var out []wire.Notice
	for _, n := range ns.Items {
		if n.Active(t) {
			out = append(out, n)
		}
	}
	return out, nil
}

// Roster returns the last roster received when no RosterApplier is set.
func (c *Client) Roster(ctx context.Context) (wire.Roster, error) {
	var r wire.Roster
	b, err := c.get(ctx, "roster")
	if err != nil || b == nil {
		return r, err
	}
	return r, json.Unmarshal(b, &r)
}

func (c *Client) pullContent(ctx context.Context, v wire.Versioned) error {
	resp, err := c.do(ctx, http.MethodGet, wire.PathManifest, nil, 0, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return wire.ReadProblem(resp)
	}
	manifest, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("sync: download manifest: %w", err)
	}
	sum := sha256.Sum256(manifest)
	if v.SHA256 != "" && hex.EncodeToString(sum[:]) != v.SHA256 {
		return fmt.Errorf("sync: manifest download corrupt (sha256 %x, want %s)", sum[:8], v.SHA256[:16])
	}
	blobs, err := c.o.Catalogue.Blobs(manifest)
	if err != nil {
		return fmt.Errorf("sync: manifest version %d refused: %w", v.Version, err)
	}
	for _, b := range blobs {
		if c.o.Blobs.Has(b.SHA256) {
			continue
		}
		if err := c.FetchBlob(ctx, b); err != nil {
			return err
		}
	}
	return c.o.Catalogue.Activate(ctx, manifest)
}

// FetchBlob gets one blob into the blob store: from each sibling in turn,
// then from the hub, resuming an interrupted hub download with a Range
// request. A blob whose bytes do not match its hash is discarded and the
// next source is tried.
func (c *Client) FetchBlob(ctx context.Context, b Blob) error {
	var errs []error
	var siblings []BlobSource
	if c.o.Siblings != nil {
		siblings = c.o.Siblings()
	}
	for _, s := range siblings {
		rc, err := s.OpenBlob(ctx, b.SHA256)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s, err))
			continue
		}
		err = c.o.Blobs.Put(b.SHA256, io.LimitReader(rc, b.Size+1))
		rc.Close()
		if err == nil {
			return nil
		}
		c.o.Logger.Warn("blob from sibling rejected", "sibling", s.String(), "blob", b.SHA256, "err", err)
		errs = append(errs, fmt.Errorf("%s: %w", s, err))
	}
	if err := c.fetchFromHub(ctx, b); err != nil {
		return errors.Join(append(errs, err)...)
	}
	return nil
}

func (c *Client) partialPath(sum string) string {
	dir := c.o.PartialDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "officina-partial-"+c.o.Identity.ID)
	}
	return filepath.Join(dir, sum+".part")
}

func (c *Client) fetchFromHub(ctx context.Context, b Blob) error {
	path := c.partialPath(b.SHA256)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("sync: partial downloads: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sync: partial download: %w", err)
	}
	defer f.Close()
	have, _ := f.Seek(0, io.SeekEnd)
	if b.Size > 0 && have > b.Size {
		have = 0
	}
	resp, err := c.do(ctx, http.MethodGet, wire.PathBlobs+b.SHA256, nil, 0, func(h http.Header) {
		if have > 0 {
			h.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		}
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK:
		have = 0
	case http.StatusRequestedRangeNotSatisfiable:
		have = 0
		f.Truncate(0)
		return fmt.Errorf("sync: blob %s: partial download was longer than the blob; starting again", b.SHA256[:12])
	default:
		return wire.ReadProblem(resp)
	}
	if err := f.Truncate(have); err != nil {
		return err
	}
	if _, err := f.Seek(have, io.SeekStart); err != nil {
		return err
	}
	limit := int64(1 << 40)
	if b.Size > 0 {
		limit = b.Size - have + 1
	}
	if _, err := io.Copy(f, io.LimitReader(resp.Body, limit)); err != nil {
		return fmt.Errorf("sync: blob %s interrupted after %d bytes (will resume): %w", b.SHA256[:12], have, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := c.o.Blobs.Put(b.SHA256, f); err != nil {
		f.Close()
		os.Remove(path) // corrupt: start from zero next time
		return fmt.Errorf("sync: blob %s from the hub: %w", b.SHA256[:12], err)
	}
	f.Close()
	return os.Remove(path)
}
