// Package hub is officina-hub's sync API: enrolment, authenticated event
// upload, and the versioned state (catalogue, roster, site settings,
// notices) that flows down to kiosks. Server is an http.Handler over a
// Store; cmd/officina-hub wires it to a listener.
package hub

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/sync/wire"
)

// Options configure a Server.
type Options struct {
	Clock  clock.Clock  // clock.System{} by default
	Logger *slog.Logger // discards by default
	// RateLimit is how many requests a device may make per RateWindow
	// (default 600 per minute).
	RateLimit  int
	RateWindow time.Duration
}

// Server serves the sync API.
type Server struct {
	store Store
	keys  *Keys
	blobs *bundle.Blobs
	clock clock.Clock
	log   *slog.Logger
	mux   *http.ServeMux
	limit *limiter
}

// NewServer returns the API handler.
func NewServer(st Store, keys *Keys, blobs *bundle.Blobs, opts Options) *Server {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 600
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Minute
	}
	s := &Server{store: st, keys: keys, blobs: blobs, clock: opts.Clock, log: opts.Logger, mux: http.NewServeMux(),
		limit: &limiter{limit: opts.RateLimit, window: opts.RateWindow, seen: map[string]*window{}}}
	s.mux.HandleFunc("POST "+wire.PathEnroll, s.enroll)
	s.mux.Handle("POST "+wire.PathEvents, s.authed(s.events))
	s.mux.Handle("GET "+wire.PathState, s.authed(s.state))
	s.mux.Handle("GET "+wire.PathManifest, s.authed(s.manifest))
	s.mux.Handle("GET "+wire.PathBlobs+"{sum}", s.authed(s.blob))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusNotFound, Detail: "no such endpoint; see docs/sync-protocol.md"})
	})
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

const maxJSONBody = 64 << 10

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	var req wire.EnrollRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody)).Decode(&req); err != nil {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusBadRequest, Detail: "enrolment request is not valid JSON"})
		return
	}
	if len(req.PublicKey) != ed25519.PublicKeySize || !ed25519.Verify(req.PublicKey, wire.EnrollProof(req.Code, req.PublicKey), req.Proof) {
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemBadSig, Title: "Bad key proof", Status: http.StatusBadRequest,
			Detail: "the enrolment must be signed by the key being enrolled"})
		return
	}
	dev := Device{ID: identity.DeviceID(req.PublicKey), PublicKey: req.PublicKey, Name: req.Name}
	dev, err := s.store.Enrol(r.Context(), strings.TrimSpace(req.Code), dev, s.clock.Now())
	if errors.Is(err, wire.ErrBadCode) {
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemBadCode, Title: "Enrolment code not valid", Status: http.StatusForbidden,
			Detail: "the code is unknown, already used or expired: ask the coordinator for a new one"})
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	s.log.Info("kiosk enrolled", "device", dev.ID, "site", dev.Site, "name", dev.Name)
	writeJSON(w, http.StatusOK, wire.Enrolment{
		DeviceID: dev.ID, Site: dev.Site, Deployment: s.keys.Deployment(),
		HubKey: s.keys.Signing.Public().(ed25519.PublicKey), SealKey: s.keys.Seal.PublicKey().Bytes(),
		HMACSecret: s.keys.HMAC, Certificate: s.keys.Certify(dev.Site, dev.ID, dev.PublicKey),
	})
}

// request is an authenticated request.
type request struct {
	dev  Device
	body []byte
	// offset is hub time minus the kiosk's clock at this request.
	offset time.Duration
}

func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.clock.Now()
		id := r.Header.Get(wire.HeaderDevice)
		dev, err := s.store.Device(r.Context(), id)
		if errors.Is(err, ErrNoDevice) {
			wire.WriteProblem(w, wire.Problem{Type: wire.ProblemUnknown, Title: "Kiosk not enrolled", Status: http.StatusUnauthorized,
				Detail: "this hub does not know device " + strconv.Quote(id) + ": enrol it with a code"})
			return
		}
		if err != nil {
			s.internal(w, err)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, wire.MaxBatchCompressed+1))
		if err != nil {
			wire.WriteProblem(w, wire.Problem{Status: http.StatusBadRequest, Detail: "reading the request body: " + err.Error()})
			return
		}
		if len(body) > wire.MaxBatchCompressed {
			wire.WriteProblem(w, wire.Problem{Status: http.StatusRequestEntityTooLarge, Detail: "send smaller batches"})
			return
		}
		if err := wire.Verify(r, body, dev.PublicKey); err != nil {
			wire.WriteProblem(w, wire.Problem{Type: wire.ProblemBadSig, Title: "Signature invalid", Status: http.StatusUnauthorized, Detail: err.Error()})
			return
		}
		if !s.limit.allow(w, id, now) {
			wire.WriteProblem(w, wire.Problem{Type: wire.ProblemRateLimited, Title: "Too many requests", Status: http.StatusTooManyRequests})
			return
		}
		if !dev.Revoked.IsZero() {
			wire.WriteProblem(w, wire.Problem{Type: wire.ProblemRevoked, Title: "Kiosk revoked", Status: http.StatusForbidden,
				Detail: "the coordinator revoked this kiosk on " + dev.Revoked.UTC().Format("2006-01-02") + "; it must be enrolled again"})
			return
		}
		counter, err1 := strconv.ParseUint(r.Header.Get(wire.HeaderCounter), 10, 64)
		kioskMS, err2 := strconv.ParseInt(r.Header.Get(wire.HeaderClock), 10, 64)
		backlog, _ := strconv.ParseUint(r.Header.Get(wire.HeaderBacklog), 10, 64)
		if err1 != nil || err2 != nil {
			wire.WriteProblem(w, wire.Problem{Status: http.StatusBadRequest, Detail: "missing or malformed counter or clock header"})
			return
		}
		offset := now.Sub(time.UnixMilli(kioskMS)).Round(time.Millisecond)
		c := Contact{At: now, Backlog: backlog, Version: trunc(r.Header.Get(wire.HeaderAppVersion), 64),
			ClockOffset: offset, ClockSynced: r.Header.Get(wire.HeaderClockSynced) == "1", Trouble: trunc(r.Header.Get(wire.HeaderTrouble), 500)}
		if err := s.store.Authorize(r.Context(), id, counter, c); errors.Is(err, wire.ErrReplayed) {
			wire.WriteProblem(w, wire.Problem{Type: wire.ProblemReplayed, Title: "Request replayed", Status: http.StatusUnauthorized,
				Detail: "request counter not above the last one seen"})
			return
		} else if err != nil {
			s.internal(w, err)
			return
		}
		h(w, r, &request{dev: dev, body: body, offset: offset})
	})
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Server) events(w http.ResponseWriter, r *http.Request, req *request) {
	b, err := wire.DecodeBatch(req.body)
	if err != nil {
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemBadBatch, Title: "Malformed batch", Status: http.StatusBadRequest, Detail: err.Error()})
		return
	}
	origin := req.dev
	offset := req.offset
	if b.Device != req.dev.ID {
		// A sibling relays another kiosk's batch: it must carry the
		// origin's signature and the origin must be enrolled here.
		origin, err = s.store.Device(r.Context(), b.Device)
		if err != nil || !origin.Revoked.IsZero() {
			wire.WriteProblem(w, wire.Problem{Type: wire.ProblemUnknown, Title: "Relayed kiosk unknown or revoked", Status: http.StatusForbidden,
				Detail: "device " + strconv.Quote(b.Device)})
			return
		}
		offset = origin.ClockOffset // the origin's last observed offset…
		if b.ClockMS != 0 {
			// …unless the batch says when it was made: the LAN hop is short.
			offset = s.clock.Now().Sub(time.UnixMilli(b.ClockMS)).Round(time.Millisecond)
		}
	}
	if err := wire.VerifyBatch(req.body, r.Header.Get(wire.HeaderBatchSig), origin.PublicKey); err != nil {
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemBadSig, Title: "Batch signature invalid", Status: http.StatusUnauthorized, Detail: err.Error()})
		return
	}
	acked, err := s.store.Ingest(r.Context(), origin.ID, b.Events, offset.Milliseconds(), s.clock.Now())
	var gap *GapError
	if errors.As(err, &gap) {
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemGap, Title: "Events missing", Status: http.StatusConflict,
			Detail: fmt.Sprintf("resend from %d", gap.ResendFrom), ResendFrom: gap.ResendFrom})
		return
	}
	if err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Ack{Acked: acked})
}

func (s *Server) state(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	st := wire.State{Device: req.dev.ID}
	var err error
	var errs []error
	st.Content, _, err = s.store.Content(ctx)
	errs = append(errs, err)
	st.Roster, err = s.store.Roster(ctx, req.dev.Site)
	errs = append(errs, err)
	st.Config, err = s.store.SiteConfig(ctx, req.dev.Site)
	errs = append(errs, err)
	st.Notices, err = s.store.Notices(ctx, req.dev.Site)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		s.internal(w, err)
		return
	}
	etag := fmt.Sprintf(`"c%d-r%d-s%d-n%d"`, st.Content.Version, st.Roster.Version, st.Config.Version, st.Notices.Version)
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request, req *request) {
	v, m, err := s.store.Content(r.Context())
	if err != nil {
		s.internal(w, err)
		return
	}
	if m == nil {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusNotFound, Detail: "no content published yet"})
		return
	}
	w.Header().Set("ETag", `"`+v.SHA256+`"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(m))
}

func (s *Server) blob(w http.ResponseWriter, r *http.Request, req *request) {
	sum := r.PathValue("sum")
	f, err := s.blobs.Open(sum)
	if err != nil {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusNotFound, Detail: "no blob " + strconv.Quote(sum)})
		return
	}
	defer f.Close()
	w.Header().Set("ETag", `"`+sum+`"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, f) // handles Range
}

func (s *Server) internal(w http.ResponseWriter, err error) {
	s.log.Error("hub request failed", "err", err)
	wire.WriteProblem(w, wire.Problem{Status: http.StatusInternalServerError, Detail: "the hub could not complete the request; the kiosk will retry"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", wire.ContentTypeJSON)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// limiter is a fixed-window request counter per device, answering with the
// X-RateLimit-* headers the Italian interoperability guidelines ask for.
type limiter struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	seen   map[string]*window
}

type window struct {
	start time.Time
	used  int
}

func (l *limiter) allow(w http.ResponseWriter, id string, now time.Time) bool {
	l.mu.Lock()
	win := l.seen[id]
	if win == nil || now.Sub(win.start) >= l.window || now.Before(win.start) {
		if len(l.seen) > 100000 {
			clear(l.seen) // bound memory against floods of made-up ids
		}
		win = &window{start: now}
		l.seen[id] = win
	}
	win.used++
	used, reset := win.used, win.start.Add(l.window).Sub(now)
	l.mu.Unlock()
	secs := int((reset + time.Second - 1) / time.Second)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, l.limit-used)))
	h.Set("X-RateLimit-Reset", strconv.Itoa(secs))
	if used > l.limit {
		h.Set("Retry-After", strconv.Itoa(secs))
		return false
	}
	return true
}
