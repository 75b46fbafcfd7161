package main

// Hardware: sensors, card reader, printer, `doctor`, `print`.

import (
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
