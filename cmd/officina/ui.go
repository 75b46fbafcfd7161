package main

// UI: the touchscreen. The window itself is opened in ui_fyne.go (cgo);
// this file wires the UI state to the kiosk and adds `officina
// screenshots` and `officina ui-bench`.

import (
	"context"
	"os/exec"
	"syscall"

	"github.com/officina-digitale/officina/kiosk/ui/speech"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

func uiCommands() []command {
	return []command{
		{"screenshots", "draw each main screen in the real window, in Italian and English, into PNG files (needs a display: make screenshots uses Xvfb)", screenshotsCmd},
		{"ui-bench", "measure launch to home, screen changes and memory in the real window (needs a display)", uiBenchCmd},
	}
}

// uiDeps connects the UI's ports. Until the content, records and hardware
// areas are wired here, their ports are the in-memory fakes of
// kiosk/ui/state, filled with the demo catalogue; the sync status is read
// from the real store.
func uiDeps(k *kiosk) state.Deps {
	d := state.DemoDeps(k.clock)
	d.Lang = k.cfg.Language
	d.IdleTimeout = k.cfg.UI.IdleTimeout.D()
	d.IdleWarning = k.cfg.UI.IdleWarning.D()
	if k.cfg.UI.ReadAloud {
		d.Speech = speech.New(exec.LookPath)
	}
	demo := d.Sync.(*state.FakeSync).State.Devices
	d.Sync = storeSync{k: k, devices: demo}
	return d
}

// storeSync reports the outbox and the last hub acknowledgement from the
// store.
type storeSync struct {
	k       *kiosk
	devices []state.DeviceState
}

func (s storeSync) Status(ctx context.Context) (state.SyncState, error) {
	backlog, err := s.k.store.Backlog(ctx, "hub")
	if err != nil {
		return state.SyncState{}, err
	}
	last, err := s.k.store.LastAckTime(ctx, "hub")
	if err != nil {
		return state.SyncState{}, err
	}
	var fs syscall.Statfs_t
	var free int64
	if syscall.Statfs(s.k.cfg.DataDir, &fs) == nil {
		free = int64(fs.Bavail) * int64(fs.Bsize)
	}
	return state.SyncState{
		HubConfigured: s.k.cfg.Hub.URL != "", LastSync: last, Backlog: int(backlog),
		Devices: s.devices, StorageFree: free, Version: version,
	}, nil
}
