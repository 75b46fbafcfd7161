// Package lan lets kiosks in one hub find each other over mDNS
// (_officina._tcp, github.com/grandcat/zeroconf) and help each other: a
// sibling serves content blobs it has, and relays the events of a sibling
// that has no uplink to the hub. A peer is trusted only with a device
// certificate signed by this deployment's hub key.
//
// zeroconf v1.0.0 has defects this package works around:
//   - it never reports a service that went away: peers expire here when not
//     seen again within their TTL;
//   - it advertises every address of every link: we pass interfaces
//     explicitly and prefer IPv4 when choosing where to dial;
//   - IPv6 link-local addresses come without a zone: we add the zone of the
//     interface we browse on, or skip them;
//   - its Server keeps a goroutine after Shutdown: we register once per Run
//     and do not re-register in a loop.
package lan

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/sync/wire"
)

// Service is the mDNS service type kiosks advertise.
const Service = "_officina._tcp"

// Announcement is what a kiosk advertises in its TXT record.
type Announcement struct {
	DeviceID   string
	Site       string
	Deployment string
	Version    string
	Uplink     bool
	PublicKey  ed25519.PublicKey
	Cert       []byte // the hub's signature: wire.CertificateMessage
}

// TXT encodes the announcement as TXT strings (each well under 255 bytes).
func (a Announcement) TXT() []string {
	up := "0"
	if a.Uplink {
		up = "1"
	}
	return []string{
		"id=" + a.DeviceID, "site=" + a.Site, "dep=" + a.Deployment, "ver=" + a.Version, "up=" + up,
		"pk=" + base64.StdEncoding.EncodeToString(a.PublicKey),
		"cert=" + base64.StdEncoding.EncodeToString(a.Cert),
	}
}

// ParseTXT decodes TXT strings.
func ParseTXT(txt []string) (Announcement, error) {
	var a Announcement
	for _, kv := range txt {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "id":
			a.DeviceID = v
		case "site":
			a.Site = v
		case "dep":
			a.Deployment = v
		case "ver":
			a.Version = v
		case "up":
			a.Uplink = v == "1"
		case "pk":
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(b) != ed25519.PublicKeySize {
				return a, errors.New("lan: bad public key in TXT")
			}
			a.PublicKey = b
		case "cert":
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return a, errors.New("lan: bad certificate in TXT")
			}
			a.Cert = b
		}
	}
	if a.DeviceID == "" || a.PublicKey == nil || a.Cert == nil {
		return a, errors.New("lan: TXT lacks id, pk or cert")
	}
	return a, nil
}

// Errors from Trust.
var (
	ErrOtherDeployment = errors.New("lan: peer belongs to another deployment")
	ErrBadCert         = errors.New("lan: peer's device certificate does not verify")
)

// Trust checks that a is a kiosk of our deployment: its id derives from
// its key and the hub key signed (deployment, site, id, key).
func Trust(a Announcement, deployment string, hubKey ed25519.PublicKey) error {
	if a.Deployment != deployment {
		return fmt.Errorf("%w (%q, ours is %q)", ErrOtherDeployment, a.Deployment, deployment)
	}
	if identity.DeviceID(a.PublicKey) != a.DeviceID {
		return fmt.Errorf("%w: id %s does not match its key", ErrBadCert, a.DeviceID)
	}
	if !ed25519.Verify(hubKey, wire.CertificateMessage(a.Deployment, a.Site, a.DeviceID, a.PublicKey), a.Cert) {
		return ErrBadCert
	}
	return nil
}

// Peer is a trusted sibling seen on the LAN.
type Peer struct {
	Announcement
	Addr    string // host:port to dial
	Seen    time.Time
	Expires time.Time
}

// Peers is the table of siblings, expired by TTL because zeroconf never
// says a service has gone.
type Peers struct {
	mu    sync.Mutex
	peers map[string]Peer
}

// NewPeers returns an empty table.
func NewPeers() *Peers { return &Peers{peers: map[string]Peer{}} }

// Observe records p, seen at now, valid for ttl.
func (t *Peers) Observe(p Peer, now time.Time, ttl time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p.Seen, p.Expires = now, now.Add(ttl)
	t.peers[p.DeviceID] = p
}

// List returns the live peers at now (expired ones are dropped), those with
// an uplink first, then by id.
func (t *Peers) List(now time.Time) []Peer {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Peer
	for id, p := range t.peers {
		if !now.Before(p.Expires) {
			delete(t.peers, id)
			continue
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Uplink != out[j].Uplink {
			return out[i].Uplink
		}
		return out[i].DeviceID < out[j].DeviceID
	})
	return out
}

// ChooseAddr picks where to dial a peer: an IPv4 address if any (zeroconf
// advertises every address of every link), else an IPv6 one, giving
// link-local addresses the zone of the interface they were seen on (the
// library drops it). ok is false when there is nothing usable.
func ChooseAddr(v4, v6 []net.IP, zone string, port int) (string, bool) {
	for _, ip := range v4 {
		if ip.To4() != nil && !ip.IsUnspecified() {
			return net.JoinHostPort(ip.String(), fmt.Sprint(port)), true
		}
	}
	for _, ip := range v6 {
		if ip.IsLinkLocalUnicast() {
			if zone == "" {
				continue // unusable without a zone
			}
			return net.JoinHostPort(ip.String()+"%"+zone, fmt.Sprint(port)), true
		}
		if !ip.IsUnspecified() {
			return net.JoinHostPort(ip.String(), fmt.Sprint(port)), true
		}
	}
	return "", false
}
