package config

import (
	"fmt"
	"time"
)

// Sync configures the hub connection and LAN discovery. The hub's address
// itself is hub.url (or the one given to `officina enroll`).
type Sync struct {
	// Pause between syncs while all is well.
	Interval Duration `toml:"interval"`
	// First retry delay after a failed sync; it doubles with each failure (with jitter).
	MinBackoff Duration `toml:"min_backoff"`
	// Longest retry delay after repeated failures.
	MaxBackoff Duration `toml:"max_backoff"`
	// Most events sent in one upload request.
	BatchEvents int `toml:"batch_events"`
	// Delete events from the local log this long after the hub acknowledged them ("0s": keep them). Counts are kept.
	PruneAfter Duration `toml:"prune_after"`

	LAN LAN `toml:"lan"`
}

// LAN configures discovery of sibling kiosks over mDNS.
type LAN struct {
	// Advertise this kiosk and look for siblings of the same deployment.
	Enabled bool `toml:"enabled"`
	// Network interface to use, e.g. "eth0" or "wlan0" ("" = every interface that is up and multicast).
	Interface string `toml:"interface"`
	// Port the sibling endpoint listens on.
	Port int `toml:"port"`
}

func defaultSync() Sync {
	return Sync{
		Interval:    Duration(time.Minute),
		MinBackoff:  Duration(2 * time.Second),
		MaxBackoff:  Duration(10 * time.Minute),
		BatchEvents: 5000,
		PruneAfter:  Duration(90 * 24 * time.Hour),
		LAN:         LAN{Enabled: false, Port: 8471},
	}
}

func (x Sync) validate() []error {
	var errs []error
	if x.Interval.D() < time.Second {
		errs = append(errs, fmt.Errorf("config: sync.interval %s is too short; use at least 1s", x.Interval.D()))
	}
	if x.MinBackoff.D() <= 0 || x.MaxBackoff.D() < x.MinBackoff.D() {
		errs = append(errs, fmt.Errorf("config: sync.min_backoff must be positive and at most sync.max_backoff"))
	}
	if x.BatchEvents < 1 || x.BatchEvents > 20000 {
		errs = append(errs, fmt.Errorf("config: sync.batch_events %d: use 1 to 20000", x.BatchEvents))
	}
	if x.LAN.Port < 0 || x.LAN.Port > 65535 {
		errs = append(errs, fmt.Errorf("config: sync.lan.port %d is not a port", x.LAN.Port))
	}
	return errs
}
