package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Hardware configures sensors, card readers and printers. With no
// configuration the kiosk uses simulators: two simulated sensors (indoor
// and outdoor), the simulated card reader and a printer that writes to a
// file in the data directory.
type Hardware struct {
	// Receipt printer.
	Printer HardwarePrinter `toml:"printer"`
	// Card readers and barcode scanners.
	Card HardwareCard `toml:"card"`
	// Environmental sensors, one [[hardware.sensors]] table each. Setting
	// any replaces the two simulated ones.
	Sensors []HardwareSensor `toml:"sensors"`
	// How long raw sensor readings are kept on the kiosk; one-minute
	// aggregates are kept as events.
	SensorRawRetention Duration `toml:"sensor_raw_retention"`
}

// HardwarePrinter configures the receipt printer.
type HardwarePrinter struct {
	// Where the printer is: "file:PATH" (the simulator; "" means
	// file:<data_dir>/printer.bin), "/dev/usb/lp0", "serial:/dev/ttyUSB0?baud=19200"
	// or "tcp:192.168.1.50:9100".
	Address string `toml:"address"`
	// Paper roll width: "58mm" (32 columns) or "80mm" (48 columns).
	Paper string `toml:"paper"`
	// How long a job waits for a printer that is out of paper, open or
	// unplugged before it is cancelled with a message.
	MaxWait Duration `toml:"max_wait"`
}

// HardwareCard configures card readers.
type HardwareCard struct {
	// Event devices of keyboard-mode (HID wedge) readers, e.g.
	// "/dev/input/by-id/usb-Honeywell_Scanner-event-kbd". They are grabbed
	// so scans never reach the UI as typing.
	Devices []string `toml:"devices"`
	// Offer the simulated reader (`officina card tap TEXT`, a key in the UI).
	Simulator bool `toml:"simulator"`
	// A repeat of the same card within this time is ignored.
	Debounce Duration `toml:"debounce"`
	// Regular expression for library card numbers ("" means 6 to 14 digits).
	LibraryPattern string `toml:"library_pattern"`
	// SPI port of an MFRC522 RFID reader as periph names it, e.g.
	// "/dev/spidev0.0"; "" means none. Enable SPI with raspi-config.
	MFRC522SPI string `toml:"mfrc522_spi"`
	// GPIO pin wired to the MFRC522's RST line.
	MFRC522Reset string `toml:"mfrc522_reset_pin"`
	// GPIO pin wired to the MFRC522's IRQ line.
	MFRC522IRQ string `toml:"mfrc522_irq_pin"`
}

// HardwareSensor is one environmental sensor.
type HardwareSensor struct {
	// Unique name, shown on the status screen and used in /data.json.
	Name string `toml:"name"`
	// sim, bme280, scd4x, sgp30, bh1750, sds011 or pms5003.
	Kind string `toml:"kind"`
	// indoor or outdoor.
	Place string `toml:"place"`
	// I2C bus name as periph names it ("" means the first bus, usually /dev/i2c-1).
	Bus string `toml:"bus"`
	// I2C address (0 means the usual one: bme280 0x76, bh1750 0x23).
	Address int `toml:"address"`
	// Serial port of a particulate sensor, e.g. "/dev/ttyUSB0".
	Port string `toml:"port"`
	// Time between readings (sgp30 must be read every 1s).
	Interval Duration `toml:"interval"`
	// Calibration offsets added to readings, by quantity (temperature,
	// humidity, pressure, co2, tvoc, pm2_5, pm10, light), in °C, %, hPa,
	// ppm, ppb, µg/m³ and lx.
	Offsets map[string]float64 `toml:"offsets"`
}

func defaultHardware() Hardware {
	return Hardware{
		Printer: HardwarePrinter{Paper: "80mm", MaxWait: Duration(15 * time.Minute)},
		Card: HardwareCard{Devices: []string{}, Simulator: true, Debounce: Duration(2 * time.Second),
			MFRC522Reset: "GPIO25", MFRC522IRQ: "GPIO24"},
		Sensors: []HardwareSensor{
			{Name: "sala", Kind: "sim", Place: "indoor", Interval: Duration(10 * time.Second)},
			{Name: "strada", Kind: "sim", Place: "outdoor", Interval: Duration(10 * time.Second)},
		},
		SensorRawRetention: Duration(7 * 24 * time.Hour),
	}
}

var (
	sensorKinds      = map[string]bool{"sim": true, "bme280": true, "scd4x": true, "sgp30": true, "bh1750": true, "sds011": true, "pms5003": true}
	sensorQuantities = map[string]bool{"temperature": true, "humidity": true, "pressure": true, "co2": true, "tvoc": true, "pm2_5": true, "pm10": true, "light": true}
)

// IsSimulated reports whether no real sensor, reader or printer is
// configured.
func (x Hardware) IsSimulated() bool {
	for _, s := range x.Sensors {
		if s.Kind != "sim" {
			return false
		}
	}
	return len(x.Card.Devices) == 0 && x.Card.MFRC522SPI == "" && (x.Printer.Address == "" || strings.HasPrefix(x.Printer.Address, "file:"))
}

func (x Hardware) validate() []error {
	var errs []error
	a := x.Printer.Address
	if a != "" && !strings.HasPrefix(a, "file:") && !strings.HasPrefix(a, "usb:") && !strings.HasPrefix(a, "serial:") &&
		!strings.HasPrefix(a, "tcp:") && !strings.HasPrefix(a, "/dev/") {
		errs = append(errs, fmt.Errorf("config: hardware.printer.address %q: use file:PATH, /dev/usb/lp0, serial:/dev/ttyUSB0?baud=N or tcp:HOST:9100", a))
	}
	switch x.Printer.Paper {
	case "58mm", "80mm":
	default:
		errs = append(errs, fmt.Errorf("config: hardware.printer.paper %q: use 58mm or 80mm", x.Printer.Paper))
	}
	if x.Printer.MaxWait.D() < time.Minute {
		errs = append(errs, fmt.Errorf("config: hardware.printer.max_wait %s: give people at least 1m to fix the printer", x.Printer.MaxWait.D()))
	}
	if x.Card.LibraryPattern != "" {
		if _, err := regexp.Compile(x.Card.LibraryPattern); err != nil {
			errs = append(errs, fmt.Errorf("config: hardware.card.library_pattern: %v", err))
		}
	}
	if x.Card.MFRC522SPI != "" && (x.Card.MFRC522Reset == "" || x.Card.MFRC522IRQ == "") {
		errs = append(errs, fmt.Errorf("config: hardware.card.mfrc522_spi is set: also set mfrc522_reset_pin and mfrc522_irq_pin (e.g. GPIO25, GPIO24)"))
	}
	if x.SensorRawRetention.D() < time.Hour {
		errs = append(errs, fmt.Errorf("config: hardware.sensor_raw_retention %s: keep at least 1h", x.SensorRawRetention.D()))
	}
	names := map[string]bool{}
	for i, s := range x.Sensors {
		where := fmt.Sprintf("config: hardware.sensors[%d] (%s)", i, s.Name)
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("config: hardware.sensors[%d] has no name", i))
		case names[s.Name]:
			errs = append(errs, fmt.Errorf("%s: two sensors have this name", where))
		}
		names[s.Name] = true
		if !sensorKinds[s.Kind] {
			errs = append(errs, fmt.Errorf("%s: kind %q: use sim, bme280, scd4x, sgp30, bh1750, sds011 or pms5003", where, s.Kind))
		}
		if s.Place != "indoor" && s.Place != "outdoor" {
			errs = append(errs, fmt.Errorf("%s: place %q: use indoor or outdoor", where, s.Place))
		}
		if s.Interval.D() < time.Second {
			errs = append(errs, fmt.Errorf("%s: interval %s: at least 1s", where, s.Interval.D()))
		}
		if s.Kind == "sgp30" && s.Interval.D() != time.Second {
			errs = append(errs, fmt.Errorf("%s: an SGP30 must be read every 1s for its baseline to work (datasheet §3.3)", where))
		}
		if (s.Kind == "sds011" || s.Kind == "pms5003") && s.Port == "" {
			errs = append(errs, fmt.Errorf("%s: a %s needs port, e.g. \"/dev/ttyUSB0\"", where, s.Kind))
		}
		if s.Address < 0 || s.Address > 0x7F {
			errs = append(errs, fmt.Errorf("%s: address %#x is not a 7-bit I2C address", where, s.Address))
		}
		for q := range s.Offsets {
			if !sensorQuantities[q] {
				errs = append(errs, fmt.Errorf("%s: offset for unknown quantity %q", where, q))
			}
		}
	}
	return errs
}
