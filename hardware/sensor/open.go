package sensor

import (
	"context"
	"errors"
	"fmt"
	"io"

	"periph.io/x/conn/v3/i2c"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// Kinds are the device kinds NewOpener knows.
var Kinds = []string{"sim", "bme280", "scd4x", "sgp30", "bh1750", "sds011", "pms5003"}

// DeviceSpec says where a device is.
type DeviceSpec struct {
	Name    string
	Kind    string // one of Kinds
	Place   string // "indoor" or "outdoor"
	Bus     string // I2C bus name for periph's i2creg ("" = the first bus)
	Address uint16 // I2C address (0 = the kind's default)
	Port    string // serial port for sds011 and pms5003
}

// Deps are the ways to reach hardware, given by main so this package opens
// nothing by itself.
type Deps struct {
	Clock clock.Clock
	// I2C opens a bus by name (periph's i2creg.Open after host.Init).
	I2C func(bus string) (i2c.BusCloser, error)
	// Serial opens a port at 8N1.
	Serial func(path string, baud int) (io.ReadWriteCloser, error)
}

// DefaultAddress returns the kind's usual I2C address.
func DefaultAddress(kind string) uint16 {
	switch kind {
	case "bme280":
		return 0x76
	case "scd4x":
		return SCD4xAddress
	case "sgp30":
		return SGP30Address
	case "bh1750":
		return 0x23
	}
	return 0
}

// NewOpener returns the Opener for spec.
func NewOpener(spec DeviceSpec, deps Deps) (Opener, error) {
	addr := spec.Address
	if addr == 0 {
		addr = DefaultAddress(spec.Kind)
	}
	i2cDev := func(open func(b i2c.Bus) (Device, error)) (Opener, error) {
		if deps.I2C == nil {
			return nil, errors.New("sensor: no I2C access configured")
		}
		return func(ctx context.Context) (Device, error) {
			bus, err := deps.I2C(spec.Bus)
			if err != nil {
				return nil, fmt.Errorf("open I2C bus %q: %w", spec.Bus, err)
			}
			d, err := open(bus)
			if err != nil {
				bus.Close()
				return nil, err
			}
			return &withBus{Device: d, bus: bus}, nil
		}, nil
	}
	switch spec.Kind {
	case "sim":
		clk := deps.Clock
		if clk == nil {
			clk = clock.System{}
		}
		sim := NewSimulator(spec.Name, spec.Place, clk)
		return func(context.Context) (Device, error) { return sim, nil }, nil
	case "bme280":
		return i2cDev(func(b i2c.Bus) (Device, error) { return NewBME280(b, addr) })
	case "scd4x":
		return i2cDev(func(b i2c.Bus) (Device, error) { return NewSCD4x(b) })
	case "sgp30":
		return i2cDev(func(b i2c.Bus) (Device, error) { return NewSGP30(b) })
	case "bh1750":
		return i2cDev(func(b i2c.Bus) (Device, error) { return NewBH1750(b, addr) })
	case "sds011", "pms5003":
		if spec.Port == "" {
			return nil, fmt.Errorf("sensor: %s: %s needs a serial port", spec.Name, spec.Kind)
		}
		if deps.Serial == nil {
			return nil, errors.New("sensor: no serial access configured")
		}
		f := SDS011
		if spec.Kind == "pms5003" {
			f = PMS5003
		}
		return func(ctx context.Context) (Device, error) {
			p, err := deps.Serial(spec.Port, 9600)
			if err != nil {
				return nil, fmt.Errorf("open %s: %w", spec.Port, err)
			}
			return NewPM(p, f), nil
		}, nil
	}
	return nil, fmt.Errorf("sensor: %s: unknown kind %q (known: %v)", spec.Name, spec.Kind, Kinds)
}

// withBus closes the bus with the device.
type withBus struct {
	Device
	bus i2c.BusCloser
}

func (w *withBus) Close() error { return errors.Join(w.Device.Close(), w.bus.Close()) }
