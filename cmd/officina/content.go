package main

// Content: the catalogue, `content list|check|pack`.

import (
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
