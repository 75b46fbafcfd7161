package status_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthzReportsEveryProblem(t *testing.T) {
	s := status.New(metrics.NewRegistry())
	if code, body := get(t, s, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthy: %d %q", code, body)
	}
	printer := errors.New("printer: out of paper")
	s.AddHealth(func(context.Context) error { return nil })
	s.AddHealth(func(context.Context) error { return printer })
	s.AddHealth(func(context.Context) error { return errors.New("store cannot write: disk full") })
	code, body := get(t, s, "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "out of paper") || !strings.Contains(body, "disk full") {
		t.Errorf("degraded: %d %q, want 503 naming both problems", code, body)
	}
}

func TestStatusSections(t *testing.T) {
	s := status.New(metrics.NewRegistry())
	s.AddSection("store", func(context.Context) (any, error) { return map[string]int{"backlog": 4}, nil })
	s.AddSection("sync", func(context.Context) (any, error) { return nil, errors.New("hub unreachable") })
	code, body := get(t, s, "/status")
	if code != 200 {
		t.Fatalf("/status: %d", code)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("/status is not JSON: %v\n%s", err, body)
	}
	if got["store"]["backlog"] != 4.0 {
		t.Errorf("store section = %v", got["store"])
	}
	if got["sync"]["error"] != "hub unreachable" {
		t.Errorf("a failing section should report its error, got %v", got["sync"])
	}
}

func TestMetricsEndpoint(t *testing.T) {
	reg := metrics.NewRegistry()
	reg.GaugeFunc("officina_uptime_seconds", "Uptime.", func() float64 { return 12 })
	code, body := get(t, status.New(reg), "/metrics")
	if code != 200 || !strings.Contains(body, "officina_uptime_seconds 12\n") {
		t.Errorf("/metrics: %d %q", code, body)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- status.New(metrics.NewRegistry()).Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
}
