package main

// Hardware: sensors, card reader, printer, `doctor`, `print`, `card tap`.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"go.bug.st/serial"
	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/host/v3"

	"github.com/officina-digitale/officina/hardware/card"
	"github.com/officina-digitale/officina/hardware/escpos"
	"github.com/officina-digitale/officina/hardware/printer"
	"github.com/officina-digitale/officina/hardware/sensor"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func hardwareCommands() []command {
	return []command{
		{"doctor", "check every configured sensor, card reader and printer, with hints to fix them", doctorCmd},
		{"print", "print --test ticket|receipt|certificate [--printer ADDRESS]: print a sample", printCmd},
		{"card", "card tap TEXT: present a card or barcode to the running kiosk's simulated reader", cardCmd},
	}
}

func hardwareServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	h := k.hardware
	registerHardwareStatus(h, reg, st)
	return []supervise.Service{
		{Name: "printer", Run: h.Printer.Run},
		{Name: "sensors", Run: h.Sensors.Run},
		{Name: "cards", Run: h.Cards.Run},
	}
}

func hardwareSchemas() []store.Schema { return []store.Schema{printer.Schema(), sensor.Schema()} }

// hardwareArea holds what the hardware area opens for a running kiosk; the
// UI and the services reach it through k.hardware:
//
//	k.hardware.Printer.Print(ctx, printer.Ticket{…})  queue a print job
//	k.hardware.Sensors.Latest() / .Day / .Week       the Ambiente corner
//	k.hardware.Cards.Subscribe(8)                    card taps
//
// Nothing here touches a device until the services run.
type hardwareArea struct {
	Printer *printer.Printer
	Sensors *sensor.Sampler
	Cards   *card.Service
	// SimulatedCard is the name of the simulated reader ("" if disabled);
	// the UI's "tap a card" key calls Cards.Inject(SimulatedCard, text).
	SimulatedCard string
}

func openHardware(ctx context.Context, k *kiosk) (*hardwareArea, error) {
	hw := k.cfg.Hardware
	paper, err := escpos.PaperByName(hw.Printer.Paper)
	if err != nil {
		return nil, err
	}
	a := &hardwareArea{}
	a.Printer = printer.New(k.store, k.clock, printer.Options{
		Address: printerAddress(k.cfg, ""), Paper: paper, MaxWait: hw.Printer.MaxWait.D(),
	})
	ph := &periphHost{}
	deps := hardwareDeps(k.clock, ph)
	cfgs, err := sensorConfigs(hw, deps)
	if err != nil {
		return nil, err
	}
	a.Sensors, err = sensor.NewSampler(k.store, k.clock, cfgs, sensor.Options{RawRetention: hw.SensorRawRetention.D()})
	if err != nil {
		return nil, err
	}
	a.Cards, err = cardService(hw, k.clock, ph)
	if err != nil {
		return nil, err
	}
	if hw.Card.Simulator {
		a.SimulatedCard = "simulator"
	}
	return a, nil
}

func (a *hardwareArea) Close() error { return nil }

// printerAddress is the --printer flag, else the configured address, else
// the file printer in the data directory.
func printerAddress(cfg config.Config, flag string) string {
	switch {
	case flag != "":
		return flag
	case cfg.Hardware.Printer.Address != "":
		return cfg.Hardware.Printer.Address
	}
	return "file:" + filepath.Join(cfg.DataDir, "printer.bin")
}

// periphHost initialises periph's host drivers once, on first use, so a
// kiosk with only simulators never probes the machine.
type periphHost struct {
	once  sync.Once
	state *driverreg.State
	err   error
}

func (p *periphHost) init() (*driverreg.State, error) {
	p.once.Do(func() { p.state, p.err = host.Init() })
	return p.state, p.err
}

func hardwareDeps(clk clock.Clock, ph *periphHost) sensor.Deps {
	return sensor.Deps{
		Clock: clk,
		I2C: func(bus string) (i2c.BusCloser, error) {
			if _, err := ph.init(); err != nil {
				return nil, fmt.Errorf("periph host init: %w", err)
			}
			return i2creg.Open(bus)
		},
		Serial: func(path string, baud int) (io.ReadWriteCloser, error) {
			return serial.Open(path, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
		},
	}
}

func sensorConfigs(hw config.Hardware, deps sensor.Deps) ([]sensor.Config, error) {
	var out []sensor.Config
	for _, s := range hw.Sensors {
		open, err := sensor.NewOpener(sensor.DeviceSpec{
			Name: s.Name, Kind: s.Kind, Place: s.Place, Bus: s.Bus, Address: uint16(s.Address), Port: s.Port,
		}, deps)
		if err != nil {
			return nil, err
		}
		offsets := map[sensor.Quantity]float64{}
		for q, v := range s.Offsets {
			offsets[sensor.Quantity(q)] = v
		}
		out = append(out, sensor.Config{Name: s.Name, Kind: s.Kind, Place: s.Place, Interval: s.Interval.D(), Offsets: offsets, Open: open})
	}
	return out, nil
}

// openMFRC522 opens the RFID reader named in the configuration.
func openMFRC522(hw config.Hardware, ph *periphHost) (*card.MFRC522, error) {
	if _, err := ph.init(); err != nil {
		return nil, fmt.Errorf("periph host init: %w", err)
	}
	port, err := spireg.Open(hw.Card.MFRC522SPI)
	if err != nil {
		return nil, fmt.Errorf("open SPI port %q: %w", hw.Card.MFRC522SPI, err)
	}
	reset, irq := gpioreg.ByName(hw.Card.MFRC522Reset), gpioreg.ByName(hw.Card.MFRC522IRQ)
	if reset == nil || irq == nil {
		port.Close()
		return nil, fmt.Errorf("no GPIO pin named %q or %q", hw.Card.MFRC522Reset, hw.Card.MFRC522IRQ)
	}
	r, err := card.NewMFRC522(port, reset, irq)
	if err != nil {
		port.Close()
		return nil, err
	}
	return r, nil
}

func cardService(hw config.Hardware, clk clock.Clock, ph *periphHost) (*card.Service, error) {
	var cl card.Classifier
	if hw.Card.LibraryPattern != "" {
		re, err := regexp.Compile(hw.Card.LibraryPattern)
		if err != nil {
			return nil, fmt.Errorf("hardware.card.library_pattern: %w", err)
		}
		cl.Library = re
	}
	cs := card.NewService(clk, card.Options{Debounce: hw.Card.Debounce.D(), Classifier: cl})
	for _, dev := range hw.Card.Devices {
		cs.AddKeyboard(dev, func(context.Context) (io.ReadCloser, error) { return card.OpenEvdev(dev) })
	}
	if hw.Card.MFRC522SPI != "" {
		cs.AddUIDReader("mfrc522 "+hw.Card.MFRC522SPI, func(context.Context) (card.UIDReader, error) { return openMFRC522(hw, ph) })
	}
	if hw.Card.Simulator {
		cs.AddSimulator("simulator")
	}
	return cs, nil
}

// hardwareStatus is the "hardware" section of /status.
type hardwareStatus struct {
	Printer printer.Health  `json:"printer"`
	Sensors []sensor.Health `json:"sensors"`
	Cards   []card.Health   `json:"card_readers"`
	Air     sensor.Advice   `json:"air"`
}

// problems lists what is wrong with the devices now: for /healthz and for
// the hub's fleet view.
func (h *hardwareArea) problems() []error {
	var errs []error
	if p := h.Printer.Health(); !p.OK {
		errs = append(errs, fmt.Errorf("printer %s: %s", p.Address, p.Problem))
	}
	for _, s := range h.Sensors.Health() {
		if s.Stale {
			errs = append(errs, fmt.Errorf("sensor %s: no reading lately: %s", s.Name, s.Error))
		}
	}
	for _, c := range h.Cards.Health() {
		if !c.Connected && c.Error != "" {
			errs = append(errs, fmt.Errorf("card reader %s: %s", c.Name, c.Error))
		}
	}
	return errs
}

func registerHardwareStatus(h *hardwareArea, reg *metrics.Registry, st *status.Server) {
	st.AddSection("hardware", func(ctx context.Context) (any, error) {
		return hardwareStatus{Printer: h.Printer.Health(), Sensors: h.Sensors.Health(), Cards: h.Cards.Health(),
			Air: sensor.Advise(h.Sensors.Latest())}, nil
	})
	st.AddHealth(func(ctx context.Context) error { return errors.Join(h.problems()...) })
	st.Handle("GET /data.json", h.Sensors.DataJSONHandler(version))
	reg.Collect("officina_sensor_value", "Latest good reading of each sensor, in the unit label's unit.", "gauge", func() []metrics.Sample {
		var out []metrics.Sample
		for _, r := range h.Sensors.Latest() {
			if r.Flagged || r.Stale {
				continue
			}
			out = append(out, metrics.Sample{Labels: map[string]string{"sensor": r.Sensor, "place": r.Place, "quantity": string(r.Quantity), "unit": r.Unit}, Value: r.Value})
		}
		return out
	})
	reg.Collect("officina_sensor_up", "1 while a sensor gives fresh readings.", "gauge", func() []metrics.Sample {
		var out []metrics.Sample
		for _, s := range h.Sensors.Health() {
			v := 1.0
			if s.Stale || !s.Connected {
				v = 0
			}
			out = append(out, metrics.Sample{Labels: map[string]string{"sensor": s.Name, "kind": s.Kind}, Value: v})
		}
		return out
	})
	reg.Collect("officina_sensor_age_seconds", "Seconds since each sensor's last good reading (+Inf: none since start).", "gauge", func() []metrics.Sample {
		var out []metrics.Sample
		for _, s := range h.Sensors.Health() {
			age := math.Inf(1)
			if !s.LastGood.IsZero() {
				age = max(0, time.Since(s.LastGood).Seconds())
			}
			out = append(out, metrics.Sample{Labels: map[string]string{"sensor": s.Name}, Value: age})
		}
		return out
	})
	reg.Collect("officina_sensor_flagged_total", "Readings outside the physical range, not stored as truth.", "counter", func() []metrics.Sample {
		var out []metrics.Sample
		for _, s := range h.Sensors.Health() {
			out = append(out, metrics.Sample{Labels: map[string]string{"sensor": s.Name}, Value: float64(s.Flagged)})
		}
		return out
	})
	reg.GaugeFunc("officina_printer_ready", "1 if the printer was ready at the last check.", func() float64 {
		if h.Printer.Health().OK {
			return 1
		}
		return 0
	})
	reg.GaugeFunc("officina_print_queue_pending", "Print jobs waiting for the printer.", func() float64 {
		return float64(h.Printer.Health().Pending)
	})
	if h.SimulatedCard != "" {
		// `officina card tap TEXT` posts here; loopback only, like the rest
		// of the status endpoint.
		st.Handle("POST /card/tap", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(io.LimitReader(r.Body, 4096))
			if err != nil || len(b) == 0 {
				http.Error(w, "send the card's text as the request body", http.StatusBadRequest)
				return
			}
			tap, ok := h.Cards.Inject(h.SimulatedCard, string(b))
			w.Header().Set("Content-Type", "application/json")
			if !ok {
				w.WriteHeader(http.StatusConflict)
				json.NewEncoder(w).Encode(map[string]string{"error": "the same card was just tapped (debounced)"})
				return
			}
			json.NewEncoder(w).Encode(tap)
		}))
	}
}

// deviceTimeout bounds each check in `officina doctor`.
const deviceTimeout = 8 * time.Second
