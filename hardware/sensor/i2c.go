package sensor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/devices/v3/bmxx80"
	"periph.io/x/devices/v3/scd4x"
)

// BME280 is a Bosch BME280 through periph's bmxx80 driver, in forced mode:
// one measurement per Sense, the sensor asleep in between (datasheet §3.3.3,
// "weather monitoring": lowest self-heating).
type BME280 struct {
	dev *bmxx80.Dev
	mu  sync.Mutex
}

// NewBME280 opens a BME280 (or BMP280, without humidity) at addr (0x76 or
// 0x77) with 1× oversampling and no filter, the datasheet's weather
// monitoring setting.
func NewBME280(bus i2c.Bus, addr uint16) (*BME280, error) {
	d, err := bmxx80.NewI2C(bus, addr, &bmxx80.Opts{
		Temperature: bmxx80.O1x, Pressure: bmxx80.O1x, Humidity: bmxx80.O1x,
	})
	if err != nil {
		return nil, fmt.Errorf("sensor: bme280 at %#x: %w", addr, err)
	}
	return &BME280{dev: d}, nil
}

// Sense takes one forced-mode measurement.
func (b *BME280) Sense(ctx context.Context) (Env, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var e physic.Env
	if err := b.dev.Sense(&e); err != nil {
		return Env{}, fmt.Errorf("sensor: bme280: %w", err)
	}
	out := Env{Temperature: e.Temperature, Pressure: e.Pressure, Has: Set(0).With(Temperature, Pressure)}
	if e.Humidity != 0 {
		out.Humidity, out.Has = e.Humidity, out.Has.With(Humidity)
	}
	return out, nil
}

// Close puts the sensor to sleep.
func (b *BME280) Close() error { return b.dev.Halt() }

func (b *BME280) String() string { return b.dev.String() }

// SCD4x is a Sensirion SCD40/SCD41 through periph's scd4x driver, in
// periodic measurement mode (one reading every 5 s).
type SCD4x struct {
	dev *scd4x.Dev
	mu  sync.Mutex
}

// SCD4xAddress is the sensor's fixed I2C address.
const SCD4xAddress = 0x62

// NewSCD4x wakes the sensor and starts periodic measurement.
func NewSCD4x(bus i2c.Bus) (*SCD4x, error) {
	d, err := scd4x.NewI2C(bus, SCD4xAddress)
	if err != nil {
		return nil, fmt.Errorf("sensor: scd4x: %w", err)
	}
	return &SCD4x{dev: d}, nil
}

// Sense waits for the next periodic measurement (up to 6 s; the driver
// cannot be interrupted sooner) and reads it.
func (s *SCD4x) Sense(ctx context.Context) (Env, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var e scd4x.Env
	if err := s.dev.Sense(&e); err != nil {
		return Env{}, fmt.Errorf("sensor: scd4x: %w", err)
	}
	return Env{CO2: PPM(e.CO2), Temperature: e.Temperature, Humidity: e.Humidity,
		Has: Set(0).With(CO2, Temperature, Humidity)}, nil
}

// Close stops periodic measurement.
func (s *SCD4x) Close() error { return s.dev.Halt() }

func (s *SCD4x) String() string { return "SCD4x" }

// SGP30 is a Sensirion SGP30 eCO2/TVOC sensor.
//
// periph's sgp30 driver sleeps 20 s inside its constructor, logs through
// the global logger from its own goroutine and skips the CRC, so this is a
// small driver of our own on the same datasheet: Init_air_quality (0x2003)
// once, then Measure_air_quality (0x2008) once a second — the sampler's
// interval for it must be 1 s for the on-chip baseline to work (§3.3). For
// the first 15 s after init the chip answers 400 ppm / 0 ppb.
type SGP30 struct {
	dev   i2c.Dev
	sleep func(time.Duration)
	mu    sync.Mutex
}

// SGP30Address is the sensor's fixed I2C address.
const SGP30Address = 0x58

// NewSGP30 sends Init_air_quality.
func NewSGP30(bus i2c.Bus) (*SGP30, error) {
	s := &SGP30{dev: i2c.Dev{Bus: bus, Addr: SGP30Address}, sleep: time.Sleep}
	if err := s.dev.Tx([]byte{0x20, 0x03}, nil); err != nil {
		return nil, fmt.Errorf("sensor: sgp30: init air quality: %w", err)
	}
	s.sleep(10 * time.Millisecond)
	return s, nil
}

// Sense sends Measure_air_quality and reads eCO2 and TVOC, each checked by
// its CRC.
func (s *SGP30) Sense(ctx context.Context) (Env, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.dev.Tx([]byte{0x20, 0x08}, nil); err != nil {
		return Env{}, fmt.Errorf("sensor: sgp30: measure: %w", err)
	}
	s.sleep(12 * time.Millisecond) // max measurement duration, table 10
	var b [6]byte
	if err := s.dev.Tx(nil, b[:]); err != nil {
		return Env{}, fmt.Errorf("sensor: sgp30: read: %w", err)
	}
	words, err := sensirionWords(b[:])
	if err != nil {
		return Env{}, fmt.Errorf("sensor: sgp30: %w", err)
	}
	return Env{CO2: PPM(words[0]), TVOC: PPB(words[1]), Has: Set(0).With(CO2, TVOC)}, nil
}

// Close does nothing: the SGP30 has no sleep command short of a general
// call reset, which would reset every device on the bus.
func (s *SGP30) Close() error { return nil }

func (s *SGP30) String() string { return "SGP30" }

// errCRC means a Sensirion data word failed its checksum: a noisy bus or a
// loose wire.
var errCRC = errors.New("checksum mismatch (noisy bus or loose wire)")

// sensirionWords splits b into 16-bit words, each followed by its CRC-8
// (polynomial 0x31, init 0xFF; SGP30 datasheet §6.6, SCD4x §3.11).
func sensirionWords(b []byte) ([]uint16, error) {
	if len(b)%3 != 0 {
		return nil, fmt.Errorf("reply of %d bytes is not whole words", len(b))
	}
	out := make([]uint16, 0, len(b)/3)
	for i := 0; i < len(b); i += 3 {
		if sensirionCRC(b[i:i+2]) != b[i+2] {
			return nil, fmt.Errorf("word %d: %w", i/3, errCRC)
		}
		out = append(out, binary.BigEndian.Uint16(b[i:]))
	}
	return out, nil
}

func sensirionCRC(b []byte) byte {
	crc := byte(0xFF)
	for _, x := range b {
		crc ^= x
		for i := 0; i < 8; i++ {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ 0x31
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// BH1750 is a ROHM BH1750FVI ambient light sensor.
//
// periph's bh1750 driver sends Reset where it means Power On, so the chip
// never leaves power-down after a cold start; this is a small driver of our
// own: Power On (0x01), then Continuously H-Resolution Mode (0x10), and
// each Sense reads the last result (2 bytes, lux = count / 1.2; datasheet
// p. 7 and p. 11).
type BH1750 struct {
	dev i2c.Dev
	mu  sync.Mutex
}

// NewBH1750 powers the sensor on at addr (0x23, or 0x5C with ADDR high)
// and starts continuous high-resolution measurement. The first result is
// ready after 180 ms.
func NewBH1750(bus i2c.Bus, addr uint16) (*BH1750, error) {
	b := &BH1750{dev: i2c.Dev{Bus: bus, Addr: addr}}
	if err := b.dev.Tx([]byte{0x01}, nil); err != nil {
		return nil, fmt.Errorf("sensor: bh1750 at %#x: power on: %w", addr, err)
	}
	if err := b.dev.Tx([]byte{0x10}, nil); err != nil {
		return nil, fmt.Errorf("sensor: bh1750 at %#x: start: %w", addr, err)
	}
	return b, nil
}

// Sense reads the latest measurement.
func (b *BH1750) Sense(ctx context.Context) (Env, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var r [2]byte
	if err := b.dev.Tx(nil, r[:]); err != nil {
		return Env{}, fmt.Errorf("sensor: bh1750: read: %w", err)
	}
	count := binary.BigEndian.Uint16(r[:])
	return Env{Light: Illuminance(int64(count) * int64(Lux) * 10 / 12), Has: Set(0).With(Light)}, nil
}

// Close powers the sensor down (0x00).
func (b *BH1750) Close() error { return b.dev.Tx([]byte{0x00}, nil) }

func (b *BH1750) String() string { return fmt.Sprintf("BH1750{%#x}", b.dev.Addr) }
