package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/config"
)

func TestHardwareDefaultsAreSimulated(t *testing.T) {
	c := config.Default()
	if !c.Hardware.IsSimulated() || len(c.Hardware.Sensors) != 2 || !c.Hardware.Card.Simulator {
		t.Errorf("defaults are not the simulators: %+v", c.Hardware)
	}
}

func TestHardwareSensorsReplaceTheSimulators(t *testing.T) {
	c, err := config.Load(write(t, `
[hardware.printer]
address = "tcp:192.168.1.50:9100"
paper = "58mm"

[[hardware.sensors]]
name = "sala"
kind = "bme280"
place = "indoor"
address = 0x77
interval = "30s"
offsets = { temperature = -1.5 }
`))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Hardware
	if len(h.Sensors) != 1 || h.Sensors[0].Kind != "bme280" || h.Sensors[0].Address != 0x77 ||
		h.Sensors[0].Interval.D() != 30*time.Second || h.Sensors[0].Offsets["temperature"] != -1.5 {
		t.Errorf("sensors %+v", h.Sensors)
	}
	if h.IsSimulated() || h.Printer.Paper != "58mm" {
		t.Errorf("hardware %+v", h)
	}
}

func TestHardwareMistakesAreExplained(t *testing.T) {
	for body, want := range map[string]string{
		"[hardware.printer]\naddress = \"lp0\"\n":                                                                                "hardware.printer.address",
		"[hardware.printer]\npaper = \"A4\"\n":                                                                                   "58mm or 80mm",
		"[[hardware.sensors]]\nname = \"x\"\nkind = \"dht22\"\nplace = \"indoor\"\ninterval = \"5s\"\n":                          "kind \"dht22\"",
		"[[hardware.sensors]]\nname = \"x\"\nkind = \"sgp30\"\nplace = \"indoor\"\ninterval = \"5s\"\n":                          "every 1s",
		"[[hardware.sensors]]\nname = \"x\"\nkind = \"sds011\"\nplace = \"outdoor\"\ninterval = \"5s\"\n":                        "needs port",
		"[[hardware.sensors]]\nname = \"x\"\nkind = \"sim\"\nplace = \"indoor\"\ninterval = \"5s\"\noffsets = { radon = 1.0 }\n": "radon",
		"[hardware.card]\nlibrary_pattern = \"[0-9\"\n":                                                                          "library_pattern",
	} {
		_, err := config.Load(write(t, body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %q", body, err, want)
		}
	}
}
