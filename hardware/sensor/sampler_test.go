package sensor

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/store"
)

func openStore(t testing.TB, clk clock.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), "dev-test",
		store.Options{Clock: clk, Schemas: []store.Schema{Schema()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// scripted is a device that returns what the test queues.
type scripted struct {
	mu    sync.Mutex
	queue []func() (Env, error)
}

func (s *scripted) push(fn func() (Env, error)) {
	s.mu.Lock()
	s.queue = append(s.queue, fn)
	s.mu.Unlock()
}
func (s *scripted) Sense(ctx context.Context) (Env, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return Env{}, errors.New("nothing scripted")
	}
	fn := s.queue[0]
	s.queue = s.queue[1:]
	return fn()
}
func (s *scripted) Close() error   { return nil }
func (s *scripted) String() string { return "scripted" }

func tempEnv(c float64) func() (Env, error) {
	return func() (Env, error) {
		return Env{Temperature: physic.ZeroCelsius + physic.Temperature(c*float64(physic.Celsius)), Has: Set(0).With(Temperature)}, nil
	}
}

// stepper lets the test run the sampling loop one wait at a time.
type stepper struct {
	waits   chan time.Duration
	release chan struct{}
}

func newStepper() *stepper {
	return &stepper{waits: make(chan time.Duration), release: make(chan struct{})}
}

func (s *stepper) wait(ctx context.Context, d time.Duration) error {
	select {
	case s.waits <- d:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-s.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next waits for the loop to finish one reading (or failure) and returns
// how long it then wants to wait.
func (s *stepper) next(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-s.waits:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("sampling loop did not step")
		return 0
	}
}

func (s *stepper) go_() { s.release <- struct{}{} }

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func TestAggregatesCalibrationAndPlausibility(t *testing.T) {
	clk := clock.NewFake(t0)
	st := openStore(t, clk)
	dev := &scripted{}
	for _, c := range []float64{20.0, 21.0, 22.0, 500.0} { // 500 °C is a broken sensor
		dev.push(tempEnv(c))
	}
	dev.push(tempEnv(23.0))
	step := newStepper()
	s, err := NewSampler(st, clk, []Config{{
		Name: "sala", Kind: "bme280", Place: "indoor", Interval: 15 * time.Second,
		Offsets: map[Quantity]float64{Temperature: -0.5},
		Open:    func(context.Context) (Device, error) { return dev, nil },
	}}, Options{Wait: step.wait, FlushEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	for i := 0; i < 4; i++ {
		if d := step.next(t); d != 15*time.Second {
			t.Fatalf("waits %s between readings, want the interval", d)
		}
		clk.Advance(15 * time.Second)
		step.go_()
	}
	step.next(t) // 23 °C, in the next minute
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var ev MinuteEvent
	n := 0
	for e, err := range st.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind == EventMinute {
			n++
			json.Unmarshal(e.Payload, &ev)
		}
	}
	if n != 1 || len(ev.Aggregates) != 1 {
		t.Fatalf("%d minute events, %+v", n, ev)
	}
	a := ev.Aggregates[0]
	if a.Min != 19.5 || a.Max != 21.5 || a.Mean != 20.5 || a.Count != 3 || a.Flagged != 1 || a.Unit != "°C" {
		t.Errorf("aggregate %+v: want offsets applied and the 500 °C reading flagged, not averaged", a)
	}
	if !ev.Minute.Equal(t0) {
		t.Errorf("minute %s", ev.Minute)
	}
	h := s.Health()[0]
	if h.Flagged != 1 || !h.Connected {
		t.Errorf("health %+v", h)
	}
	pts, err := s.Series(ctx, "indoor", Temperature, t0.Add(-time.Hour), t0.Add(time.Hour), 15*time.Minute)
	if err != nil || len(pts) != 1 || pts[0].Mean != 20.5 || pts[0].Count != 3 {
		t.Errorf("series %+v %v", pts, err)
	}
	cancel()
	<-done
	// Run flushed the last, unfinished minute on the way out.
	var raws int
	st.DB().QueryRow(`SELECT count(*) FROM sensor_raw`).Scan(&raws)
	if raws != 5 {
		t.Errorf("%d raw readings stored, want 5", raws)
	}
}

func TestUnpluggedMidReadRecoversWithBackoff(t *testing.T) {
	clk := clock.NewFake(t0)
	st := openStore(t, clk)
	var opens int
	var plugged = true
	dev := &scripted{}
	dev.push(tempEnv(20))
	dev.push(func() (Env, error) { return Env{}, errors.New("i2c: NACK: sensor unplugged") })
	step := newStepper()
	s, _ := NewSampler(st, clk, []Config{{
		Name: "sala", Kind: "bme280", Place: "indoor", Interval: 10 * time.Second,
		Open: func(context.Context) (Device, error) {
			opens++
			if !plugged {
				return nil, errors.New("no device at 0x76")
			}
			return dev, nil
		},
	}}, Options{Wait: step.wait, FlushEvery: time.Hour, MinBackoff: time.Second, MaxBackoff: 4 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	step.next(t) // the good reading
	plugged = false
	step.go_()
	if d := step.next(t); d != time.Second { // the failed read
		t.Fatalf("first backoff %s", d)
	}
	if h := s.Health()[0]; !strings.Contains(h.Error, "unplugged") {
		t.Errorf("health does not say what is wrong: %+v", h)
	}
	var backoffs []time.Duration
	for i := 0; i < 3; i++ {
		clk.Advance(20 * time.Second)
		step.go_()
		backoffs = append(backoffs, step.next(t))
	}
	if backoffs[0] != 2*time.Second || backoffs[2] != 4*time.Second {
		t.Errorf("backoff %v, want doubling up to 4s", backoffs)
	}
	h := s.Health()[0]
	if !h.Stale || h.Connected || h.Failures != 4 {
		t.Errorf("health while unplugged %+v", h)
	}
	for _, r := range s.Latest() {
		if !r.Stale {
			t.Errorf("reading %+v not marked stale", r)
		}
	}
	// Plugged back in: the next attempt reopens it, no restart needed.
	plugged = true
	dev.push(tempEnv(21))
	step.go_()
	if d := step.next(t); d != 10*time.Second {
		t.Fatalf("after recovery waits %s", d)
	}
	h = s.Health()[0]
	if h.Stale || !h.Connected || h.Error != "" || opens < 5 {
		t.Errorf("health after re-plug %+v (opens %d)", h, opens)
	}
}

func TestFlushOnFullDiskLosesNothing(t *testing.T) {
	clk := clock.NewFake(t0)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"), "dev",
		store.Options{Clock: clk, Schemas: []store.Schema{Schema()}, MaxPageCount: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ := NewSampler(st, clk, []Config{{Name: "sim", Kind: "sim", Place: "indoor", Interval: time.Second,
		Open: func(context.Context) (Device, error) { return nil, nil }}}, Options{})
	// Fill the disk with something else.
	if err := st.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(`CREATE TABLE filler(b BLOB)`); return err }); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{2000, 200, 20, 1} {
		for i := 0; i < 5000; i++ {
			if err := st.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(`INSERT INTO filler VALUES(randomblob(?))`, size)
				return err
			}); err != nil {
				if !errors.Is(err, store.ErrDiskFull) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	// A minute of readings large enough to need new pages.
	for i := 0; i < 3000; i++ {
		s.Record("sim", Env{CO2: 800, Has: Set(0).With(CO2)}, t0.Add(time.Duration(i)*10*time.Millisecond))
	}
	clk.Advance(time.Minute)
	if err := s.Flush(ctx); !errors.Is(err, store.ErrDiskFull) {
		t.Fatalf("flush on a full disk: %v", err)
	}
	// Space is freed; the next flush writes what the failed one could not.
	if err := st.Write(ctx, func(tx *store.Tx) error { _, err := tx.Exec(`DELETE FROM filler`); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	pts, _ := s.Series(ctx, "indoor", CO2, t0, t0.Add(time.Hour), time.Minute)
	if len(pts) != 1 || pts[0].Mean != 800 || pts[0].Count != 3000 {
		t.Errorf("after the disk freed up: %+v", pts)
	}
	var raws int
	st.DB().QueryRow(`SELECT count(*) FROM sensor_raw`).Scan(&raws)
	if raws != 3000 {
		t.Errorf("%d raw readings kept, want 3000", raws)
	}
}

func TestSimulatorHasADailyCycle(t *testing.T) {
	ctx := context.Background()
	mon := time.Date(2026, 3, 2, 0, 0, 0, 0, time.Local)
	clk := clock.NewFake(mon.Add(4 * time.Hour))
	in := NewSimulator("sala", "indoor", clk)
	out := NewSimulator("strada", "outdoor", clk)
	read := func(d Device, q Quantity, h int) float64 {
		clk.Set(mon.Add(time.Duration(h) * time.Hour))
		e, err := d.Sense(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := e.Value(q)
		if !ok {
			t.Fatalf("%s has no %s", d, q)
		}
		return v
	}
	if night, afternoon := read(in, CO2, 4), read(in, CO2, 15); afternoon < night+300 {
		t.Errorf("CO2 in an open library %v ppm vs %v at night: no daily cycle", afternoon, night)
	}
	if night, noon := read(out, Light, 2), read(out, Light, 12); noon < 1000 || night > 100 {
		t.Errorf("street light %v at noon, %v at night", noon, night)
	}
	if dawn, afternoon := read(out, Temperature, 5), read(out, Temperature, 15); afternoon < dawn+5 {
		t.Errorf("street %v °C at 15:00, %v at 05:00", afternoon, dawn)
	}
	if _, ok := func() (float64, bool) { e, _ := out.Sense(ctx); return e.Value(CO2) }(); ok {
		t.Error("outdoor simulator claims a CO2 sensor")
	}
	// Every value it makes is plausible.
	for h := 0; h < 24*7; h++ {
		clk.Set(mon.Add(time.Duration(h) * time.Hour))
		for _, d := range []*Simulator{in, out} {
			e, _ := d.Sense(ctx)
			for _, q := range Quantities {
				if v, ok := e.Value(q); ok && (v < specs[q].Min || v > specs[q].Max) {
					t.Fatalf("%s at %s: %s = %v out of range", d, clk.Now(), q, v)
				}
			}
		}
	}
}

func TestAdvice(t *testing.T) {
	stuffy := []Reading{{Place: "indoor", Quantity: CO2, Value: 1350}}
	if a := Advise(stuffy); a.Code != "open_window" || !strings.Contains(a.Text, "1350") {
		t.Errorf("%+v", a)
	}
	if a := Advise(append(stuffy, Reading{Place: "outdoor", Quantity: PM25, Value: 80})); a.Code != "keep_closed" {
		t.Errorf("%+v", a)
	}
	if a := Advise([]Reading{{Place: "indoor", Quantity: CO2, Value: 600}}); a.Code != "ok" {
		t.Errorf("%+v", a)
	}
	if a := Advise([]Reading{{Place: "indoor", Quantity: CO2, Value: 5000, Stale: true}}); a.Code != "unknown" {
		t.Errorf("stale reading used: %+v", a)
	}
}

func TestDataJSON(t *testing.T) {
	clk := clock.NewFake(t0)
	s, _ := NewSampler(openStore(t, clk), clk, []Config{{Name: "strada", Kind: "sds011", Place: "outdoor", Interval: time.Second,
		Open: func(context.Context) (Device, error) { return nil, nil }}}, Options{})
	sub, cancel := s.Subscribe(4)
	s.Record("strada", Env{PM25: 12300, PM10: 20100, Has: Set(0).With(PM25, PM10)}, t0)
	if r := <-sub; r.Quantity != PM25 || r.Value != 12.3 || r.Unit != "µg/m³" {
		t.Errorf("subscriber got %+v", r)
	}
	cancel()
	clk.Advance(3 * time.Second)
	rec := httptest.NewRecorder()
	s.DataJSONHandler("test").ServeHTTP(rec, httptest.NewRequest("GET", "/data.json", nil))
	var got dataJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"SDS011_strada_P2": "12.30", "SDS011_strada_P1": "20.10"}
	for _, v := range got.Values {
		if want[v.ValueType] != v.Value {
			t.Errorf("%s = %s", v.ValueType, v.Value)
		}
		delete(want, v.ValueType)
	}
	if len(want) != 0 || got.Age != "3" {
		t.Errorf("missing %v, age %q", want, got.Age)
	}
}

func TestBadConfigurationIsRefused(t *testing.T) {
	open := func(context.Context) (Device, error) { return nil, nil }
	for _, cfgs := range [][]Config{
		{{Name: "", Interval: time.Second, Open: open}},
		{{Name: "a", Interval: time.Second, Open: open}, {Name: "a", Interval: time.Second, Open: open}},
		{{Name: "a", Interval: 0, Open: open}},
		{{Name: "a", Interval: time.Second, Open: open, Offsets: map[Quantity]float64{"radon": 1}}},
	} {
		if _, err := NewSampler(nil, clock.NewFake(t0), cfgs, Options{}); err == nil {
			t.Errorf("accepted %+v", cfgs)
		}
	}
}

// TestI2CNACKThroughTheSampler pulls a BME280's cable mid-session: the
// next read NACKs, reopening NACKs, and when the cable is back the sampler
// re-initialises the chip from scratch and carries on.
func TestI2CNACKThroughTheSampler(t *testing.T) {
	clk := clock.NewFake(t0)
	step := newStepper()
	var bus *nackBus
	plug := func() {
		bus = &nackBus{Bus: &i2ctest.Playback{Ops: append(append(bme280Open(), bme280Sense()...), bme280Sense()...)}}
	}
	plug()
	s, _ := NewSampler(openStore(t, clk), clk, []Config{{
		Name: "sala", Kind: "bme280", Place: "indoor", Interval: time.Second,
		Open: func(context.Context) (Device, error) { return NewBME280(bus, 0x76) },
	}}, Options{Wait: step.wait, FlushEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	step.next(t)
	bus.failAt = bus.n + 1 // cable pulled
	step.go_()
	step.next(t) // failed read
	step.go_()
	step.next(t) // failed reopen
	if h := s.Health()[0]; h.Failures != 2 || !strings.Contains(h.Error, "NACK") {
		t.Fatalf("health %+v", h)
	}
	plug()
	step.go_()
	step.next(t)
	if h := s.Health()[0]; h.Failures != 0 || h.Samples != 2 {
		t.Errorf("after the cable is back: %+v", h)
	}
	var temp float64
	for _, r := range s.Latest() {
		if r.Quantity == Temperature {
			temp = r.Value
		}
	}
	if temp != 25.08 {
		t.Errorf("temperature after recovery %v", temp)
	}
}

// TestDayAndWeekSeriesAndRawRetention runs a week of once-a-minute
// readings through the sampler and reads the Ambiente corner's charts.
func TestDayAndWeekSeriesAndRawRetention(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	st := openStore(t, clk)
	s, _ := NewSampler(st, clk, []Config{{Name: "sala", Kind: "sim", Place: "indoor", Interval: time.Minute,
		Open: func(context.Context) (Device, error) { return nil, nil }}}, Options{RawRetention: 24 * time.Hour})
	ctx := context.Background()
	for m := 0; m < 7*24*60; m++ {
		clk.Set(start.Add(time.Duration(m) * time.Minute))
		// CO2 is 400 + the hour of the day × 10, so each hour's mean is known.
		s.Record("sala", Env{CO2: PPM(400 + 10*clk.Now().Hour()), Has: Set(0).With(CO2)}, clk.Now())
		if m%(24*60) == 24*60-1 {
			clk.Advance(time.Minute)
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	clk.Set(start.Add(7 * 24 * time.Hour))
	day, err := s.Day(ctx, "indoor", CO2)
	if err != nil {
		t.Fatal(err)
	}
	if len(day) != 96 {
		t.Fatalf("day has %d points, want 96 quarter hours", len(day))
	}
	for _, p := range day {
		want := float64(400 + 10*p.Time.Hour())
		if p.Mean != want || p.Count != 15 {
			t.Fatalf("point %+v, want mean %v over 15 minutes", p, want)
		}
	}
	week, err := s.Week(ctx, "indoor", CO2)
	if err != nil {
		t.Fatal(err)
	}
	if len(week) != 7*24 || week[0].Count != 60 || week[0].Time != start {
		t.Errorf("week has %d points, first %+v", len(week), week[0])
	}
	if out, _ := s.Day(ctx, "outdoor", CO2); len(out) != 0 {
		t.Errorf("outdoor series made up %d points", len(out))
	}
	var oldest int64
	var n int
	st.DB().QueryRow(`SELECT min(t_ms), count(*) FROM sensor_raw`).Scan(&oldest, &n)
	if age := clk.Now().Sub(time.UnixMilli(oldest)); age > 25*time.Hour || n > 25*60 {
		t.Errorf("raw readings kept for %s (%d rows), retention is 24h", age, n)
	}
}
