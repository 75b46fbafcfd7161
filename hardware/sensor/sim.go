package sensor

import (
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// Simulator is a sensor that follows the day: warmer and brighter in the
// afternoon, CO2 climbing while the library is open (9–19, Monday to
// Saturday) and falling when it closes, particulate peaking with the
// morning and evening traffic, with a little noise on top. Indoor and
// outdoor simulators differ the way a room and a street do.
type Simulator struct {
	name    string
	outdoor bool
	clk     clock.Clock
	mu      sync.Mutex
	rng     *rand.Rand
	// Fail, if set, makes Sense return it: a test or a demo unplugs the
	// simulated sensor this way.
	fail error
}

// NewSimulator returns a simulated sensor for place ("indoor" or
// "outdoor"); name seeds its noise so two simulators do not move in step.
func NewSimulator(name, place string, clk clock.Clock) *Simulator {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &Simulator{name: name, outdoor: place == "outdoor", clk: clk, rng: rand.New(rand.NewPCG(h.Sum64(), 0x0ff1c1a))}
}

// SetFailure makes every Sense fail with err until it is set back to nil.
func (s *Simulator) SetFailure(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

// Sense returns the simulated air at the clock's time.
func (s *Simulator) Sense(ctx context.Context) (Env, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return Env{}, s.fail
	}
	t := s.clk.Now().Local()
	h := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	day := math.Max(0, math.Sin((h-6)/12*math.Pi)) // 0 at night, 1 at noon
	warm := math.Cos((h - 15) / 24 * 2 * math.Pi)  // peak at 15:00
	n := func(sd float64) float64 { return s.rng.NormFloat64() * sd }

	var temp, rh, lux, co2, pm25 float64
	traffic := math.Exp(-sq(h-8.5)/1.5) + 0.8*math.Exp(-sq(h-18.5)/2)
	pm25 = 9 + 14*traffic + n(1.2)
	if s.outdoor {
		temp = 13 + 5*warm + n(0.15)
		rh = 70 - 15*warm + n(1)
		lux = 25000*day + 5*n(1)
		co2 = 425 + 20*traffic + n(4)
	} else {
		occ := occupancy(t)
		temp = 20.5 + 1.2*warm + 0.8*occ + n(0.05)
		rh = 45 - 4*warm + 3*occ + n(0.5)
		lux = 40 + 250*day + 350*occ + n(3)
		// Air builds up over an hour of opening, and a window is opened at
		// 11:30 and 16:30.
		build := occ * (1 - math.Exp(-(h-9)/1.2))
		airing := 1 - 0.6*(math.Exp(-sq(h-11.7)/0.05)+math.Exp(-sq(h-16.7)/0.05))
		co2 = 450 + 900*math.Max(0, build)*airing + n(8)
		pm25 = 0.6*pm25 + n(0.5)
	}
	pres := 1013 + 6*math.Sin(float64(t.Unix())/(5*86400)*2*math.Pi) + n(0.05)
	tvoc := math.Max(0, (co2-420)/4+n(5))
	e := Env{
		Temperature: physic.ZeroCelsius + physic.Temperature(temp*float64(physic.Celsius)),
		Humidity:    physic.RelativeHumidity(clamp(rh, 0, 100) * float64(physic.PercentRH)),
		Pressure:    physic.Pressure(pres * 100 * float64(physic.Pascal)),
		CO2:         PPM(math.Max(400, co2)),
		TVOC:        PPB(tvoc),
		PM25:        MassConcentration(math.Max(0, pm25) * float64(MicrogramPerCubicMetre)),
		PM10:        MassConcentration(math.Max(0, 1.6*pm25+n(1)) * float64(MicrogramPerCubicMetre)),
		Light:       Illuminance(math.Max(0, lux) * float64(Lux)),
	}
	e.Has = Set(0).With(Temperature, Humidity, Pressure, PM25, PM10, Light)
	if !s.outdoor {
		e.Has = e.Has.With(CO2, TVOC)
	}
	return e, nil
}

// occupancy is 1 while the library is open, with a half-hour ramp.
func occupancy(t time.Time) float64 {
	if t.Weekday() == time.Sunday {
		return 0
	}
	h := float64(t.Hour()) + float64(t.Minute())/60
	return clamp(math.Min((h-9)*2, (19-h)*2), 0, 1)
}

func sq(x float64) float64 { return x * x }

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// Close does nothing.
func (s *Simulator) Close() error { return nil }

func (s *Simulator) String() string { return "simulator:" + s.name }
