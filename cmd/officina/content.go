package main

// Content: the catalogue, `content list|check|pack`.

import (
	"context"

	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func contentCommands() []command { return nil }

func contentServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	return nil
}

func contentSchemas() []store.Schema { return nil }

// contentArea holds what the content area opens for a running kiosk; the UI and the
// services reach it through k.content.
type contentArea struct{}

func openContent(ctx context.Context, k *kiosk) (*contentArea, error) { return &contentArea{}, nil }

func (a *contentArea) Close() error { return nil }
