package main

// UI adapters over the hardware and sync areas: live sensor values and
// charts, card taps turned into the UI's cards, and the status screen's
// device and sync state.

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/officina-digitale/officina/hardware/card"
	"github.com/officina-digitale/officina/hardware/printer"
	"github.com/officina-digitale/officina/hardware/sensor"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// uiSensors reads the sampler. The UI names a few quantities differently
// from the sensor package.
type uiSensors struct {
	sampler *sensor.Sampler
	clock   clock.Clock
}

var _ state.Sensors = uiSensors{}

var uiQuantity = map[sensor.Quantity]string{
	sensor.Temperature: "temperature", sensor.Humidity: "humidity", sensor.Pressure: "pressure",
	sensor.CO2: "co2", sensor.PM25: "pm25", sensor.PM10: "pm10", sensor.TVOC: "voc",
}

func sensorQuantity(ui string) (sensor.Quantity, bool) {
	for q, name := range uiQuantity {
		if name == ui {
			return q, true
		}
	}
	return "", false
}

// Latest returns one value per quantity: the indoor one where there is an
// indoor sensor, else the outdoor one. Stale and implausible readings are
// left out, so the screen never shows a value that is not true now.
func (s uiSensors) Latest(ctx context.Context) ([]state.Reading, error) {
	if s.sampler == nil {
		return nil, state.ErrOffline
	}
	best := map[string]sensor.Reading{}
	var order []string
	for _, r := range s.sampler.Latest() {
		name, ok := uiQuantity[r.Quantity]
		if !ok || r.Stale || r.Flagged {
			continue
		}
		old, seen := best[name]
		if !seen {
			order = append(order, name)
		}
		if !seen || (old.Place != "indoor" && r.Place == "indoor") {
			best[name] = r
		}
	}
	out := make([]state.Reading, 0, len(order))
	for _, name := range order {
		r := best[name]
		out = append(out, state.Reading{Quantity: name, Value: r.Value, Unit: r.Unit, At: r.Time})
	}
	return out, nil
}

// Series charts the indoor mean over the window, about 48 steps for a day
// and 84 for a week.
func (s uiSensors) Series(ctx context.Context, quantity string, window time.Duration) ([]state.Point, error) {
	if s.sampler == nil {
		return nil, state.ErrOffline
	}
	q, ok := sensorQuantity(quantity)
	if !ok {
		return nil, fmt.Errorf("quantity %q: %w", quantity, state.ErrNotFound)
	}
	step := 30 * time.Minute
	if window > 24*time.Hour {
		step = 2 * time.Hour
	}
	now := s.clock.Now()
	ps, err := s.sampler.Series(ctx, "indoor", q, now.Add(-window), now, step)
	if err != nil {
		return nil, err
	}
	out := make([]state.Point, 0, len(ps))
	for _, p := range ps {
		out = append(out, state.Point{At: p.Time, Value: p.Mean})
	}
	return out, nil
}

// tapCard turns a reader's tap into the UI's card: a health card's codice
// fiscale, a card on the staff roster, or a citizen's card (a library
// card, a MIFARE card, or a scanned resume code). pagoPA notices are not
// cards; ok is false for them.
func tapCard(ctx context.Context, roster *staff.Roster, t card.Tap) (state.Card, bool) {
	text := strings.TrimSpace(t.Text)
	switch t.Kind {
	case card.HealthCard:
		return state.Card{Kind: state.CardHealth, ID: text}, true
	case card.PagoPA:
		return state.Card{}, false
	}
	if text == "" {
		return state.Card{}, false
	}
	if roster != nil {
		if ms, err := roster.List(ctx); err == nil {
			for _, m := range ms {
				if m.Active && m.Card != "" && rosterCard(m.Card) == rosterCard(text) {
					return state.Card{Kind: state.CardStaff, ID: text}, true
				}
			}
		}
	}
	return state.Card{Kind: state.CardCitizen, ID: text}, true
}

// rosterCard writes a card UID the way the roster stores it: upper case,
// without the spaces, colons or dashes readers put between bytes.
func rosterCard(s string) string {
	return strings.ToUpper(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' || r == '-' }), ""))
}

// cardLoop delivers every card tap from taps (a card.Service
// subscription) to the UI until ctx is done or taps is closed. deliver is
// called from this goroutine: the window passes a function that hands the
// card to the UI goroutine with fyne.Do.
func cardLoop(ctx context.Context, taps <-chan card.Tap, roster *staff.Roster, deliver func(state.Card)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case t, ok := <-taps:
			if !ok {
				return nil
			}
			if c, ok := tapCard(ctx, roster, t); ok {
				deliver(c)
			}
		}
	}
}

// sensorLoop calls refresh after every new reading from readings (a
// sensor.Sampler subscription) until ctx is done, so the air screen shows
// a value as soon as it is read rather than at the next poll. Readings
// that arrive together cause one refresh.
func sensorLoop(ctx context.Context, readings <-chan sensor.Reading, refresh func()) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-readings:
			if !ok {
				return nil
			}
			// One sample brings a reading per quantity: redraw once.
			open := true
			for drained := false; !drained && open; {
				select {
				case _, open = <-readings:
				default:
					drained = true
				}
			}
			refresh()
			if !open {
				return nil
			}
		}
	}
}

// uiStatus is the status screen: the outbox and the hub's last
// acknowledgement from the store, the sync client's last result, and the
// health of every printer, sensor and card reader.
type uiStatus struct{ k *kiosk }

var _ state.SyncStatus = uiStatus{}

func (s uiStatus) Status(ctx context.Context) (state.SyncState, error) {
	k := s.k
	backlog, err := k.store.Backlog(ctx, "hub")
	if err != nil {
		return state.SyncState{}, err
	}
	last, err := k.store.LastAckTime(ctx, "hub")
	if err != nil {
		return state.SyncState{}, err
	}
	var fs syscall.Statfs_t
	var free int64
	if syscall.Statfs(k.cfg.DataDir, &fs) == nil {
		free = int64(fs.Bavail) * int64(fs.Bsize)
	}
	enrolled := k.sync != nil && k.sync.client != nil
	out := state.SyncState{
		HubConfigured: enrolled || k.cfg.Hub.URL != "", LastSync: last, Backlog: int(backlog),
		Devices: uiDevices(k), StorageFree: free, Version: version,
	}
	if enrolled {
		st := k.sync.Status()
		if st.LastSuccess.After(out.LastSync) {
			out.LastSync = st.LastSuccess
		}
		hub := state.DeviceState{Name: "hub", OK: st.LastError == "" && !st.Revoked}
		switch {
		case st.Revoked:
			hub.Detail = "revoked by the hub: enrol this kiosk again"
		case st.LastError != "":
			hub.Detail = st.LastError
		}
		out.Devices = append(out.Devices, hub)
	}
	return out, nil
}

// uiDevices lists the printer, the sensors and the card readers, each
// with what it is when it works and what is wrong when it does not.
func uiDevices(k *kiosk) []state.DeviceState {
	h := k.hardware
	if h == nil {
		return nil
	}
	var out []state.DeviceState
	if h.Printer != nil {
		ph := h.Printer.Health()
		d := state.DeviceState{Name: "printer", OK: ph.OK, Detail: firstOf(ph.Problem, ph.Error, transport(ph.Address))}
		if d.OK && ph.PaperLow {
			d.Detail = "paper low"
		}
		if ph.Pending > 0 {
			d.Detail += fmt.Sprintf(", %d to print", ph.Pending)
		}
		out = append(out, d)
	}
	if h.Sensors != nil {
		for _, sh := range h.Sensors.Health() {
			d := state.DeviceState{Name: sh.Name, OK: sh.Connected && !sh.Stale, Detail: sh.Error}
			if d.Detail == "" && sh.Stale {
				d.Detail = "no reading lately"
			}
			if d.Detail == "" {
				d.Detail = sh.Kind + ", " + sh.Place
			}
			out = append(out, d)
		}
	}
	if h.Cards != nil {
		for _, ch := range h.Cards.Health() {
			out = append(out, state.DeviceState{Name: ch.Name, OK: ch.Connected, Detail: firstOf(ch.Error, ch.Kind)})
		}
	}
	return out
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// transport names how the printer is reached ("file", "usb", "serial",
// "tcp"), not its full address.
func transport(address string) string {
	if strings.HasPrefix(address, "/dev/") {
		return "usb"
	}
	kind, _, ok := strings.Cut(address, ":")
	if !ok {
		return address
	}
	return kind
}

// uiCertificates prints a certificate the learning record issued with the
// printer's certificate layout: the learner's pseudonymous code (no name
// is asked on the touchscreen), the course, its DigComp competences and
// level, the completion date, the facilitation point's name, and a QR
// code of the verification code.
type uiCertificates struct {
	printer *printer.Printer
	place   string
}

var _ state.Printer = uiCertificates{}

func (p uiCertificates) PrintCertificate(ctx context.Context, c state.Certificate, lang string) error {
	if p.printer == nil {
		return state.ErrOffline
	}
	place := c.Hub
	if place == "" {
		place = p.place
	}
	digcomp := strings.Join(c.DigComp, ", ")
	if c.Level > 0 {
		digcomp = strings.TrimPrefix(digcomp+fmt.Sprintf(" · livello %d", c.Level), " · ")
	}
	_, err := p.printer.Print(ctx, printer.Certificate{
		Place: place, Citizen: c.Name, Course: c.CourseTitle, DigComp: digcomp,
		Completed: c.Date, VerifyURL: c.Code, // printed under the QR as "Verifica: …"
	})
	return err
}

// uiNotices gives the home screen the hub's notices active now, as the
// last sync brought them (none before enrolment).
type uiNotices struct{ k *kiosk }

var _ state.NoticeBoard = uiNotices{}

func (n uiNotices) Notices(ctx context.Context) ([]string, error) {
	ns, err := n.k.sync.Notices(ctx, n.k.clock.Now())
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ns))
	for _, x := range ns {
		out = append(out, x.Text)
	}
	return out, nil
}
