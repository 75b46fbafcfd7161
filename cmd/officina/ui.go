package main

// UI: the touchscreen. The window itself is opened in ui_fyne.go (cgo);
// this file wires the UI state to the kiosk and adds `officina
// screenshots` and `officina ui-bench`.

import (
	"os/exec"
	"path/filepath"

	"github.com/officina-digitale/officina/kiosk/ui/speech"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

func uiCommands() []command {
	return []command{
		{"screenshots", "draw each main screen in the real window, in Italian and English, into PNG files (needs a display: make screenshots uses Xvfb)", screenshotsCmd},
		{"ui-bench", "measure launch to home, screen changes and memory in the real window (needs a display)", uiBenchCmd},
	}
}

// uiDeps connects the UI's ports to the kiosk's areas: the catalogue and
// learners' progress (content); the queue, staff, services, sessions and
// loans (records, with tickets and certificates printed); the sensors;
// and the status screen (hardware health and sync). The adapters are in
// ui_content.go, ui_records.go and ui_hardware.go. The in-memory fakes of
// kiosk/ui/state serve only the tests, `officina screenshots` and
// `officina ui-bench` without --kiosk.
func uiDeps(k *kiosk) state.Deps {
	queue := newUIQueue(k.records.desk, k.hardware.Printer, k.content, uiPlace(k), k.log.With("area", "ui"))
	d := state.Deps{
		Catalog:     uiCatalog{content: k.content, audioDir: filepath.Join(k.cfg.DataDir, "audio")},
		Progress:    uiProgress{content: k.content, book: k.content.Learning, hub: uiPlace(k)},
		Queue:       queue,
		Staff:       uiStaff{k.records.roster},
		Services:    uiServices{desk: k.records.desk, content: k.content, queue: queue},
		Sessions:    newUISessions(k.records.desk, k.content, k.clock),
		Loans:       uiLoans{k.records.desk},
		Printer:     uiCertificates{printer: k.hardware.Printer, place: uiPlace(k)},
		Sensors:     uiSensors{sampler: k.hardware.Sensors, clock: k.clock},
		Sync:        uiStatus{k},
		Notices:     uiNotices{k},
		Clock:       k.clock,
		Lang:        k.cfg.Language,
		IdleTimeout: k.cfg.UI.IdleTimeout.D(),
		IdleWarning: k.cfg.UI.IdleWarning.D(),
	}
	if k.cfg.UI.ReadAloud {
		d.Speech = speech.New(exec.LookPath)
	}
	return d
}

// uiPlace is the name printed at the top of tickets: the facilitation
// point's registered name, else the kiosk's name.
func uiPlace(k *kiosk) string {
	if k.cfg.Records.SiteName != "" {
		return k.cfg.Records.SiteName
	}
	return k.cfg.Name
}
