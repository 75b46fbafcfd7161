package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"

	"github.com/officina-digitale/officina/kiosk/identity"
)

func versionCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	id, err := identity.LoadOrCreate(cfg.DataDir, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "officina %s (%s, %s/%s)\ndevice %s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, id.ID)
	return nil
}

func configCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "show" {
		return fmt.Errorf("%w: officina config show [--config FILE] [--data DIR] [--set key=value]", errUsage)
	}
	fs := flag.NewFlagSet("config show", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	b, err := cfg.TOML()
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b)
	return err
}
