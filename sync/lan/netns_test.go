package lan_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/officina-digitale/officina/sync/lan"
)

// TestMain lets the test binary act as a kiosk advertising inside a network
// namespace.
func TestMain(m *testing.M) {
	if seed := os.Getenv("OFFICINA_LAN_CHILD"); seed != "" {
		lanChild(seed, os.Getenv("OFFICINA_LAN_IFACE"))
		return
	}
	os.Exit(m.Run())
}

// lanChild advertises two kiosks: one of deployment dep-test certified by
// the hub key, one of another deployment. It prints their ids and waits.
func lanChild(seedHex, iface string) {
	seed, _ := hex.DecodeString(seedHex)
	hubPriv := ed25519.NewKeyFromSeed(seed)
	_, otherHub, _ := ed25519.GenerateKey(nil)
	ours, _ := certified(hubPriv, "dep-test", "berio")
	foreign, _ := certified(otherHub, "dep-other", "oblate")
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for _, a := range []lan.Announcement{ours, foreign} {
		if _, err := zeroconf.Register(a.DeviceID, lan.Service, "local.", 8471, a.TXT(), []net.Interface{*ifi}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
	}
	fmt.Println(ours.DeviceID, foreign.DeviceID)
	select {}
}

func run(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestDiscoveryInNetworkNamespace runs mDNS over a veth pair between the
// test and a namespace it creates, never on a real interface.
func TestDiscoveryInNetworkNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace (ip netns); skipped")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command; skipped")
	}
	if testing.Short() {
		t.Skip("mDNS test skipped with -short")
	}
	n := os.Getpid() % 10000
	ns, here, there := fmt.Sprintf("ofclan%d", n), fmt.Sprintf("ofcva%d", n), fmt.Sprintf("ofcvb%d", n)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here (%v: %s); skipped", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	run(t, "ip", "link", "add", here, "type", "veth", "peer", "name", there)
	t.Cleanup(func() { exec.Command("ip", "link", "del", here).Run() })
	run(t, "ip", "link", "set", there, "netns", ns)
	run(t, "ip", "addr", "add", "10.77.0.1/24", "dev", here)
	run(t, "ip", "link", "set", here, "up", "multicast", "on")
	run(t, "ip", "netns", "exec", ns, "ip", "addr", "add", "10.77.0.2/24", "dev", there)
	run(t, "ip", "netns", "exec", ns, "ip", "link", "set", there, "up", "multicast", "on")
	run(t, "ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

	hubPub, hubPriv, _ := ed25519.GenerateKey(nil)
	child := exec.Command("ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "OFFICINA_LAN_CHILD="+hex.EncodeToString(hubPriv.Seed()), "OFFICINA_LAN_IFACE="+there)
	child.Stderr = os.Stderr
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	var oursID, foreignID string
	if _, err := fmt.Fscan(out, &oursID, &foreignID); err != nil {
		t.Fatalf("child: %v", err)
	}

	ifi, err := net.InterfaceByName(here)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := certified(hubPriv, "dep-test", "berio")
	peers := lan.NewPeers()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- lan.Run(ctx, lan.Options{Self: self, Port: 8471, Interfaces: []net.Interface{*ifi}, HubKey: hubPub,
			Peers: peers, Interval: time.Second, TTL: 3 * time.Second})
	}()
	found := waitFor(t, 20*time.Second, func() bool {
		for _, p := range peers.List(time.Now()) {
			if p.DeviceID == oursID {
				return true
			}
		}
		return false
	})
	if !found {
		t.Fatal("sibling in the namespace never discovered")
	}
	for _, p := range peers.List(time.Now()) {
		if p.DeviceID == foreignID {
			t.Fatal("kiosk of another deployment was trusted")
		}
		if p.DeviceID == oursID && p.Addr != "10.77.0.2:8471" {
			t.Fatalf("sibling address %s, want the IPv4 one on the veth", p.Addr)
		}
	}
	// zeroconf never reports a removal: the peer must expire by TTL.
	child.Process.Kill()
	child.Wait()
	gone := waitFor(t, 20*time.Second, func() bool {
		for _, p := range peers.List(time.Now()) {
			if p.DeviceID == oursID {
				return false
			}
		}
		return true
	})
	if !gone {
		t.Fatal("sibling that went away is still listed")
	}
	cancel()
	<-done
}

// waitFor polls cond until it holds or the deadline passes: mDNS runs on
// real time.
func waitFor(t *testing.T, d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		<-tick.C
	}
	return cond()
}
