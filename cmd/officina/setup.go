package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/store"
)

// common holds the flags every subcommand takes.
type common struct {
	configPath string
	dataDir    string
	sets       multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", "", "configuration file (default: $OFFICINA_CONFIG, ~/.config/officina/officina.toml, /etc/officina/officina.toml)")
	fs.StringVar(&c.dataDir, "data", "", "data directory (overrides data_dir)")
	fs.Var(&c.sets, "set", "override one configuration key, as key=value (repeatable)")
}

// load resolves the configuration: defaults, then the file, then OFFICINA_*
// variables, then flags.
func (c *common) load(e *env) (config.Config, error) {
	path := c.configPath
	if path == "" {
		path = lookupEnv(e.environ, "OFFICINA_CONFIG")
	}
	if path == "" {
		path = config.DefaultPath()
	}
	cfg, err := config.Load(path)
	if err != nil {
		return cfg, err
	}
	if err := cfg.ApplyEnv(e.environ); err != nil {
		return cfg, err
	}
	for _, kv := range c.sets {
		k, v, ok := cutEq(kv)
		if !ok {
			return cfg, fmt.Errorf("%w: --set wants key=value, got %q", errUsage, kv)
		}
		if err := cfg.Set(k, v); err != nil {
			return cfg, err
		}
	}
	if c.dataDir != "" {
		cfg.DataDir = c.dataDir
	}
	return cfg, cfg.Validate()
}

func cutEq(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

func lookupEnv(environ []string, name string) string {
	for _, kv := range environ {
		if k, v, ok := cutEq(kv); ok && k == name {
			return v
		}
	}
	return ""
}

func newLogger(cfg config.Config, e *env) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// kiosk is the set of opened resources a subcommand works with.
type kiosk struct {
	cfg   config.Config
	log   *slog.Logger
	clock clock.Clock
	id    *identity.Identity
	store *store.Store

	content  *contentArea
	records  *recordsArea
	hardware *hardwareArea
	sync     *syncArea
}

// openKiosk opens the device identity and the store in cfg.DataDir.
func openKiosk(ctx context.Context, cfg config.Config, log *slog.Logger) (*kiosk, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", cfg.DataDir, err)
	}
	id, err := identity.LoadOrCreate(cfg.DataDir, nil)
	if err != nil {
		return nil, err
	}
	clk := clock.System{}
	st, err := store.Open(ctx, filepath.Join(cfg.DataDir, "officina.db"), id.ID, store.Options{
		Clock: clk, Logger: log, Schemas: schemas(),
	})
	if err != nil {
		return nil, err
	}
	k := &kiosk{cfg: cfg, log: log, clock: clk, id: id, store: st}
	if k.content, err = openContent(ctx, k); err == nil {
		if k.records, err = openRecords(ctx, k); err == nil {
			if k.hardware, err = openHardware(ctx, k); err == nil {
				k.sync, err = openSync(ctx, k)
			}
		}
	}
	if err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// Close closes the areas in reverse order of opening, then the store.
func (k *kiosk) Close() error {
	var errs []error
	if k.sync != nil {
		errs = append(errs, k.sync.Close())
	}
	if k.hardware != nil {
		errs = append(errs, k.hardware.Close())
	}
	if k.records != nil {
		errs = append(errs, k.records.Close())
	}
	if k.content != nil {
		errs = append(errs, k.content.Close())
	}
	errs = append(errs, k.store.Close())
	return errors.Join(errs...)
}
