// Package metrics keeps the kiosk's counters and gauges and writes them in
// the Prometheus text exposition format, without pulling the Prometheus
// client library (and its dependencies) onto every kiosk.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Sample is one value of a metric, with optional labels.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Registry holds the metrics of one process.
type Registry struct {
	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	name, help, typ string
	collect         func() []Sample
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{entries: map[string]*entry{}} }

// Counter is a monotonically increasing count.
type Counter struct{ v atomic.Uint64 }

// Add increases the counter by n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Inc increases the counter by one.
func (c *Counter) Inc() { c.v.Add(1) }

// Value returns the current count.
func (c *Counter) Value() uint64 { return c.v.Load() }

// Counter registers and returns a counter.
func (r *Registry) Counter(name, help string) *Counter {
	c := &Counter{}
	r.Collect(name, help, "counter", func() []Sample { return []Sample{{Value: float64(c.Value())}} })
	return c
}

// GaugeFunc registers a gauge whose value is read from fn at scrape time.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.Collect(name, help, "gauge", func() []Sample { return []Sample{{Value: fn()}} })
}

// Collect registers a metric of type typ ("gauge" or "counter") whose
// samples fn returns at scrape time. Registering a name twice replaces it.
func (r *Registry) Collect(name, help, typ string, fn func() []Sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries[name] = &entry{name: name, help: help, typ: typ, collect: fn}
}

// WriteText writes every metric in the Prometheus text format, sorted by
// name.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	es := make([]*entry, 0, len(r.entries))
	for _, e := range r.entries {
		es = append(es, e)
	}
	r.mu.Unlock()
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", e.name, escapeHelp(e.help), e.name, e.typ)
		for _, s := range e.collect() {
			b.WriteString(e.name)
			if len(s.Labels) > 0 {
				keys := make([]string, 0, len(s.Labels))
				for k := range s.Labels {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				b.WriteByte('{')
				for i, k := range keys {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, "%s=\"%s\"", k, escapeLabel(s.Labels[k]))
				}
				b.WriteByte('}')
			}
			b.WriteByte(' ')
			b.WriteString(formatFloat(s.Value))
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}
