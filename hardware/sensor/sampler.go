package sensor

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/fanout"
	"github.com/officina-digitale/officina/kiosk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the sensors' tables, to pass to store.Open.
func Schema() store.Schema { return store.MustSchemaFromFS("sensor", migrations, "migrations") }

// EventMinute is the kind of the event that carries one minute of
// aggregates from every sensor.
const EventMinute = "sensor.minute"

// MinuteEvent is the payload of a sensor.minute event (version 1).
type MinuteEvent struct {
	Minute     time.Time   `json:"minute"` // start of the minute, UTC
	Aggregates []Aggregate `json:"aggregates"`
}

// Aggregate is one sensor's quantity over one minute. Flagged readings
// (implausible) are counted but not part of min, mean and max.
type Aggregate struct {
	Sensor   string   `json:"sensor"`
	Place    string   `json:"place"`
	Quantity Quantity `json:"quantity"`
	Unit     string   `json:"unit"`
	Min      float64  `json:"min"`
	Mean     float64  `json:"mean"`
	Max      float64  `json:"max"`
	Count    int      `json:"count"`
	Flagged  int      `json:"flagged,omitempty"`
}

// Config is one sensor the sampler reads.
type Config struct {
	Name     string // unique, e.g. "sala-bme280"
	Kind     string // "bme280", "scd4x", "sgp30", "bh1750", "sds011", "pms5003", "sim"
	Place    string // "indoor" or "outdoor"
	Interval time.Duration
	// Offsets are added to readings (calibration against a reference), in
	// the quantity's unit.
	Offsets map[Quantity]float64
	Open    Opener
}

// Options tune a Sampler. Zero values take the defaults.
type Options struct {
	// RawRetention is how long raw readings are kept (default 7 days).
	RawRetention time.Duration
	// FlushEvery is how often finished minutes are written (default 1 min).
	FlushEvery time.Duration
	// SenseTimeout bounds one reading (default 10 s).
	SenseTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait before reopening a failed
	// device (default 1 s doubling to 5 min).
	MinBackoff, MaxBackoff time.Duration
	// Wait sleeps between readings; nil means a real timer. Tests step the
	// sampler through it.
	Wait func(ctx context.Context, d time.Duration) error
	// Notify, if set, receives every reading as it is taken (the UI's
	// Ambiente corner). It must not block.
	Notify func(Reading)
}

// Reading is one quantity from one sensor, as the UI shows it.
type Reading struct {
	Sensor   string    `json:"sensor"`
	Place    string    `json:"place"`
	Quantity Quantity  `json:"quantity"`
	Value    float64   `json:"value"`
	Unit     string    `json:"unit"`
	Time     time.Time `json:"time"`
	// Flagged means the value was outside the physical range: shown to
	// staff as a fault, never stored as truth.
	Flagged bool `json:"flagged,omitempty"`
	// Stale means no good reading has come for three intervals.
	Stale bool `json:"stale,omitempty"`
}

// Health is one sensor's state for the status screen and `officina doctor`.
type Health struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Place     string    `json:"place"`
	Device    string    `json:"device,omitempty"`
	Connected bool      `json:"connected"`
	Stale     bool      `json:"stale"`
	LastGood  time.Time `json:"last_good,omitzero"`
	Error     string    `json:"error,omitempty"`
	ErrorAt   time.Time `json:"error_at,omitzero"`
	Failures  int       `json:"failures"` // consecutive
	Flagged   int       `json:"flagged"`  // implausible readings since start
	Samples   int       `json:"samples"`
}

type key struct {
	sensor string
	q      Quantity
}

type bucket struct {
	minute         time.Time
	place          string
	min, max, sum  float64
	count, flagged int
}

type raw struct {
	k       key
	t       time.Time
	v       float64
	flagged bool
}

type sensorState struct {
	cfg Config
	h   Health
}

// Sampler reads every configured sensor at its interval and stores what
// it reads. A failing sensor never stops the others.
type Sampler struct {
	st   *store.Store
	clk  clock.Clock
	opts Options

	mu      sync.Mutex
	sensors []*sensorState
	latest  map[key]Reading
	open    map[key]*bucket
	done    []Aggregate
	doneMin []time.Time // minute of each done aggregate
	raws    []raw
	fan     fanout.Fanout[Reading]
}

// maxPendingRaw caps raw readings held while the store cannot be written
// (a full disk): beyond it the oldest are dropped, aggregates are kept.
const maxPendingRaw = 100_000

// NewSampler checks the sensors' configuration and returns a sampler that
// writes to st (opened with Schema()).
func NewSampler(st *store.Store, clk clock.Clock, sensors []Config, opts Options) (*Sampler, error) {
	if opts.RawRetention <= 0 {
		opts.RawRetention = 7 * 24 * time.Hour
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = time.Minute
	}
	if opts.SenseTimeout <= 0 {
		opts.SenseTimeout = 10 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	if opts.Wait == nil {
		opts.Wait = clock.Sleep
	}
	s := &Sampler{st: st, clk: clk, opts: opts, latest: map[key]Reading{}, open: map[key]*bucket{}}
	seen := map[string]bool{}
	var errs []error
	for _, c := range sensors {
		switch {
		case c.Name == "":
			errs = append(errs, errors.New("sensor: a sensor has no name"))
		case seen[c.Name]:
			errs = append(errs, fmt.Errorf("sensor: two sensors are named %q", c.Name))
		case c.Interval <= 0:
			errs = append(errs, fmt.Errorf("sensor: %s: interval must be positive", c.Name))
		case c.Open == nil:
			errs = append(errs, fmt.Errorf("sensor: %s: no way to open it", c.Name))
		}
		for q := range c.Offsets {
			if err := checkQuantity(q); err != nil {
				errs = append(errs, fmt.Errorf("sensor: %s: offset: %w", c.Name, err))
			}
		}
		seen[c.Name] = true
		s.sensors = append(s.sensors, &sensorState{cfg: c, h: Health{Name: c.Name, Kind: c.Kind, Place: c.Place}})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// Run samples every sensor until ctx is done, flushing finished minutes as
// it goes and once more on the way out.
func (s *Sampler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, ss := range s.sensors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.runSensor(ctx, ss)
		}()
	}
	t := time.NewTicker(s.opts.FlushEvery)
	defer t.Stop()
	var err error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-t.C:
			if ferr := s.Flush(ctx); ferr != nil && errors.Is(ferr, store.ErrClosed) {
				err = ferr
				break loop
			}
		}
	}
	wg.Wait()
	// Keep what was measured: write it with a context that is not done.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ferr := s.Flush(fctx); ferr != nil && err == nil {
		err = ferr
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func (s *Sampler) runSensor(ctx context.Context, ss *sensorState) {
	backoff := s.opts.MinBackoff
	var dev Device
	defer func() {
		if dev != nil {
			dev.Close()
		}
	}()
	fail := func(err error) error {
		s.mu.Lock()
		ss.h.Connected = dev != nil
		ss.h.Error, ss.h.ErrorAt = err.Error(), s.clk.Now()
		ss.h.Failures++
		s.mu.Unlock()
		werr := s.opts.Wait(ctx, backoff)
		backoff = min(2*backoff, s.opts.MaxBackoff)
		return werr
	}
	for ctx.Err() == nil {
		if dev == nil {
			d, err := ss.cfg.Open(ctx)
			if err != nil {
				if fail(fmt.Errorf("open: %w", err)) != nil {
					return
				}
				continue
			}
			dev = d
			s.mu.Lock()
			ss.h.Connected, ss.h.Device = true, d.String()
			s.mu.Unlock()
		}
		sctx, cancel := context.WithTimeout(ctx, s.opts.SenseTimeout)
		env, err := dev.Sense(sctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			dev.Close()
			dev = nil
			if fail(err) != nil {
				return
			}
			continue
		}
		backoff = s.opts.MinBackoff
		s.Record(ss.cfg.Name, env, s.clk.Now())
		if s.opts.Wait(ctx, ss.cfg.Interval) != nil {
			return
		}
	}
}

func (s *Sampler) state(name string) *sensorState {
	for _, ss := range s.sensors {
		if ss.cfg.Name == name {
			return ss
		}
	}
	return nil
}

// Record applies calibration and plausibility checks to one reading of the
// named sensor taken at t, and adds it to the latest values, the raw log
// and the minute aggregates. Run calls it; benchmarks and tests may too.
func (s *Sampler) Record(name string, env Env, t time.Time) {
	ss := s.state(name)
	if ss == nil {
		return
	}
	minute := t.Truncate(time.Minute)
	var notify []Reading
	s.mu.Lock()
	ss.h.Samples++
	ss.h.Error, ss.h.Failures, ss.h.Connected = "", 0, true
	good := false
	for _, q := range Quantities {
		v, ok := env.Value(q)
		if !ok {
			continue
		}
		v = round(v+ss.cfg.Offsets[q], 3)
		spec := specs[q]
		flagged := math.IsNaN(v) || v < spec.Min || v > spec.Max
		k := key{name, q}
		r := Reading{Sensor: name, Place: ss.cfg.Place, Quantity: q, Value: v, Unit: spec.Unit, Time: t, Flagged: flagged}
		s.latest[k] = r
		if len(s.raws) >= maxPendingRaw {
			s.raws = s.raws[1:]
		}
		s.raws = append(s.raws, raw{k: k, t: t, v: v, flagged: flagged})
		b := s.open[k]
		if b != nil && !b.minute.Equal(minute) {
			s.finish(k, b)
			b = nil
		}
		if b == nil {
			b = &bucket{minute: minute, place: ss.cfg.Place, min: math.Inf(1), max: math.Inf(-1)}
			s.open[k] = b
		}
		if flagged {
			b.flagged++
			ss.h.Flagged++
		} else {
			good = true
			b.count++
			b.sum += v
			b.min = math.Min(b.min, v)
			b.max = math.Max(b.max, v)
		}
		if s.opts.Notify != nil {
			notify = append(notify, r)
		}
		s.fan.Send(r) // a slow subscriber misses a reading, never stalls sampling
	}
	if good {
		ss.h.LastGood = t
	}
	s.mu.Unlock()
	for _, r := range notify {
		s.opts.Notify(r)
	}
}

// Subscribe returns a channel of readings as they are taken (the Ambiente
// corner), and a function that ends the subscription.
func (s *Sampler) Subscribe(buffer int) (<-chan Reading, func()) {
	return s.fan.Subscribe(buffer)
}

// finish moves a bucket to the done list; s.mu is held.
func (s *Sampler) finish(k key, b *bucket) {
	delete(s.open, k)
	a := Aggregate{Sensor: k.sensor, Place: b.place, Quantity: k.q, Unit: specs[k.q].Unit, Count: b.count, Flagged: b.flagged}
	if b.count > 0 {
		a.Min, a.Mean, a.Max = b.min, round(b.sum/float64(b.count), 3), b.max
	}
	s.done = append(s.done, a)
	s.doneMin = append(s.doneMin, b.minute)
}

// Flush writes every finished minute (one sensor.minute event per minute,
// with the view rows in the same transaction) and the raw readings taken
// so far, and prunes raw readings past their retention. On failure (a full
// disk) nothing is lost from memory; the next flush tries again.
func (s *Sampler) Flush(ctx context.Context) error {
	now := s.clk.Now()
	cur := now.Truncate(time.Minute)
	s.mu.Lock()
	for k, b := range s.open {
		if b.minute.Before(cur) {
			s.finish(k, b)
		}
	}
	done, doneMin, raws := s.done, s.doneMin, s.raws
	s.done, s.doneMin, s.raws = nil, nil, nil
	s.mu.Unlock()
	if len(done) == 0 && len(raws) == 0 {
		return nil
	}
	byMinute := map[time.Time][]Aggregate{}
	for i, a := range done {
		byMinute[doneMin[i]] = append(byMinute[doneMin[i]], a)
	}
	minutes := make([]time.Time, 0, len(byMinute))
	for m := range byMinute {
		minutes = append(minutes, m)
	}
	sort.Slice(minutes, func(i, j int) bool { return minutes[i].Before(minutes[j]) })
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		for _, m := range minutes {
			aggs := byMinute[m]
			sort.Slice(aggs, func(i, j int) bool {
				if aggs[i].Sensor != aggs[j].Sensor {
					return aggs[i].Sensor < aggs[j].Sensor
				}
				return aggs[i].Quantity < aggs[j].Quantity
			})
			if _, err := tx.AppendJSON(EventMinute, 1, MinuteEvent{Minute: m.UTC(), Aggregates: aggs}); err != nil {
				return err
			}
			for _, a := range aggs {
				if a.Count == 0 {
					continue // only flagged readings: nothing to chart
				}
				if _, err := tx.Exec(`INSERT OR REPLACE INTO sensor_minutes(sensor, place, quantity, minute_ms, min, mean, max, count, flagged)
					VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.Sensor, a.Place, string(a.Quantity), m.UnixMilli(), a.Min, a.Mean, a.Max, a.Count, a.Flagged); err != nil {
					return err
				}
			}
		}
		for _, r := range raws {
			if _, err := tx.Exec(`INSERT INTO sensor_raw(sensor, quantity, t_ms, value, flagged) VALUES(?, ?, ?, ?, ?)`,
				r.k.sensor, string(r.k.q), r.t.UnixMilli(), r.v, boolInt(r.flagged)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`DELETE FROM sensor_raw WHERE t_ms < ?`, now.Add(-s.opts.RawRetention).UnixMilli())
		return err
	})
	if err != nil {
		s.mu.Lock()
		s.done = append(done, s.done...)
		s.doneMin = append(doneMin, s.doneMin...)
		s.raws = append(raws, s.raws...)
		if n := len(s.raws) - maxPendingRaw; n > 0 {
			s.raws = s.raws[n:]
		}
		s.mu.Unlock()
		return fmt.Errorf("sensor: flush: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Sampler) stale(ss *sensorState, now time.Time) bool {
	limit := max(3*ss.cfg.Interval, 30*time.Second)
	if ss.h.LastGood.IsZero() {
		return ss.h.Failures > 0
	}
	return now.Sub(ss.h.LastGood) > limit
}

// Latest returns the last reading of every sensor and quantity, sorted by
// place, quantity and sensor.
func (s *Sampler) Latest() []Reading {
	now := s.clk.Now()
	s.mu.Lock()
	out := make([]Reading, 0, len(s.latest))
	for k, r := range s.latest {
		if ss := s.state(k.sensor); ss != nil {
			r.Stale = s.stale(ss, now)
		}
		out = append(out, r)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Place != b.Place {
			return a.Place < b.Place
		}
		if a.Quantity != b.Quantity {
			return a.Quantity < b.Quantity
		}
		return a.Sensor < b.Sensor
	})
	return out
}

// Health returns every sensor's state, in configuration order.
func (s *Sampler) Health() []Health {
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Health, len(s.sensors))
	for i, ss := range s.sensors {
		out[i] = ss.h
		out[i].Stale = s.stale(ss, now)
	}
	return out
}

// Point is one step of a series.
type Point struct {
	Time  time.Time `json:"time"` // start of the step
	Min   float64   `json:"min"`
	Mean  float64   `json:"mean"`
	Max   float64   `json:"max"`
	Count int       `json:"count"` // readings behind it
}

// Series returns q at place between from and to in steps of step, from the
// minute aggregates of every sensor there. Steps without data are left
// out, so a chart shows a gap rather than a made-up line.
func (s *Sampler) Series(ctx context.Context, place string, q Quantity, from, to time.Time, step time.Duration) ([]Point, error) {
	if err := checkQuantity(q); err != nil {
		return nil, err
	}
	if step < time.Minute || !to.After(from) {
		return nil, fmt.Errorf("sensor: series: need from < to and a step of at least a minute")
	}
	f, st := from.UnixMilli(), step.Milliseconds()
	rows, err := s.st.DB().QueryContext(ctx, `
		SELECT (minute_ms - ?) / ?, min(min), sum(mean * count), max(max), sum(count)
		FROM sensor_minutes
		WHERE place = ? AND quantity = ? AND minute_ms >= ? AND minute_ms < ?
		GROUP BY 1 ORDER BY 1`, f, st, place, string(q), f, to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("sensor: series: %w", err)
	}
	defer rows.Close()
	var out []Point
	for rows.Next() {
		var b int64
		var p Point
		var sum float64
		if err := rows.Scan(&b, &p.Min, &sum, &p.Max, &p.Count); err != nil {
			return nil, fmt.Errorf("sensor: series: %w", err)
		}
		p.Time = time.UnixMilli(f + b*st).UTC()
		p.Mean = round(sum/float64(p.Count), 3)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Day is the last 24 hours in 15-minute steps.
func (s *Sampler) Day(ctx context.Context, place string, q Quantity) ([]Point, error) {
	now := s.clk.Now()
	return s.Series(ctx, place, q, now.Add(-24*time.Hour).Truncate(15*time.Minute), now, 15*time.Minute)
}

// Week is the last 7 days in hourly steps.
func (s *Sampler) Week(ctx context.Context, place string, q Quantity) ([]Point, error) {
	now := s.clk.Now()
	return s.Series(ctx, place, q, now.Add(-7*24*time.Hour).Truncate(time.Hour), now, time.Hour)
}
