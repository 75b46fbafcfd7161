package metrics_test

import (
	"math"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/kiosk/metrics"
)

func TestTextFormat(t *testing.T) {
	r := metrics.NewRegistry()
	c := r.Counter("officina_tickets_total", "Queue tickets issued.")
	c.Add(2)
	c.Inc()
	r.GaugeFunc("officina_outbox_backlog", "Events not yet acknowledged.", func() float64 { return 17 })
	r.Collect("officina_sensor_age_seconds", "Seconds since each sensor's last reading.", "gauge", func() []metrics.Sample {
		return []metrics.Sample{
			{Labels: map[string]string{"sensor": `bme280 "hall"`}, Value: 1.5},
			{Labels: map[string]string{"sensor": "sps30"}, Value: math.Inf(1)},
		}
	})
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# HELP officina_tickets_total Queue tickets issued.\n# TYPE officina_tickets_total counter\nofficina_tickets_total 3\n",
		"# TYPE officina_outbox_backlog gauge\nofficina_outbox_backlog 17\n",
		`officina_sensor_age_seconds{sensor="bme280 \"hall\""} 1.5` + "\n",
		`officina_sensor_age_seconds{sensor="sps30"} +Inf` + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks\n%s\ngot:\n%s", want, out)
		}
	}
	if c.Value() != 3 {
		t.Errorf("counter value %d, want 3", c.Value())
	}
}
