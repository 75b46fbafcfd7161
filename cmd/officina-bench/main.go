// Command officina-bench times whole kiosk processes, where a Go benchmark
// cannot: start-up to a healthy status endpoint and resident memory at idle
// with a store of a given size.
//
//	go build -o bin/officina-headless ./cmd/officina   (CGO_ENABLED=0)
//	go run ./cmd/officina-bench -officina bin/officina-headless -events 1000000 -runs 5
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "officina-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("officina-bench", flag.ContinueOnError)
	bin := fs.String("officina", "bin/officina-headless", "the officina binary to start")
	events := fs.Int("events", 1_000_000, "events in the store before start")
	runs := fs.Int("runs", 5, "process starts to take the median of")
	idle := fs.Duration("idle", 5*time.Second, "how long to let the kiosk idle before reading its RSS")
	data := fs.String("data", "", "data directory to use (default: a new temporary one)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *data
	if dir == "" {
		d, err := os.MkdirTemp("", "officina-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if err := fill(dir, *events); err != nil {
		return err
	}
	var starts, rss []float64
	for i := 0; i < *runs; i++ {
		s, r, err := once(*bin, dir, *idle)
		if err != nil {
			return err
		}
		starts = append(starts, s.Seconds()*1000)
		rss = append(rss, float64(r)/1024)
	}
	fmt.Fprintf(out, "events=%d runs=%d start-to-healthy median=%.0f ms (min %.0f, max %.0f); idle RSS median=%.1f MB (min %.1f, max %.1f)\n",
		*events, *runs, median(starts), minOf(starts), maxOf(starts), median(rss), minOf(rss), maxOf(rss))
	return nil
}

// fill creates the device identity and appends events until the store holds n.
func fill(dir string, n int) error {
	ctx := context.Background()
	id, err := identity.LoadOrCreate(dir, nil)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, filepath.Join(dir, "officina.db"), id.ID, store.Options{Synchronous: "OFF"})
	if err != nil {
		return err
	}
	defer st.Close()
	have, err := st.LastSeq(ctx)
	if err != nil {
		return err
	}
	payload := []byte(`{"service":"spid.activation","minutes":25,"se5":"C2","se6":"D1","citizen":"p:4f1c0a9e7b22","operator":"ofc-staff-07","note":"first SPID with the citizen's phone; recovery codes printed"}`)
	for int(have) < n {
		batch := min(10_000, n-int(have))
		if err := st.Write(ctx, func(tx *store.Tx) error {
			for j := 0; j < batch; j++ {
				if _, err := tx.Append("service.recorded", 1, payload); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		have += uint64(batch)
	}
	return nil
}

// once starts the kiosk headless, waits for /healthz, lets it idle, and
// returns the start-up time and its VmRSS in kB.
func once(bin, dir string, idle time.Duration) (time.Duration, int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "run", "--headless", "--data", dir, "--status-addr", addr)
	cmd.Env = append(os.Environ(), "OFFICINA_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	var up time.Duration
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				up = time.Since(t0)
				break
			}
		}
		if time.Since(t0) > 30*time.Second {
			return 0, 0, fmt.Errorf("the kiosk was not healthy after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(idle)
	rss, err := vmRSS(cmd.Process.Pid)
	return up, rss, err
}

func vmRSS(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
