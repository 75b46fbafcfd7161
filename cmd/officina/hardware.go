package main

// Hardware: sensors, card reader, printer, `doctor`, `print`.

import (
	"context"

	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func hardwareCommands() []command { return nil }

func hardwareServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	return nil
}

func hardwareSchemas() []store.Schema { return nil }

// hardwareArea holds what the hardware area opens for a running kiosk; the UI and the
// services reach it through k.hardware.
type hardwareArea struct{}

func openHardware(ctx context.Context, k *kiosk) (*hardwareArea, error) { return &hardwareArea{}, nil }

func (a *hardwareArea) Close() error { return nil }
