package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/hardware/escpos"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
)

func TestDoctorWithSimulatorsPasses(t *testing.T) {
	code, out := runCombined(t, "doctor", "--data", t.TempDir())
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"sensor sala", "sensor strada", "card reader simulator", "printer file:"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not mention %q:\n%s", want, out)
		}
	}
}

func TestDoctorReportsMissingHardwareWithAHint(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "officina.toml")
	os.WriteFile(cfg, []byte(`
[hardware.printer]
address = "/dev/usb/lp-none"
[hardware.card]
devices = ["/dev/input/by-id/usb-none-event-kbd"]
[[hardware.sensors]]
name = "strada"
kind = "sds011"
place = "outdoor"
port = "/dev/ttyUSB-none"
interval = "10s"
`), 0o600)
	code, out := runCombined(t, "doctor", "--config", cfg, "--data", dir)
	if code == 0 {
		t.Fatalf("doctor passed with nothing connected:\n%s", out)
	}
	for _, want := range []string{
		"FAIL sensor strada", "ls /dev/ttyUSB*",
		"FAIL card reader /dev/input/by-id/usb-none-event-kbd", "ls /dev/input/by-id/",
		"FAIL printer /dev/usb/lp-none", "/dev/usb/lp0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

func TestPrintTestToAFile(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"ticket", "receipt", "certificate"} {
		path := filepath.Join(dir, kind+".bin")
		code, out := runCombined(t, "print", "--data", dir, "--test", kind, "--printer", "file:"+path, "--paper", "58mm")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", kind, code, out)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ops, err := escpos.Decode(b)
		if err != nil {
			t.Fatalf("%s: the printed bytes are not a valid job: %v", kind, err)
		}
		for _, l := range escpos.Lines(ops) {
			if len([]rune(l)) > 32 {
				t.Errorf("%s: line %q wider than 58 mm paper", kind, l)
			}
		}
	}
	if code, _ := runCombined(t, "print", "--data", dir, "--test", "poster"); code != 2 {
		t.Errorf("unknown sample: exit %d, want 2", code)
	}
}

func TestHardwareWiringOnTheStatusEndpoint(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	ctx := context.Background()
	k, err := openKiosk(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	reg := metrics.NewRegistry()
	st := status.New(reg)
	services := hardwareServices(k, reg, st)
	if len(services) != 3 {
		t.Fatalf("%d services", len(services))
	}
	taps, cancel := k.hardware.Cards.Subscribe(1)
	defer cancel()

	rec := httptest.NewRecorder()
	st.ServeHTTP(rec, httptest.NewRequest("POST", "/card/tap", strings.NewReader("0012345678")))
	if rec.Code != 200 {
		t.Fatalf("tap: %d %s", rec.Code, rec.Body)
	}
	if tap := <-taps; tap.Kind != "library_card" || tap.Text != "0012345678" {
		t.Errorf("tap %+v", tap)
	}
	rec = httptest.NewRecorder()
	st.ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	var s map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil || s["hardware"] == nil {
		t.Fatalf("status has no hardware section: %s", rec.Body)
	}
	if !strings.Contains(string(s["hardware"]), `"card_readers"`) {
		t.Errorf("hardware section %s", s["hardware"])
	}
	rec = httptest.NewRecorder()
	st.ServeHTTP(rec, httptest.NewRequest("GET", "/data.json", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "sensordatavalues") {
		t.Errorf("/data.json: %d %s", rec.Code, rec.Body)
	}
	// No sampling loop has run, so no sensor has a reading yet: its age is
	// infinite, which an alert on the age catches.
	rec = httptest.NewRecorder()
	st.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `officina_sensor_age_seconds{sensor="sala"} +Inf`) {
		t.Errorf("/metrics lacks the sensor age:\n%s", rec.Body)
	}
}
