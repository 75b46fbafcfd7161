package lan_test

import (
	"crypto/ed25519"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/sync/lan"
	"github.com/officina-digitale/officina/sync/wire"
)

// certified returns an announcement certified by hubPriv for deployment.
func certified(hubPriv ed25519.PrivateKey, deployment, site string) (lan.Announcement, ed25519.PrivateKey) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	id := identity.DeviceID(pub)
	return lan.Announcement{DeviceID: id, Site: site, Deployment: deployment, Version: "1", Uplink: true, PublicKey: pub,
		Cert: ed25519.Sign(hubPriv, wire.CertificateMessage(deployment, site, id, pub))}, priv
}

func TestTrustOnlyPeersOfOurDeployment(t *testing.T) {
	hubPub, hubPriv, _ := ed25519.GenerateKey(nil)
	_, otherHub, _ := ed25519.GenerateKey(nil)
	ours, _ := certified(hubPriv, "dep-genova", "berio")
	round, err := lan.ParseTXT(ours.TXT())
	if err != nil {
		t.Fatal(err)
	}
	if err := lan.Trust(round, "dep-genova", hubPub); err != nil {
		t.Fatalf("our own sibling refused: %v", err)
	}
	foreign, _ := certified(otherHub, "dep-firenze", "oblate")
	if err := lan.Trust(foreign, "dep-genova", hubPub); !errors.Is(err, lan.ErrOtherDeployment) {
		t.Fatalf("kiosk of another deployment: %v", err)
	}
	// Claims our deployment, but its certificate is from another hub.
	impostor, _ := certified(otherHub, "dep-genova", "berio")
	if err := lan.Trust(impostor, "dep-genova", hubPub); !errors.Is(err, lan.ErrBadCert) {
		t.Fatalf("impostor: %v", err)
	}
	// A real certificate replayed under another id.
	stolen := ours
	stolen.DeviceID = "ofc-someoneelse"
	if err := lan.Trust(stolen, "dep-genova", hubPub); !errors.Is(err, lan.ErrBadCert) {
		t.Fatalf("stolen certificate: %v", err)
	}
}

func TestPeersExpireByTTL(t *testing.T) {
	hubPub, hubPriv, _ := ed25519.GenerateKey(nil)
	_ = hubPub
	a, _ := certified(hubPriv, "d", "s")
	b, _ := certified(hubPriv, "d", "s")
	b.Uplink = false
	p := lan.NewPeers()
	t0 := time.Unix(1000, 0)
	p.Observe(lan.Peer{Announcement: b, Addr: "10.0.0.2:8471"}, t0, time.Minute)
	p.Observe(lan.Peer{Announcement: a, Addr: "10.0.0.3:8471"}, t0.Add(30*time.Second), time.Minute)
	if l := p.List(t0.Add(40 * time.Second)); len(l) != 2 || l[0].DeviceID != a.DeviceID {
		t.Fatalf("peers %v: want both, the one with an uplink first", l)
	}
	if l := p.List(t0.Add(61 * time.Second)); len(l) != 1 || l[0].DeviceID != a.DeviceID {
		t.Fatalf("after b's TTL: %v, want only a", l)
	}
	if l := p.List(t0.Add(5 * time.Minute)); len(l) != 0 {
		t.Fatalf("long after: %v", l)
	}
}

func TestChooseAddrPrefersIPv4AndZonesLinkLocal(t *testing.T) {
	v4 := []net.IP{net.ParseIP("192.168.1.20")}
	ll := []net.IP{net.ParseIP("fe80::1")}
	if a, _ := lan.ChooseAddr(v4, ll, "eth0", 8471); a != "192.168.1.20:8471" {
		t.Fatalf("got %s", a)
	}
	if a, _ := lan.ChooseAddr(nil, ll, "eth0", 8471); a != "[fe80::1%eth0]:8471" {
		t.Fatalf("got %s", a)
	}
	if _, ok := lan.ChooseAddr(nil, ll, "", 8471); ok {
		t.Fatal("a link-local address without a zone is unusable")
	}
}
