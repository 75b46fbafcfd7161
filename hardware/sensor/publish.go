package sensor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Advice is what the Ambiente corner tells people about the room.
type Advice struct {
	// Code is stable for translations: "ok", "open_window", "keep_closed"
	// (the street is more polluted than the room), "unknown".
	Code string `json:"code"`
	// Text is the Italian sentence; the UI translates by Code.
	Text string `json:"text"`
}

// CO2AiringThreshold is the indoor CO2 above which a room needs airing.
const CO2AiringThreshold = 1000

// Advise reads the latest readings and says, in plain words, whether to
// open a window. Flagged and stale readings are ignored.
func Advise(latest []Reading) Advice {
	var co2, pmIn, pmOut float64 = -1, -1, -1
	for _, r := range latest {
		if r.Flagged || r.Stale {
			continue
		}
		switch {
		case r.Quantity == CO2 && r.Place != "outdoor":
			co2 = max(co2, r.Value)
		case r.Quantity == PM25 && r.Place == "outdoor":
			pmOut = max(pmOut, r.Value)
		case r.Quantity == PM25:
			pmIn = max(pmIn, r.Value)
		}
	}
	switch {
	case co2 < 0:
		return Advice{"unknown", "Nessuna misura della CO₂ in sala in questo momento."}
	case co2 >= CO2AiringThreshold && pmOut >= 0 && pmOut > 50 && pmOut > pmIn:
		return Advice{"keep_closed", fmt.Sprintf("L'aria in sala è pesante (CO₂ %.0f ppm), ma fuori le polveri sottili sono alte (%.0f µg/m³): meglio aprire per pochi minuti.", co2, pmOut)}
	case co2 >= CO2AiringThreshold:
		return Advice{"open_window", fmt.Sprintf("Apriamo una finestra: l'aria in sala è viziata (CO₂ %.0f ppm).", co2)}
	}
	return Advice{"ok", fmt.Sprintf("L'aria in sala è buona (CO₂ %.0f ppm).", co2)}
}

// dataJSON is the local /data.json, in the shape Sensor.Community stations
// serve: a list of value_type/value pairs, values as strings.
type dataJSON struct {
	SoftwareVersion string      `json:"software_version"`
	Age             string      `json:"age"`
	Values          []dataValue `json:"sensordatavalues"`
}

type dataValue struct {
	ValueType string `json:"value_type"`
	Value     string `json:"value"`
}

// sensorCommunityNames are the value types Sensor.Community uses for PM.
var sensorCommunityNames = map[Quantity]string{PM10: "P1", PM25: "P2"}

// DataJSONHandler serves the latest good readings as /data.json.
func (s *Sampler) DataJSONHandler(version string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.clk.Now()
		out := dataJSON{SoftwareVersion: "officina-" + version, Values: []dataValue{}}
		var newest time.Time
		for _, rd := range s.Latest() {
			if rd.Flagged || rd.Stale {
				continue
			}
			kind := s.state(rd.Sensor).cfg.Kind
			name, ok := sensorCommunityNames[rd.Quantity]
			if !ok {
				name = string(rd.Quantity)
			}
			v := rd.Value
			if rd.Quantity == Pressure {
				v *= 100 // Sensor.Community reports pressure in Pa
			}
			out.Values = append(out.Values, dataValue{
				ValueType: strings.ToUpper(kind) + "_" + rd.Sensor + "_" + name,
				Value:     strconv.FormatFloat(v, 'f', 2, 64),
			})
			if rd.Time.After(newest) {
				newest = rd.Time
			}
		}
		if !newest.IsZero() {
			out.Age = strconv.Itoa(int(now.Sub(newest).Seconds()))
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		json.NewEncoder(w).Encode(out)
	})
}
