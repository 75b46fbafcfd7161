package config

// Sync configures the hub connection and LAN discovery.
type Sync struct{}

func defaultSync() Sync { return Sync{} }

func (x Sync) validate() []error { return nil }
