package state

import (
	"time"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// CO2Airing is the indoor CO2 level, in ppm, above which a room needs
// airing.
const CO2Airing = 1000

// Quantities are those shown on the air-quality screen, in order.
func Quantities() []string { return []string{"co2", "pm25", "temperature", "humidity"} }

// Readings returns the latest readings in display order, and a plain-words
// advice (empty when all is well).
func (a *App) Readings() ([]Reading, i18n.ID) {
	ctx, cancel := a.ctx()
	defer cancel()
	rs, err := a.d.Sensors.Latest(ctx)
	if err != nil {
		return nil, ErrorMessage(ErrOffline)
	}
	var out []Reading
	var advice i18n.ID
	for _, q := range Quantities() {
		for _, r := range rs {
			if r.Quantity == q {
				out = append(out, r)
				if q == "co2" && r.Value > CO2Airing {
					advice = i18n.ID("air.open_window")
				}
			}
		}
	}
	return out, advice
}

// AirChart is the quantity and window charted.
func (a *App) AirChart() (quantity string, week bool) { return a.air.quantity, a.air.week }

// ShowChart picks the quantity and the window (24 h or 7 days).
func (a *App) ShowChart(quantity string, week bool) {
	a.act()
	a.air.quantity, a.air.week = quantity, week
	a.changed()
}

// Series returns the charted series.
func (a *App) Series() []Point {
	w := 24 * time.Hour
	if a.air.week {
		w = 7 * 24 * time.Hour
	}
	ctx, cancel := a.ctx()
	defer cancel()
	ps, err := a.d.Sensors.Series(ctx, a.air.quantity, w)
	if err != nil {
		return nil
	}
	return ps
}

// Refresh asks the screen to redraw, for background updates (sensor
// values, sync state) delivered through fyne.Do. It is not user activity.
func (a *App) Refresh() { a.changed() }
