package main

// Content: the catalogue, `content list|check|pack|keygen|install`.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/content/catalog"
	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/learning"
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func contentCommands() []command {
	return []command{{"content", "content list | check DIR | pack DIR | keygen FILE | install DIR: the course and guide catalogue", contentCmd}}
}

func contentServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	a := k.content
	reg.GaugeFunc("officina_content_items", "Courses and guides in the catalogue being shown.", func() float64 {
		if c := a.Catalog(); c != nil {
			return float64(len(c.Items()))
		}
		return 0
	})
	st.AddSection("content", func(ctx context.Context) (any, error) {
		out := map[string]any{}
		if c := a.Catalog(); c != nil {
			out["source"], out["items"] = c.Source, len(c.Items())
		}
		if err := a.Problem(); err != nil {
			out["problem"] = err.Error()
		}
		return out, nil
	})
	return nil // no loop of its own: the sync client activates bundles and calls Reload
}

func contentSchemas() []store.Schema { return []store.Schema{learning.Schema()} }

// contentArea holds what the content area opens for a running kiosk; the UI and the
// services reach it through k.content.
type contentArea struct {
	lib     *bundle.Library
	limits  course.Limits
	catalog atomic.Pointer[catalog.Catalog]
	// retired is the catalogue replaced by the last Reload, kept open so
	// that a screen still holding it can finish; the next Reload closes it.
	retired *catalog.Catalog
	mu      sync.Mutex // serialises Reload
	// Learning records learners' progress, quizzes and certificates.
	Learning *learning.Book
	problem  atomic.Pointer[error]
}

// Problem is why the active bundle could not be shown, if it could not
// (the built-in catalogue is shown instead); doctor and /status report it.
func (a *contentArea) Problem() error {
	if p := a.problem.Load(); p != nil {
		return *p
	}
	return nil
}

func openContent(ctx context.Context, k *kiosk) (*contentArea, error) {
	lib, err := openLibrary(k.cfg)
	if err != nil {
		return nil, err
	}
	a := &contentArea{lib: lib, limits: course.Limits{MaxLessonBytes: k.cfg.Content.MaxLessonBytes}}
	dep, err := loadDeployment(k.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	// Card numbers are hashed under a key derived from the deployment
	// secret once enrolled, the same on every kiosk of the deployment;
	// before enrolment from the device key (sync_deployment.go).
	seed := k.id.Private().Seed()
	if a.Learning, err = learning.New(k.store, cardKey(dep, seed), nil); err != nil {
		return nil, err
	}
	if dep != nil {
		// Cards registered before enrolment are still recognised.
		a.Learning.AcceptPrevious(cardKey(nil, seed))
	}
	if err := a.Reload(ctx); err != nil && a.Catalog() == nil {
		return nil, err
	} else if err != nil {
		k.log.Warn("content", "problem", err)
	}
	return a, nil
}

// Catalog returns the catalogue being shown.
func (a *contentArea) Catalog() *catalog.Catalog { return a.catalog.Load() }

// Library returns the installed bundles, for the sync client: it fetches
// the blobs Library().Missing(signed) lists into Library().Blobs(), calls
// Library().Activate(ctx, signed) and then Reload.
func (a *contentArea) Library() *bundle.Library { return a.lib }

// Reload loads the active bundle (or the built-in catalogue) and swaps it
// in for the UI.
func (a *contentArea) Reload(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, err := catalog.Open(ctx, a.lib, a.limits)
	if c != nil {
		old := a.catalog.Swap(c)
		if a.retired != nil {
			a.retired.Close()
		}
		a.retired = old
	}
	if err != nil {
		a.problem.Store(&err)
	} else {
		a.problem.Store(nil)
	}
	return err
}

func (a *contentArea) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	if c := a.catalog.Swap(nil); c != nil {
		errs = append(errs, c.Close())
	}
	if a.retired != nil {
		errs = append(errs, a.retired.Close())
		a.retired = nil
	}
	return errors.Join(errs...)
}

// openLibrary opens data_dir/content with the configured trusted keys.
func openLibrary(cfg config.Config) (*bundle.Library, error) {
	var keys []ed25519.PublicKey
	for _, s := range cfg.Content.Keys() {
		k, err := bundle.ParseKey(s)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	// After enrolment the hub's publishing key signs the catalogue.
	dep, err := loadDeployment(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if dep != nil {
		keys = append(keys, dep.hubKey)
	}
	lim := course.Limits{MaxLessonBytes: cfg.Content.MaxLessonBytes}
	return bundle.OpenLibrary(filepath.Join(cfg.DataDir, "content"), bundle.Options{
		Trusted: keys,
		Check: func(fsys iofs.FS) error {
			_, probs := course.LoadAll(fsys, lim)
			return probs.Err()
		},
	})
}

const contentUsage = `officina content list [--lang L]       print the active catalogue
officina content check DIR              report every problem in a content directory
officina content pack DIR --key FILE --out OUT [--name N] [--version V]
                                        check, pack and sign a bundle
officina content keygen FILE            create a publishing key
officina content install OUT            verify and activate a packed bundle on this kiosk`

func contentCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", errUsage, contentUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("content "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	lang := fs.String("lang", "", "language of the titles (default: the configured language)")
	key := fs.String("key", "", "publishing key file (pack)")
	out := fs.String("out", "", "output directory (pack)")
	name := fs.String("name", "officina", "bundle name (pack)")
	ver := fs.Int64("version", 0, "bundle version, increasing with each publication (pack; default: the current Unix time)")
	if err := fs.Parse(interleave(args)); err != nil {
		return err
	}
	pos := fs.Args()
	need := func(n int) error {
		if len(pos) != n {
			return fmt.Errorf("%w:\n%s", errUsage, contentUsage)
		}
		return nil
	}
	switch sub {
	case "list":
		if err := need(0); err != nil {
			return err
		}
		cfg, err := c.load(e)
		if err != nil {
			return err
		}
		if *lang == "" {
			*lang = cfg.Language
		}
		return contentList(ctx, e, cfg, *lang)
	case "check":
		if err := need(1); err != nil {
			return err
		}
		cfg, err := c.load(e)
		if err != nil {
			return err
		}
		return contentCheck(e, pos[0], course.Limits{MaxLessonBytes: cfg.Content.MaxLessonBytes})
	case "pack":
		if err := need(1); err != nil {
			return err
		}
		if *key == "" || *out == "" {
			return fmt.Errorf("%w: content pack needs --key FILE and --out DIR", errUsage)
		}
		v := *ver
		if v == 0 {
			v = time.Now().Unix()
		}
		cfg, err := c.load(e)
		if err != nil {
			return err
		}
		return contentPack(e, pos[0], *key, *out, *name, v, course.Limits{MaxLessonBytes: cfg.Content.MaxLessonBytes})
	case "keygen":
		if err := need(1); err != nil {
			return err
		}
		k, err := bundle.NewKeyFile(pos[0], rand.Reader)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created %s\npublic key (put it in content.trusted_keys): %s\n", pos[0], bundle.KeyString(k.Public().(ed25519.PublicKey)))
		return nil
	case "install":
		if err := need(1); err != nil {
			return err
		}
		cfg, err := c.load(e)
		if err != nil {
			return err
		}
		return contentInstall(ctx, e, cfg, pos[0])
	}
	return fmt.Errorf("%w: unknown content command %q\n%s", errUsage, sub, contentUsage)
}

// interleave moves flags before positional arguments, so that
// `content pack DIR --key K` works as people type it.
func interleave(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func contentList(ctx context.Context, e *env, cfg config.Config, lang string) error {
	lib, err := openLibrary(cfg)
	if err != nil {
		return err
	}
	cat, err := catalog.Open(ctx, lib, course.Limits{MaxLessonBytes: cfg.Content.MaxLessonBytes})
	if cat == nil {
		return err
	}
	defer cat.Close()
	if err != nil {
		fmt.Fprintln(e.stderr, "officina: warning:", err)
	}
	fmt.Fprintf(e.stdout, "catalogue: %s, %d items\n\n", cat.Source, len(cat.Items()))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tLANGUAGES\tDIGCOMP\tLEVEL\tTITLE")
	for _, it := range cat.List(lang) {
		title := it.Title
		if it.Fallback {
			title += " (it)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", it.ID, it.Kind, strings.Join(it.Languages, ","), strings.Join(it.DigComp, ","), it.Level, title)
	}
	return tw.Flush()
}

func contentCheck(e *env, dir string, lim course.Limits) error {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("content check: %s is not a directory", dir)
	}
	items, probs := course.LoadAll(os.DirFS(dir), lim)
	for _, p := range probs {
		p.File = filepath.Join(dir, p.File)
		fmt.Fprintln(e.stdout, p.String())
	}
	if len(probs) > 0 {
		return fmt.Errorf("content check: %d problems in %s", len(probs), dir)
	}
	var courses, guides int
	for _, it := range items {
		if it.Kind == course.KindCourse {
			courses++
		} else {
			guides++
		}
	}
	fmt.Fprintf(e.stdout, "%s: %d courses and %d guides, no problems\n", dir, courses, guides)
	return nil
}

func contentPack(e *env, dir, keyFile, out, name string, version int64, lim course.Limits) error {
	if err := contentCheck(e, dir, lim); err != nil {
		return fmt.Errorf("%w; not packing", err)
	}
	key, err := bundle.LoadKeyFile(keyFile)
	if err != nil {
		return err
	}
	blobs, err := bundle.OpenBlobs(filepath.Join(out, "blobs"))
	if err != nil {
		return err
	}
	m, err := bundle.Pack(os.DirFS(dir), blobs, name, version, time.Now())
	if err != nil {
		return err
	}
	signed, err := bundle.Sign(m, key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), signed, 0o644); err != nil {
		return fmt.Errorf("content pack: %w", err)
	}
	fmt.Fprintf(e.stdout, "packed %s version %d: %d files, %d bytes, into %s\nsigned by %s\n",
		name, version, len(m.Files), m.TotalSize(), out, bundle.KeyString(key.Public().(ed25519.PublicKey)))
	return nil
}

func contentInstall(ctx context.Context, e *env, cfg config.Config, dir string) error {
	signed, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return fmt.Errorf("content install: %w", err)
	}
	lib, err := openLibrary(cfg)
	if err != nil {
		return err
	}
	if err := lib.Import(signed, filepath.Join(dir, "blobs")); err != nil {
		return fmt.Errorf("content install: %w", err)
	}
	m, err := lib.Activate(ctx, signed)
	if err != nil {
		return fmt.Errorf("content install: %w", err)
	}
	fmt.Fprintf(e.stdout, "activated %s version %d (%d files)\n", m.Name, m.Version, len(m.Files))
	return nil
}
