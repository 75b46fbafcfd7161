package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/hardware/escpos"
)

func runOfficina(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, stdin: strings.NewReader(""), environ: []string{"HOME=" + t.TempDir()}}
	code := realMain(context.Background(), e, args)
	return code, out.String()
}

func TestDoctorWithSimulatorsPasses(t *testing.T) {
	code, out := runOfficina(t, "doctor", "--data", t.TempDir())
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
	code, out := runOfficina(t, "doctor", "--config", cfg, "--data", dir)
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
		code, out := runOfficina(t, "print", "--data", dir, "--test", kind, "--printer", "file:"+path, "--paper", "58mm")
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
	if code, _ := runOfficina(t, "print", "--data", dir, "--test", "poster"); code != 2 {
		t.Errorf("unknown sample: exit %d, want 2", code)
	}
}
