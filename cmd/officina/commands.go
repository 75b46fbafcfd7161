package main

import (
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

// Each area of the kiosk wires itself in its own file (content.go,
// records.go, hardware.go, sync.go, ui_*.go): its subcommands, its
// supervised loops and its tables.

func moreCommands() []command {
	return concat(contentCommands(), recordsCommands(), hardwareCommands(), syncCommands(), uiCommands())
}

func moreServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	return concat(
		contentServices(k, reg, st),
		recordsServices(k, reg, st),
		hardwareServices(k, reg, st),
		syncServices(k, reg, st),
	)
}

// schemas lists every package's tables, applied at open.
func schemas() []store.Schema {
	return concat(contentSchemas(), recordsSchemas(), hardwareSchemas(), syncSchemas())
}

func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
