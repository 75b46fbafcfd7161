// Package status serves the kiosk's local status endpoint on loopback, for
// the hub's fleet view and for whoever maintains the kiosk:
//
//	/healthz  "ok" while the kiosk is up (503 with the reason when degraded)
//	/metrics  Prometheus text format
//	/status   JSON: one object per section that a subsystem registered
package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/metrics"
)

// Section reports one subsystem's state for /status.
type Section func(ctx context.Context) (any, error)

// Health reports a problem that makes /healthz fail, or nil when healthy.
type Health func(ctx context.Context) error

// Server is the status endpoint.
type Server struct {
	reg *metrics.Registry
	mux *http.ServeMux

	mu       sync.Mutex
	sections map[string]Section
	health   []Health
}

// New returns a server that exposes reg.
func New(reg *metrics.Registry) *Server {
	s := &Server{reg: reg, mux: http.NewServeMux(), sections: map[string]Section{}}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.metrics)
	s.mux.HandleFunc("GET /status", s.status)
	return s
}

// AddSection adds a named object to /status.
func (s *Server) AddSection(name string, fn Section) {
	s.mu.Lock()
	s.sections[name] = fn
	s.mu.Unlock()
}

// AddHealth adds a check to /healthz.
func (s *Server) AddHealth(fn Health) {
	s.mu.Lock()
	s.health = append(s.health, fn)
	s.mu.Unlock()
}

// Handle adds another endpoint, such as the sensors' /data.json.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// ServeHTTP makes the server usable in tests through httptest.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	checks := append([]Health(nil), s.health...)
	s.mu.Unlock()
	var errs []error
	for _, c := range checks {
		if err := c(r.Context()); err != nil {
			errs = append(errs, err)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := errors.Join(errs...); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, err)
		return
	}
	fmt.Fprintln(w, "ok")
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.reg.WriteText(w)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	names := make([]string, 0, len(s.sections))
	for n := range s.sections {
		names = append(names, n)
	}
	secs := make(map[string]Section, len(s.sections))
	for n, f := range s.sections {
		secs[n] = f
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := make(map[string]any, len(names))
	for _, n := range names {
		v, err := secs[n](r.Context())
		if err != nil {
			out[n] = map[string]string{"error": err.Error()}
			continue
		}
		out[n] = v
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}

// Run listens on addr and serves until ctx is done, then shuts down,
// letting requests in flight finish for up to five seconds.
func (s *Server) Run(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("status: listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		<-errc
		return nil
	case err := <-errc:
		return fmt.Errorf("status: %w", err)
	}
}
