package main

import (
	"context"
	"errors"

	"github.com/officina-digitale/officina/kiosk/status"
)

var errNoUI = errors.New("the touchscreen UI is not built into this binary")

// runUI opens the window and blocks until it closes or ctx is done.
func runUI(ctx context.Context, k *kiosk, st *status.Server) error { return errNoUI }
