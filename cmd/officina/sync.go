package main

// Sync: hub client, enrolment, LAN discovery, `enroll`.

import (
	"context"

	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func syncCommands() []command { return nil }

func syncServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	return nil
}

func syncSchemas() []store.Schema { return nil }

// syncArea holds what the sync area opens for a running kiosk; the UI and the
// services reach it through k.sync.
type syncArea struct{}

func openSync(ctx context.Context, k *kiosk) (*syncArea, error) { return &syncArea{}, nil }

func (a *syncArea) Close() error { return nil }
