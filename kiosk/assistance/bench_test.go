package assistance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/codicefiscale"
)

// BenchmarkRecordService measures recording a service end to end: validate
// the codice fiscale and every field, HMAC, seal, and append the events
// with their view rows in one durable (synchronous=FULL) transaction. Half
// the citizens are returning. It reports the p50 and p99 latency.
func BenchmarkRecordService(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	cfs := make([]string, 512)
	for i := range cfs {
		s := fmt.Sprintf("RSSMRA%02dA%02dD969", 40+i%50, 1+i/50)
		c, _ := codicefiscale.CheckChar(s)
		cfs[i] = s + string(c)
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		in := spid(cfs[i%len(cfs)], "Mario", "Rossi")
		start := time.Now()
		if _, err := f.desk.RecordService(ctx, in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
