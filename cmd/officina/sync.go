package main

// Sync: hub client, enrolment, LAN discovery, `enroll`.

import (
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
