// Package wire is the officina sync protocol shared by the kiosk and the
// hub: the event batch encoding, request signing, the JSON messages and the
// application/problem+json errors. docs/sync-protocol.md describes it for
// people; this package is its executable form.
package wire

import (
	"errors"
	"fmt"
	"time"
)

// Version is the protocol version; every path starts with /v1/.
const Version = 1

// Paths of the hub's API.
const (
	PathEnroll   = "/v1/enroll"
	PathEvents   = "/v1/events"
	PathState    = "/v1/state"
	PathManifest = "/v1/content/manifest"
	PathBlobs    = "/v1/content/blobs/" // + sha256 in hex
)

// Content types.
const (
	ContentTypeBatch   = "application/vnd.officina.batch"
	ContentTypeProblem = "application/problem+json"
	ContentTypeJSON    = "application/json"
)

// Headers every authenticated request carries. All Officina-* headers but
// the signature are covered by the signature.
const (
	HeaderDevice      = "Officina-Device"
	HeaderCounter     = "Officina-Counter"
	HeaderClock       = "Officina-Clock"        // kiosk wall clock, Unix ms
	HeaderClockSynced = "Officina-Clock-Synced" // "1" or "0"
	HeaderBacklog     = "Officina-Backlog"      // events not yet acknowledged
	HeaderAppVersion  = "Officina-Version"      // kiosk software version
	HeaderTrouble     = "Officina-Trouble"      // short device-trouble summary, "" when fine
	HeaderBatchSig    = "Officina-Batch-Signature"
	HeaderSignature   = "Officina-Signature"
)

// Event is one kiosk event as it travels. Its identity is (DeviceID, Seq).
type Event struct {
	Seq         uint64
	Kind        string
	Version     int
	WallMS      int64 // device wall clock, Unix milliseconds
	ClockSynced bool
	Payload     []byte
}

// Time returns the event's device wall-clock time.
func (e Event) Time() time.Time { return time.UnixMilli(e.WallMS) }

// Ack is the hub's answer to an upload: the highest contiguous sequence
// number it has stored for the device.
type Ack struct {
	Acked uint64 `json:"acked"`
}

// EnrollRequest is posted by a kiosk with a one-time code.
type EnrollRequest struct {
	Code      string `json:"code"`
	PublicKey []byte `json:"public_key"` // Ed25519, 32 bytes
	Name      string `json:"name,omitempty"`
	Version   string `json:"version,omitempty"`
	// Proof is the device key's signature over EnrollProof(Code, PublicKey).
	Proof []byte `json:"proof"`
}

// EnrollProof is the message a kiosk signs to prove it holds the key it
// enrols.
func EnrollProof(code string, pub []byte) []byte {
	return append([]byte("officina-enroll-v1\n"+code+"\n"), pub...)
}

// Enrolment is what the hub gives a newly enrolled kiosk.
type Enrolment struct {
	DeviceID   string `json:"device_id"`
	Site       string `json:"site"`
	SiteName   string `json:"site_name,omitempty"`
	Deployment string `json:"deployment"`
	// HubKey is the hub's Ed25519 key: it signs content and device certificates.
	HubKey []byte `json:"hub_key"`
	// SealKey is the hub's X25519 public key personal data is sealed to.
	SealKey []byte `json:"seal_key"`
	// HMACSecret keys the hash that counts unique citizens across kiosks.
	HMACSecret []byte `json:"hmac_secret"`
	// Certificate is the hub's signature over CertificateMessage(...).
	Certificate []byte `json:"certificate"`
}

// CertificateMessage is what the hub signs to certify a device: siblings on
// the LAN check it with the hub key before trusting a peer.
func CertificateMessage(deployment, site, deviceID string, pub []byte) []byte {
	return append([]byte(fmt.Sprintf("officina-device-cert-v1\n%s\n%s\n%s\n", deployment, site, deviceID)), pub...)
}

// State is the hub's view of what a kiosk should hold. Each part is
// versioned; the whole answer has an ETag, so "nothing changed" is a 304.
type State struct {
	Device  string     `json:"device"`
	Content Versioned  `json:"content"` // Version names the manifest; fetch it from PathManifest
	Roster  Roster     `json:"roster"`
	Config  SiteConfig `json:"config"`
	Notices Notices    `json:"notices"`
}

// Versioned names a version of something fetched separately.
type Versioned struct {
	Version int64  `json:"version"`
	SHA256  string `json:"sha256,omitempty"`
}

// Roster is the site's staff list: card ids and PIN hashes only.
type Roster struct {
	Version int64         `json:"version"`
	Staff   []StaffMember `json:"staff"`
}

// StaffMember is one person allowed to log in as staff.
type StaffMember struct {
	ID      string `json:"id"` // national facilitator ID (IDFacilitatore), as in the Facilita export
	Card    string `json:"card"`
	Name    string `json:"name"`
	PINHash string `json:"pin_hash"` // never the PIN itself
	Role    string `json:"role,omitempty"`
}

// SiteConfig is the site's settings, set on the hub.
type SiteConfig struct {
	Version  int64             `json:"version"`
	Settings map[string]string `json:"settings,omitempty"`
}

// Notices are the messages from the centre for this site.
type Notices struct {
	Version int64    `json:"version"`
	Items   []Notice `json:"items"`
}

// Notice is one message shown on kiosks until it expires.
type Notice struct {
	ID    int64     `json:"id"`
	Text  string    `json:"text"`
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
	Site  string    `json:"site,omitempty"` // "" for every site
}

// Active reports whether the notice should be shown at t.
func (n Notice) Active(t time.Time) bool {
	return !t.Before(n.From) && t.Before(n.Until)
}

// Errors a kiosk can tell apart with errors.Is.
var (
	ErrRevoked     = errors.New("this kiosk has been revoked by the hub")
	ErrUnknown     = errors.New("this kiosk is not enrolled at the hub")
	ErrBadCode     = errors.New("enrolment code unknown, used or expired")
	ErrReplayed    = errors.New("request replayed")
	ErrBadSig      = errors.New("request signature invalid")
	ErrRateLimited = errors.New("rate limited by the hub")
	ErrGap         = errors.New("hub is missing earlier events")
	ErrBadBatch    = errors.New("malformed event batch")
)
