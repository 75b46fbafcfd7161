// Package sensor reads the hub's environmental sensors, checks and
// calibrates their readings, and keeps them: raw readings locally for a
// while, and one-minute aggregates (min, mean, max, count) as events so they
// reach the hub and its open data.
//
// Supported devices, and their datasheets:
//   - Bosch BME280 temperature, humidity, pressure (I2C; periph bmxx80
//     driver). BST-BME280-DS002.
//   - Sensirion SCD40/SCD41 CO2, temperature, humidity (I2C; periph scd4x
//     driver). SCD4x datasheet v1.6.
//   - Sensirion SGP30 eCO2 and TVOC (I2C; own driver, see sgp30.go).
//     Sensirion_Gas_Sensors_SGP30_Datasheet v1.0.
//   - ROHM BH1750FVI ambient light (I2C; own driver, see bh1750.go).
//     BH1750FVI datasheet rev. D.
//   - Nova Fitness SDS011 and Plantower PMS5003 particulate matter
//     (UART; own frame decoders, see pm.go). SDS011 datasheet v1.3,
//     PMS5003 series manual v2.3.
//   - A simulator with a believable daily cycle, for demos and `make run`.
package sensor

import (
	"context"
	"fmt"
	"math"

	"periph.io/x/conn/v3/physic"
)

// Quantity is a measured property of the air or the room.
type Quantity string

// The quantities the kiosk knows. The value of each is reported in Unit.
const (
	Temperature Quantity = "temperature"
	Humidity    Quantity = "humidity"
	Pressure    Quantity = "pressure"
	CO2         Quantity = "co2"
	TVOC        Quantity = "tvoc"
	PM25        Quantity = "pm2_5"
	PM10        Quantity = "pm10"
	Light       Quantity = "light"
)

// Quantities lists every quantity in display order.
var Quantities = []Quantity{Temperature, Humidity, Pressure, CO2, TVOC, PM25, PM10, Light}

// Spec is a quantity's unit and the physical range outside which a reading
// is flagged as implausible rather than stored as truth.
type Spec struct {
	Unit     string
	Min, Max float64
}

// SpecOf returns the spec of q.
func SpecOf(q Quantity) (Spec, bool) {
	s, ok := specs[q]
	return s, ok
}

// Ranges are the sensors' own measuring ranges (datasheets), which also
// bound what a room or a street can physically show.
var specs = map[Quantity]Spec{
	Temperature: {"°C", -40, 85},
	Humidity:    {"%", 0, 100},
	Pressure:    {"hPa", 300, 1100},
	CO2:         {"ppm", 300, 40000},
	TVOC:        {"ppb", 0, 60000},
	PM25:        {"µg/m³", 0, 1000},
	PM10:        {"µg/m³", 0, 2000},
	Light:       {"lx", 0, 100000},
}

// PPM is a gas concentration in parts per million.
type PPM int32

// PPB is a gas concentration in parts per billion.
type PPB int32

// MassConcentration is particulate mass per volume, in nanograms per cubic
// metre (so a tenth of µg/m³, the PM sensors' resolution, is exact).
type MassConcentration int64

// MicrogramPerCubicMetre is the unit particulate limits are written in.
const MicrogramPerCubicMetre MassConcentration = 1000

// Illuminance is light falling on a surface, in millilux.
type Illuminance int64

// Lux is one lumen per square metre.
const Lux Illuminance = 1000

// Set is a set of quantities.
type Set uint16

func bit(q Quantity) Set {
	for i, x := range Quantities {
		if x == q {
			return 1 << i
		}
	}
	return 0
}

// Has reports whether q is in the set.
func (s Set) Has(q Quantity) bool { return s&bit(q) != 0 }

// With returns the set with q added.
func (s Set) With(qs ...Quantity) Set {
	for _, q := range qs {
		s |= bit(q)
	}
	return s
}

// Env is one reading of a device, in typed units. Has says which fields
// the device measured.
type Env struct {
	Temperature physic.Temperature
	Humidity    physic.RelativeHumidity
	Pressure    physic.Pressure
	CO2         PPM
	TVOC        PPB
	PM25        MassConcentration
	PM10        MassConcentration
	Light       Illuminance
	Has         Set
}

// Value returns q in its Spec unit (°C, %, hPa, ppm, ppb, µg/m³, lx).
func (e Env) Value(q Quantity) (float64, bool) {
	if !e.Has.Has(q) {
		return 0, false
	}
	switch q {
	case Temperature:
		return e.Temperature.Celsius(), true
	case Humidity:
		return float64(e.Humidity) / float64(physic.PercentRH), true
	case Pressure:
		return float64(e.Pressure) / float64(100*physic.Pascal), true
	case CO2:
		return float64(e.CO2), true
	case TVOC:
		return float64(e.TVOC), true
	case PM25:
		return float64(e.PM25) / float64(MicrogramPerCubicMetre), true
	case PM10:
		return float64(e.PM10) / float64(MicrogramPerCubicMetre), true
	case Light:
		return float64(e.Light) / float64(Lux), true
	}
	return 0, false
}

// Device is one sensor as the sampler uses it. Sense blocks at most until
// ctx is done. Real, simulated and playback devices implement it.
type Device interface {
	Sense(ctx context.Context) (Env, error)
	Close() error
	String() string
}

// Opener connects to a device; the sampler calls it again, with backoff,
// after the device fails, so a re-plugged sensor comes back by itself.
type Opener func(ctx context.Context) (Device, error)

// round to the unit's useful precision, so stored values do not carry
// float noise.
func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}

func checkQuantity(q Quantity) error {
	if _, ok := specs[q]; !ok {
		return fmt.Errorf("sensor: unknown quantity %q", q)
	}
	return nil
}
