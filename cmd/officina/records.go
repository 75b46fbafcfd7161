package main

// Records: people, consent, assistance, queue, loans, `export`.

import (
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
