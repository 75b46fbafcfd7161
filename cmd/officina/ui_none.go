//go:build !cgo

package main

import (
	"context"
	"errors"

	"github.com/officina-digitale/officina/kiosk/status"
)

var errNoUI = errors.New("the touchscreen UI is not built into this binary (built without cgo)")

// runUI opens the window and blocks until it closes or ctx is done.
func runUI(ctx context.Context, k *kiosk, st *status.Server) error { return errNoUI }

func screenshotsCmd(ctx context.Context, e *env, args []string) error { return errNoUI }

func uiBenchCmd(ctx context.Context, e *env, args []string) error { return errNoUI }
