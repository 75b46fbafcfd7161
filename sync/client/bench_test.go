package client_test

import (
	"context"
	"encoding/binary"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
)

// BenchmarkUpload100k sends 100,000 demo events from a kiosk to a hub on
// loopback and waits until all are acknowledged. It reports events/s and
// the bytes on the wire per event (both directions, HTTP included).
func BenchmarkUpload100k(b *testing.B) {
	const n = 100000
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := startHub(b, b.TempDir(), hub.Options{RateLimit: 1 << 30}, nil)
		k := newKiosk(b, h, "s")
		var cnt counter
		c := k.newClient(b, client.Options{HTTP: countingClient(&cnt)})
		k.appendEvents(b, n)
		b.StartTimer()
		start, cpu0, alloc0 := time.Now(), cpuTime(), allocated()
		if _, err := c.Upload(ctx); err != nil {
			b.Fatal(err)
		}
		el, cpu, alloc := time.Since(start), cpuTime()-cpu0, allocated()-alloc0
		b.StopTimer()
		if k.backlog(b) != 0 {
			b.Fatal("backlog left")
		}
		b.ReportMetric(n/el.Seconds(), "events/s")
		b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/event")
		b.ReportMetric(float64(alloc)/n, "alloc-B/event")
		b.ReportMetric(float64(cnt.read.Load()+cnt.written.Load())/n, "wire-bytes/event")
		h.stop()
	}
}

// cpuTime is the process's user+system CPU time so far. The benchmarks
// report CPU per event besides events/s: on this shared machine the wall
// clock mostly measures the neighbours, CPU time measures our code (kiosk
// and in-process hub together).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// allocated is how many bytes the process has allocated so far.
func allocated() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

func rssKB(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return 0
}

// BenchmarkDrain1M measures how much the kiosk's resident memory grows
// while it drains a 1,000,000-event backlog to the hub.
func BenchmarkDrain1M(b *testing.B) {
	const n = 1000000
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := startHub(b, b.TempDir(), hub.Options{RateLimit: 1 << 30}, nil)
		k := newKiosk(b, h, "s")
		c := k.newClient(b, client.Options{})
		k.appendEvents(b, n)
		runtime.GC()
		debug.FreeOSMemory()
		base := rssKB(b)
		peak := base
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					peak = max(peak, rssKB(b))
				}
			}
		}()
		b.StartTimer()
		start, cpu0, alloc0 := time.Now(), cpuTime(), allocated()
		if _, err := c.Upload(ctx); err != nil {
			b.Fatal(err)
		}
		el, cpu, alloc := time.Since(start), cpuTime()-cpu0, allocated()-alloc0
		b.StopTimer()
		close(stop)
		<-done
		if k.backlog(b) != 0 {
			b.Fatal("backlog left")
		}
		b.ReportMetric(float64(peak-base)/1024, "rss-growth-MB")
		b.ReportMetric(n/el.Seconds(), "events/s")
		b.ReportMetric(float64(cpu.Microseconds())/n, "cpu-µs/event")
		b.ReportMetric(float64(alloc)/n, "alloc-B/event")
		h.stop()
	}
}

// BenchmarkChangedLesson100MB publishes a 100 MB catalogue (100 blobs of
// 1 MB), lets a kiosk download it, changes one lesson and measures what
// the next pull moves.
func BenchmarkChangedLesson100MB(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := startHub(b, b.TempDir(), hub.Options{RateLimit: 1 << 30}, nil)
		k := newKiosk(b, h, "s")
		var cnt counter
		kb, _ := bundle.OpenBlobs(filepath.Join(k.dir, "blobs"))
		c := k.newClient(b, client.Options{HTTP: countingClient(&cnt), Blobs: kb, Catalogue: &lineCatalogue{}})
		blobs := make([][]byte, 100)
		rng := mrand.New(mrand.NewPCG(1, uint64(i)))
		for j := range blobs {
			blobs[j] = make([]byte, 1<<20)
			for p := 0; p < len(blobs[j]); p += 8 {
				binary.LittleEndian.PutUint64(blobs[j][p:], rng.Uint64())
			}
		}
		publish(b, h, blobs...)
		if _, err := c.Pull(ctx); err != nil {
			b.Fatal(err)
		}
		full := cnt.read.Load()
		blobs[42] = append([]byte("lezione corretta\n"), blobs[42][:1000]...)
		publish(b, h, blobs...)
		cnt.read.Store(0)
		cnt.requests.Store(0)
		b.StartTimer()
		if _, err := c.Pull(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(full)/1e6, "first-pull-MB")
		b.ReportMetric(float64(cnt.read.Load())/1e3, "changed-pull-kB")
		b.ReportMetric(float64(cnt.requests.Load()), "changed-pull-requests")
		h.stop()
	}
}
