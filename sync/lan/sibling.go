package lan

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/officina-digitale/officina/sync/wire"
)

// Paths of the sibling endpoint.
const (
	PathBlobs = "/lan/v1/blobs/" // + sha256
	PathRelay = "/lan/v1/relay"
)

// Headers a sibling adds to prove who it is, next to wire.HeaderDevice and
// the request signature.
const (
	HeaderSite = "Officina-Site"
	HeaderKey  = "Officina-Key"
	HeaderCert = "Officina-Cert"
)

// BlobOpener is what a kiosk shares with siblings: its content blobs.
type BlobOpener interface {
	Open(sha256 string) (io.ReadCloser, error)
}

// RelayFunc forwards a sibling's origin-signed batch to the hub (the
// kiosk's client.PostBatch).
type RelayFunc func(ctx context.Context, batch []byte, batchSig string) (wire.Ack, error)

// Handler is the sibling endpoint a kiosk serves on the LAN.
type Handler struct {
	Deployment string
	HubKey     ed25519.PublicKey
	Blobs      BlobOpener // nil: serve no blobs
	Relay      RelayFunc  // nil (or no uplink): refuse to relay
	mux        *http.ServeMux
}

// NewHandler returns the endpoint.
func NewHandler(deployment string, hubKey ed25519.PublicKey, blobs BlobOpener, relay RelayFunc) *Handler {
	h := &Handler{Deployment: deployment, HubKey: hubKey, Blobs: blobs, Relay: relay, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+PathBlobs+"{sum}", h.blob)
	h.mux.HandleFunc("POST "+PathRelay, h.relay)
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// check verifies the caller is a sibling of our deployment.
func (h *Handler) check(w http.ResponseWriter, r *http.Request, body []byte) bool {
	pk, err1 := base64.StdEncoding.DecodeString(r.Header.Get(HeaderKey))
	cert, err2 := base64.StdEncoding.DecodeString(r.Header.Get(HeaderCert))
	a := Announcement{DeviceID: r.Header.Get(wire.HeaderDevice), Site: r.Header.Get(HeaderSite), Deployment: h.Deployment, PublicKey: pk, Cert: cert}
	err := errors.Join(err1, err2)
	if err == nil && len(pk) != ed25519.PublicKeySize {
		err = errors.New("bad key")
	}
	if err == nil {
		err = Trust(a, h.Deployment, h.HubKey)
	}
	if err == nil {
		err = wire.Verify(r, body, pk)
	}
	if err != nil {
		wire.WriteProblem(w, wire.Problem{Type: wire.ProblemBadSig, Title: "Not a sibling of this deployment", Status: http.StatusForbidden, Detail: err.Error()})
		return false
	}
	return true
}

func (h *Handler) blob(w http.ResponseWriter, r *http.Request) {
	if !h.check(w, r, nil) {
		return
	}
	if h.Blobs == nil {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusNotFound})
		return
	}
	rc, err := h.Blobs.Open(r.PathValue("sum"))
	if err != nil {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusNotFound, Detail: "no such blob here"})
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	io.Copy(w, rc)
}

func (h *Handler) relay(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, wire.MaxBatchCompressed+1))
	if err != nil || len(body) > wire.MaxBatchCompressed {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusRequestEntityTooLarge})
		return
	}
	if !h.check(w, r, body) {
		return
	}
	if h.Relay == nil {
		wire.WriteProblem(w, wire.Problem{Status: http.StatusServiceUnavailable, Detail: "this kiosk has no uplink either"})
		return
	}
	ack, err := h.Relay(r.Context(), body, r.Header.Get(wire.HeaderBatchSig))
	if err != nil {
		var p *wire.Problem
		if errors.As(err, &p) {
			wire.WriteProblem(w, *p) // pass the hub's answer through (gap, revoked…)
			return
		}
		wire.WriteProblem(w, wire.Problem{Status: http.StatusBadGateway, Detail: "relaying to the hub: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", wire.ContentTypeJSON)
	json.NewEncoder(w).Encode(ack)
}

// Self is this kiosk's credentials toward siblings.
type Self struct {
	DeviceID, Site string
	PublicKey      ed25519.PublicKey
	Cert           []byte
	Sign           func([]byte) []byte
}

// Sibling is a client for one peer's endpoint. It implements the sync
// client's BlobSource, and Relay hands it batches.
type Sibling struct {
	Peer Peer
	Self Self
	HTTP *http.Client
}

func (s *Sibling) String() string { return "sibling " + s.Peer.DeviceID + " at " + s.Peer.Addr }

func (s *Sibling) do(ctx context.Context, method, path string, body []byte, hdr func(http.Header)) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+s.Peer.Addr+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set(wire.HeaderDevice, s.Self.DeviceID)
	req.Header.Set(HeaderSite, s.Self.Site)
	req.Header.Set(HeaderKey, base64.StdEncoding.EncodeToString(s.Self.PublicKey))
	req.Header.Set(HeaderCert, base64.StdEncoding.EncodeToString(s.Self.Cert))
	if hdr != nil {
		hdr(req.Header)
	}
	wire.Sign(req, body, s.Self.Sign)
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	return hc.Do(req)
}

// OpenBlob fetches a blob; the caller verifies it.
func (s *Sibling) OpenBlob(ctx context.Context, sum string) (io.ReadCloser, error) {
	resp, err := s.do(ctx, http.MethodGet, PathBlobs+sum, nil, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, wire.ReadProblem(resp)
	}
	return resp.Body, nil
}

// Relay asks the sibling to forward an origin-signed batch to the hub.
func (s *Sibling) Relay(ctx context.Context, batch []byte, batchSig string) (wire.Ack, error) {
	var ack wire.Ack
	resp, err := s.do(ctx, http.MethodPost, PathRelay, batch, func(h http.Header) {
		h.Set(wire.HeaderBatchSig, batchSig)
		h.Set("Content-Type", wire.ContentTypeBatch)
	})
	if err != nil {
		return ack, fmt.Errorf("lan: relay via %s: %w", s.Peer.DeviceID, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ack, wire.ReadProblem(resp)
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&ack)
	return ack, err
}
