package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

const publishUsage = "content publish [--name N] [--version V] [--max-lesson-bytes B] DIR"

func contentCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "publish" {
		return fmt.Errorf("%w: %s", errUsage, publishUsage)
	}
	fs, data := flags("content publish", e)
	name := fs.String("name", "officina", "bundle name (for a course directory)")
	ver := fs.Int64("version", 0, "bundle version, increasing with each publication (default: the current Unix time)")
	maxLesson := fs.Int("max-lesson-bytes", course.DefaultLimits.MaxLessonBytes, "largest lesson file accepted (keep it at the kiosks' content.max_lesson_bytes or below)")
	if err := fs.Parse(interleave(fs, args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: %s", errUsage, publishUsage)
	}
	h, err := open(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer h.store.Close()
	dir := fs.Arg(0)
	v, m, err := publish(ctx, e, h, dir, *name, *ver, course.Limits{MaxLessonBytes: *maxLesson, MaxMetaBytes: course.DefaultLimits.MaxMetaBytes})
	if err != nil {
		return err
	}
	if m != nil {
		fmt.Fprintf(e.stdout, "published %s version %d (%d files, %d bytes) as catalogue version %d (manifest sha256 %s)\n",
			m.Name, m.Version, len(m.Files), m.TotalSize(), v.Version, v.SHA256[:16])
	} else {
		fmt.Fprintf(e.stdout, "published catalogue version %d (manifest sha256 %s)\n", v.Version, v.SHA256[:16])
	}
	return nil
}

// publish puts DIR on the hub, in one of three forms:
//   - a course directory (meta.toml files): checked with the course checker
//     (every problem reported with file:line, nothing published if there is
//     one), packed and signed with the hub's content key;
//   - a bundle packed by `officina content pack` (manifest.json and
//     blobs/): its signature must be the hub's, the key kiosks trust;
//   - a hub-format bundle (manifest and flat blobs/<sha256>).
func publish(ctx context.Context, e *env, h *opened, dir, name string, version int64, lim course.Limits) (wire.Versioned, *bundle.Manifest, error) {
	trusted := []ed25519.PublicKey{h.keys.Signing.Public().(ed25519.PublicKey)}
	if _, err := os.Stat(filepath.Join(dir, "manifest")); err == nil {
		v, err := hub.PublishDir(ctx, h.store, h.blobs, dir, func(signed []byte) ([]string, error) {
			m, err := bundle.Verify(signed, trusted)
			if err != nil {
				return nil, fmt.Errorf("%w (kiosks trust only this hub's key: publish the course directory and the hub signs it)", err)
			}
			var sums []string
			for _, f := range m.Blobs() {
				sums = append(sums, f.SHA256)
			}
			return sums, nil
		}, time.Now())
		return v, nil, err
	}
	var signed []byte
	var src *bundle.Blobs
	if b, err := os.ReadFile(filepath.Join(dir, "manifest.json")); err == nil {
		signed = b
		if src, err = bundle.OpenBlobs(filepath.Join(dir, "blobs")); err != nil {
			return wire.Versioned{}, nil, err
		}
	} else {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return wire.Versioned{}, nil, fmt.Errorf("content publish: %s is not a directory", dir)
		}
		_, probs := course.LoadAll(os.DirFS(dir), lim)
		for _, p := range probs {
			p.File = filepath.Join(dir, p.File)
			fmt.Fprintln(e.stderr, p.String())
		}
		if len(probs) > 0 {
			return wire.Versioned{}, nil, fmt.Errorf("content publish: %d problems in %s; nothing published", len(probs), dir)
		}
		tmp, err := os.MkdirTemp(h.dir, "pack-")
		if err != nil {
			return wire.Versioned{}, nil, err
		}
		defer os.RemoveAll(tmp)
		if src, err = bundle.OpenBlobs(tmp); err != nil {
			return wire.Versioned{}, nil, err
		}
		if version == 0 {
			version = time.Now().Unix()
		}
		m, err := bundle.Pack(os.DirFS(dir), src, name, version, time.Now())
		if err != nil {
			return wire.Versioned{}, nil, err
		}
		if signed, err = bundle.Sign(m, h.keys.Signing); err != nil {
			return wire.Versioned{}, nil, err
		}
	}
	m, err := bundle.Verify(signed, trusted)
	if err != nil {
		return wire.Versioned{}, nil, fmt.Errorf("content publish: %w (kiosks trust only this hub's key: publish the course directory and the hub signs it)", err)
	}
	if cur, old, err := h.store.Content(ctx); err != nil {
		return wire.Versioned{}, nil, err
	} else if old != nil && cur.Version > 0 {
		if prev, err := bundle.Verify(old, trusted); err == nil && prev.Version >= m.Version {
			return wire.Versioned{}, nil, fmt.Errorf("content publish: version %d is not newer than the published %d; kiosks would refuse it (give --version)", m.Version, prev.Version)
		}
	}
	// Every blob goes into the hub's store verified (the blob store checks the
	// hash) before the manifest is published, so kiosks never see a
	// manifest whose blobs the hub cannot serve.
	for _, f := range m.Blobs() {
		if h.blobs.Has(f.SHA256) {
			continue
		}
		r, err := src.Open(f.SHA256)
		if err != nil {
			return wire.Versioned{}, nil, fmt.Errorf("content publish %s: %w", f.Path, err)
		}
		err = h.blobs.Put(f.SHA256, io.LimitReader(r, f.Size+1))
		r.Close()
		if err != nil {
			return wire.Versioned{}, nil, fmt.Errorf("content publish %s: %w", f.Path, err)
		}
	}
	v, err := h.store.PublishContent(ctx, signed, time.Now())
	return v, m, err
}

// interleave moves flags before positional arguments, so that
// `content publish DIR --version 3` works as people type it.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if f := fs.Lookup(trimDashes(a)); f != nil && !isBool(f) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func trimDashes(a string) string {
	for len(a) > 0 && a[0] == '-' {
		a = a[1:]
	}
	for i := 0; i < len(a); i++ {
		if a[i] == '=' {
			return "" // value attached: nothing to take from the next argument
		}
	}
	return a
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
