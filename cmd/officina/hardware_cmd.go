package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/officina-digitale/officina/hardware/card"
	"github.com/officina-digitale/officina/hardware/escpos"
	"github.com/officina-digitale/officina/hardware/printer"
	"github.com/officina-digitale/officina/hardware/sensor"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/config"
)

// errHardwareMissing makes `officina doctor` exit non-zero.
var errHardwareMissing = errors.New("configured hardware is missing or failing")

// check is one line of the doctor's report.
type check struct {
	ok        bool
	simulated bool
	what      string
	detail    string
	hint      string
}

func doctorCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	// The file printer writes into the data directory, as the kiosk does.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w", cfg.DataDir, err)
	}
	checks := runDoctor(ctx, cfg, clock.System{})
	failed := 0
	for _, ch := range checks {
		mark := "ok  "
		if !ch.ok {
			mark = "FAIL"
			if !ch.simulated {
				failed++
			}
		}
		sim := ""
		if ch.simulated {
			sim = " (simulated)"
		}
		fmt.Fprintf(e.stdout, "%s %s%s: %s\n", mark, ch.what, sim, ch.detail)
		if ch.hint != "" {
			fmt.Fprintf(e.stdout, "     → %s\n", ch.hint)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d problem(s) above", errHardwareMissing, failed)
	}
	return nil
}

func runDoctor(ctx context.Context, cfg config.Config, clk clock.Clock) []check {
	hw := cfg.Hardware
	var out []check

	// periph's host drivers: only worth a line when real I2C sensors are configured.
	needsI2C := false
	for _, s := range hw.Sensors {
		switch s.Kind {
		case "bme280", "scd4x", "sgp30", "bh1750":
			needsI2C = true
		}
	}
	if needsI2C || hw.Card.MFRC522SPI != "" {
		state, err := (&periphHost{}).init()
		switch {
		case err != nil:
			out = append(out, check{what: "periph host", detail: err.Error(), hint: "run as a user that can read /sys and /dev"})
		case len(state.Loaded) == 0:
			out = append(out, check{what: "periph host", detail: "no drivers loaded: this machine has no GPIO, I2C or SPI that periph recognises",
				hint: "real sensors work on a Raspberry Pi; use kind = \"sim\" elsewhere"})
		default:
			var names []string
			for _, d := range state.Loaded {
				names = append(names, d.String())
			}
			sort.Strings(names)
			out = append(out, check{ok: true, what: "periph host", detail: "drivers: " + strings.Join(names, ", ")})
		}
	}

	// Sensors: open each and take one reading.
	ph := &periphHost{}
	deps := hardwareDeps(clk, ph)
	for _, s := range hw.Sensors {
		where := s.Kind
		switch s.Kind {
		case "bme280", "scd4x", "sgp30", "bh1750":
			bus := s.Bus
			if bus == "" {
				bus = "default"
			}
			addr := s.Address
			if addr == 0 {
				addr = int(sensor.DefaultAddress(s.Kind))
			}
			where = fmt.Sprintf("%s on I2C bus %s at %#x", s.Kind, bus, addr)
		case "sds011", "pms5003":
			where = fmt.Sprintf("%s on %s", s.Kind, s.Port)
		}
		ch := check{what: fmt.Sprintf("sensor %s (%s, %s)", s.Name, where, s.Place), simulated: s.Kind == "sim"}
		open, err := sensor.NewOpener(sensor.DeviceSpec{Name: s.Name, Kind: s.Kind, Place: s.Place, Bus: s.Bus, Address: uint16(s.Address), Port: s.Port}, deps)
		if err == nil {
			ch.detail, err = senseOnce(ctx, open)
		}
		if err != nil {
			ch.detail, ch.hint = err.Error(), hintFor(err, s.Kind)
		} else {
			ch.ok = true
		}
		out = append(out, ch)
	}

	// Card readers: open and grab each, then let go.
	for _, dev := range hw.Card.Devices {
		ch := check{what: "card reader " + dev}
		rc, err := card.OpenEvdev(dev)
		if err != nil {
			ch.detail, ch.hint = err.Error(), hintFor(err, "evdev")
		} else {
			rc.Close()
			ch.ok, ch.detail = true, "found and grabbed (scans will not reach the UI as typing)"
		}
		out = append(out, ch)
	}
	if hw.Card.MFRC522SPI != "" {
		ch := check{what: fmt.Sprintf("RFID reader mfrc522 on %s (RST %s, IRQ %s)", hw.Card.MFRC522SPI, hw.Card.MFRC522Reset, hw.Card.MFRC522IRQ)}
		r, err := openMFRC522(hw, ph)
		if err != nil {
			ch.detail, ch.hint = err.Error(), "enable SPI with raspi-config (Interface Options → SPI) and check the RST and IRQ wiring"
		} else {
			r.Close()
			ch.ok, ch.detail = true, "initialised"
		}
		out = append(out, ch)
	}
	if hw.Card.Simulator {
		out = append(out, check{ok: true, simulated: true, what: "card reader simulator", detail: "tap with `officina card tap TEXT` while the kiosk runs"})
	}

	// Printer: connect and ask its status.
	addr := printerAddress(cfg, "")
	ch := check{what: "printer " + addr, simulated: strings.HasPrefix(addr, "file:")}
	ch.detail, ch.hint, ch.ok = printerCheck(ctx, addr)
	out = append(out, ch)
	return out
}

func senseOnce(ctx context.Context, open sensor.Opener) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, deviceTimeout)
	defer cancel()
	dev, err := open(ctx)
	if err != nil {
		return "", err
	}
	defer dev.Close()
	env, err := dev.Sense(ctx)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, q := range sensor.Quantities {
		if v, ok := env.Value(q); ok {
			spec, _ := sensor.SpecOf(q)
			flag := ""
			if v < spec.Min || v > spec.Max {
				flag = " (IMPLAUSIBLE)"
			}
			parts = append(parts, fmt.Sprintf("%s %.1f %s%s", q, v, spec.Unit, flag))
		}
	}
	return strings.Join(parts, ", "), nil
}

func printerCheck(ctx context.Context, addr string) (detail, hint string, ok bool) {
	if err := printer.CheckAddress(addr); err != nil {
		return err.Error(), "fix hardware.printer.address in the configuration", false
	}
	ctx, cancel := context.WithTimeout(ctx, deviceTimeout)
	defer cancel()
	c, err := printer.Dial(ctx, addr)
	if err != nil {
		return err.Error(), hintFor(err, "printer"), false
	}
	defer c.Close()
	st, err := c.Status(ctx)
	switch {
	case errors.Is(err, printer.ErrNoStatus):
		return "connected (this transport reports no paper status)", "", true
	case err != nil:
		return err.Error(), hintFor(err, "printer"), false
	case st.PaperOut:
		return "paper out", "load a new roll", false
	case st.CoverOpen:
		return "cover open", "close the cover", false
	case st.PaperLow:
		return "ready, paper low", "keep a spare roll at hand", true
	}
	return "ready", "", true
}

// hintFor turns a device error into what to do about it.
func hintFor(err error, kind string) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "no bus found"), strings.Contains(msg, "i2creg"):
		return "no I2C bus: enable I2C with raspi-config (Interface Options → I2C), then reboot"
	case errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EACCES):
		group := map[string]string{"evdev": "input", "printer": "lp", "sds011": "dialout", "pms5003": "dialout"}[kind]
		if group == "" {
			group = "i2c"
		}
		return fmt.Sprintf("permission denied: add the kiosk user to the %s group (sudo usermod -aG %s officina)", group, group)
	case errors.Is(err, syscall.EBUSY):
		return "another program holds the device; stop it (is a desktop session grabbing the reader?)"
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOENT) || strings.Contains(msg, "no such file"):
		switch kind {
		case "evdev":
			return "reader not found: plug it in and pick its path from ls /dev/input/by-id/"
		case "printer":
			return "printer not found: is it on and plugged in? USB printers appear as /dev/usb/lp0"
		}
		return "device not found: is the USB-serial adapter plugged in? ls /dev/ttyUSB* /dev/ttyAMA*"
	case errors.Is(err, printer.ErrNoAnswer):
		return "the printer does not answer: is it on, online and not in an error state?"
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "i/o timeout"), strings.Contains(msg, "no route"):
		return "network printer unreachable: print its self-test page for its IP address; it listens on port 9100"
	case strings.Contains(msg, "chip id"), strings.Contains(msg, "NACK"), strings.Contains(msg, "remote I/O"), strings.Contains(msg, "i2c"):
		return "nothing answers at that address: check the wiring (SDA, SCL, 3V3, GND) and the address (i2cdetect -y 1)"
	case errors.Is(err, context.DeadlineExceeded) && (kind == "sds011" || kind == "pms5003"):
		return "the port opened but no frames came: check TX/RX are crossed and the sensor has 5 V"
	}
	return ""
}

func printCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("print", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	test := fs.String("test", "", "print a sample: ticket, receipt or certificate")
	addr := fs.String("printer", "", "printer address (default hardware.printer.address), e.g. file:/tmp/t.bin or tcp:192.168.1.50:9100")
	paperFlag := fs.String("paper", "", "paper width, 58mm or 80mm (default hardware.printer.paper)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	samples := printer.Samples(placeName(cfg), time.Now())
	doc, ok := samples[*test]
	if !ok {
		return fmt.Errorf("%w: officina print --test ticket|receipt|certificate [--printer ADDRESS] [--paper 58mm|80mm]", errUsage)
	}
	pname := cfg.Hardware.Printer.Paper
	if *paperFlag != "" {
		pname = *paperFlag
	}
	paper, err := escpos.PaperByName(pname)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	data, err := doc.Encode(paper)
	if err != nil {
		return err
	}
	address := printerAddress(cfg, *addr)
	if err := printer.CheckAddress(address); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := printer.Dial(ctx, address)
	if err != nil {
		if h := hintFor(err, "printer"); h != "" {
			return fmt.Errorf("%w (%s)", err, h)
		}
		return err
	}
	defer conn.Close()
	st, err := conn.Status(ctx)
	switch {
	case errors.Is(err, printer.ErrNoStatus):
	case err != nil:
		return fmt.Errorf("%w (%s)", err, hintFor(err, "printer"))
	case st.PaperOut:
		return errors.New("printer: paper out: load a new roll and try again")
	case st.CoverOpen:
		return errors.New("printer: cover open: close it and try again")
	}
	if _, err := conn.Write(data); err != nil {
		return fmt.Errorf("printer: %s: %w", conn, err)
	}
	fmt.Fprintf(e.stdout, "printed a sample %s (%s, %d bytes) to %s\n", *test, paper.Name, len(data), conn)
	return nil
}

func placeName(cfg config.Config) string {
	if cfg.Name != "" {
		return cfg.Name
	}
	return "Officina digitale"
}

func cardCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "tap" {
		return fmt.Errorf("%w: officina card tap [--status-addr HOST:PORT] TEXT", errUsage)
	}
	fs := flag.NewFlagSet("card tap", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	statusAddr := fs.String("status-addr", "", "the running kiosk's status address (default status.listen)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: officina card tap TEXT (a codice fiscale, a library card number, a barcode)", errUsage)
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	addr := cfg.Status.Listen
	if *statusAddr != "" {
		addr = *statusAddr
	}
	if addr == "" {
		return errors.New("card tap: status.listen is off, so the running kiosk cannot be reached")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/card/tap", strings.NewReader(text))
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("card tap: is the kiosk running (officina run)? %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch resp.StatusCode {
	case http.StatusOK:
		fmt.Fprintf(e.stdout, "%s", body)
		return nil
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return errors.New("card tap: the running kiosk has no simulated reader (hardware.card.simulator = false)")
	}
	return fmt.Errorf("card tap: %s: %s", resp.Status, strings.TrimSpace(string(body)))
}
