package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/sync/wire"
)

// EnrolmentFile is the enrolment's file name in the kiosk's data directory.
// It holds the deployment secret, so it is written 0600.
const EnrolmentFile = "enrolment.json"

// Enrolment is what a kiosk keeps from enrolling: where the hub is, its
// pinned TLS key, and what the hub gave it.
type Enrolment struct {
	HubURL   string         `json:"hub_url"`
	TLSPin   string         `json:"tls_pin,omitempty"` // hex SHA-256 of the hub's SPKI; "" for plain http
	Enrolled time.Time      `json:"enrolled"`
	Hub      wire.Enrolment `json:"hub"`
}

// ErrNotEnrolled means the kiosk has no enrolment file.
var ErrNotEnrolled = errors.New("sync: this kiosk is not enrolled with a hub (run 'officina enroll URL CODE')")

// LoadEnrolment reads the enrolment from dir.
func LoadEnrolment(dir string) (*Enrolment, error) {
	b, err := os.ReadFile(filepath.Join(dir, EnrolmentFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, fmt.Errorf("sync: read enrolment: %w", err)
	}
	var e Enrolment
	if err := json.Unmarshal(b, &e); err != nil || e.HubURL == "" || e.Hub.DeviceID == "" {
		return nil, fmt.Errorf("sync: %s is damaged; enrol the kiosk again", filepath.Join(dir, EnrolmentFile))
	}
	return &e, nil
}

// Save writes the enrolment to dir atomically.
func (e *Enrolment) Save(dir string) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, EnrolmentFile), b, 0o600); err != nil {
		return fmt.Errorf("sync: save enrolment: %w", err)
	}
	return nil
}

// HTTPClient returns a client that trusts only the pinned hub key (or plain
// http when there is no pin).
func (e *Enrolment) HTTPClient() *http.Client {
	return &http.Client{Transport: PinnedTransport(e.TLSPin), Timeout: 2 * time.Minute}
}

// PinnedTransport accepts exactly one server key: the one whose SPKI hashes
// to pin. The hub's certificate is self-signed; the pin replaces the CA.
func PinnedTransport(pin string) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.TLSClientConfig = &tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // replaced by the pin check below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("sync: hub sent no certificate")
			}
			sum := sha256.Sum256(cs.PeerCertificates[0].RawSubjectPublicKeyInfo)
			if got := hex.EncodeToString(sum[:]); pin == "" || got != pin {
				return fmt.Errorf("sync: hub TLS key %s is not the one pinned at enrolment (%s): refusing to talk to it", got[:16], shortPin(pin))
			}
			return nil
		},
	}
	return t
}

func shortPin(p string) string {
	if len(p) > 16 {
		return p[:16]
	}
	if p == "" {
		return "none"
	}
	return p
}

// EnrolOptions tune Enrol.
type EnrolOptions struct {
	Name, Version string
	// Pin, if set, is the expected hub TLS pin (from the coordinator);
	// otherwise the key the hub presents now is trusted and pinned.
	Pin string
	// HTTP overrides the client used (tests).
	HTTP *http.Client
}

// Enrol redeems a one-time code at the hub and returns the enrolment (not
// yet saved). The key proves possession by signing the code.
func Enrol(ctx context.Context, hubURL, code string, id *identity.Identity, opts EnrolOptions) (*Enrolment, error) {
	u, err := url.Parse(strings.TrimRight(hubURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sync: hub URL %q must look like https://hub.example.org:8470", hubURL)
	}
	hc := opts.HTTP
	var seenPin string
	if hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.Proxy = nil
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS13, InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("sync: hub sent no certificate")
				}
				sum := sha256.Sum256(cs.PeerCertificates[0].RawSubjectPublicKeyInfo)
				seenPin = hex.EncodeToString(sum[:])
				if opts.Pin != "" && seenPin != opts.Pin {
					return fmt.Errorf("sync: hub TLS key %s does not match the expected pin %s", seenPin[:16], shortPin(opts.Pin))
				}
				return nil
			}}
		hc = &http.Client{Transport: t, Timeout: time.Minute}
	}
	code = strings.TrimSpace(code)
	body, _ := json.Marshal(wire.EnrollRequest{Code: code, PublicKey: id.Public, Name: opts.Name, Version: opts.Version,
		Proof: id.Sign(wire.EnrollProof(code, id.Public))})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String()+wire.PathEnroll, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", wire.ContentTypeJSON)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sync: enrol at %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("sync: enrol: %w", wire.ReadProblem(resp))
	}
	var en wire.Enrolment
	if err := json.NewDecoder(resp.Body).Decode(&en); err != nil {
		return nil, fmt.Errorf("sync: enrol: reading the hub's answer: %w", err)
	}
	if en.DeviceID != id.ID {
		return nil, fmt.Errorf("sync: enrol: hub registered %q, not this kiosk's %q", en.DeviceID, id.ID)
	}
	pin := opts.Pin
	if pin == "" {
		pin = seenPin
	}
	if u.Scheme == "http" {
		pin = ""
	}
	return &Enrolment{HubURL: u.String(), TLSPin: pin, Enrolled: time.Now().UTC(), Hub: en}, nil
}
