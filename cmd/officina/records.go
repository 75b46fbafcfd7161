package main

// Records: people, consent, assistance, queue, loans, `export`.

import (
	"context"

	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func recordsCommands() []command { return nil }

func recordsServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	return nil
}

func recordsSchemas() []store.Schema { return nil }

// recordsArea holds what the records area opens for a running kiosk; the UI and the
// services reach it through k.records.
type recordsArea struct{}

func openRecords(ctx context.Context, k *kiosk) (*recordsArea, error) { return &recordsArea{}, nil }

func (a *recordsArea) Close() error { return nil }
