package main

import (
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

// moreCommands lists the subcommands that live in their own files
// (content, record, export, doctor, print, sync, …). Add yours here.
func moreCommands() []command {
	return []command{}
}

// moreServices lists the supervised loops that other parts add to `run`
// (sensor sampling, printer queue, sync, LAN discovery, …). Add yours here.
func moreServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	return nil
}
