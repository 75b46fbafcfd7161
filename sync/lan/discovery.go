package lan

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/grandcat/zeroconf"
	"github.com/officina-digitale/officina/kiosk/clock"
)

// Options configure Discovery.
type Options struct {
	// Self is what this kiosk advertises.
	Self Announcement
	// Port is the sibling endpoint's port (Handler).
	Port int
	// Interfaces to advertise and browse on. Required: zeroconf would
	// otherwise use every link, including ones we must never touch.
	Interfaces []net.Interface
	// HubKey and Self.Deployment decide whom to trust.
	HubKey ed25519.PublicKey
	Peers  *Peers
	// Uplink, if set, is asked before each round; the TXT record follows.
	Uplink func() bool
	// Interval between browse rounds (default 30 s); a peer not seen for
	// TTL (default 3 intervals) is forgotten.
	Interval, TTL time.Duration
	Clock         clock.Clock
	Logger        *slog.Logger
}

// Interfaces returns the named interface, or every interface that is up,
// multicast-capable and not loopback when name is "".
func Interfaces(name string) ([]net.Interface, error) {
	if name != "" {
		ifi, err := net.InterfaceByName(name)
		if err != nil {
			return nil, fmt.Errorf("lan: interface %q: %w", name, err)
		}
		return []net.Interface{*ifi}, nil
	}
	all, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("lan: list interfaces: %w", err)
	}
	var out []net.Interface
	for _, ifi := range all {
		if ifi.Flags&net.FlagUp != 0 && ifi.Flags&net.FlagMulticast != 0 && ifi.Flags&net.FlagLoopback == 0 {
			out = append(out, ifi)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("lan: no interface is up and multicast-capable")
	}
	return out, nil
}

// Run advertises Self and browses for siblings until ctx is done, keeping
// Peers up to date.
func Run(ctx context.Context, o Options) error {
	if len(o.Interfaces) == 0 {
		return errors.New("lan: no interfaces given")
	}
	if o.Peers == nil {
		return errors.New("lan: no peer table")
	}
	if o.Interval <= 0 {
		o.Interval = 30 * time.Second
	}
	if o.TTL <= 0 {
		o.TTL = 3 * o.Interval
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	self := o.Self
	if o.Uplink != nil {
		self.Uplink = o.Uplink()
	}
	srv, err := zeroconf.Register(self.DeviceID, Service, "local.", o.Port, self.TXT(), o.Interfaces)
	if err != nil {
		return fmt.Errorf("lan: advertise: %w", err)
	}
	defer srv.Shutdown()
	srv.TTL(uint32(o.TTL / time.Second))
	for {
		if o.Uplink != nil {
			if up := o.Uplink(); up != self.Uplink {
				self.Uplink = up
				srv.SetText(self.TXT())
			}
		}
		if err := browseRound(ctx, o); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// browseRound browses for one Interval with a fresh resolver: zeroconf
// reports each instance once per Browse, so only a new round refreshes a
// peer's last-seen time.
func browseRound(ctx context.Context, o Options) error {
	res, err := zeroconf.NewResolver(zeroconf.SelectIfaces(o.Interfaces), zeroconf.SelectIPTraffic(zeroconf.IPv4AndIPv6))
	if err != nil {
		return fmt.Errorf("lan: browse: %w", err)
	}
	bctx, cancel := context.WithTimeout(ctx, o.Interval)
	defer cancel()
	entries := make(chan *zeroconf.ServiceEntry, 16)
	if err := res.Browse(bctx, Service, "local.", entries); err != nil {
		return fmt.Errorf("lan: browse: %w", err)
	}
	zone := ""
	if len(o.Interfaces) == 1 {
		zone = o.Interfaces[0].Name
	}
	for e := range entries {
		o.consider(e, zone)
	}
	return nil
}

func (o Options) consider(e *zeroconf.ServiceEntry, zone string) {
	a, err := ParseTXT(e.Text)
	if err != nil {
		o.Logger.Debug("ignoring an mDNS service that is not an officina kiosk", "instance", e.Instance, "err", err)
		return
	}
	if a.DeviceID == o.Self.DeviceID {
		return
	}
	if err := Trust(a, o.Self.Deployment, o.HubKey); err != nil {
		o.Logger.Info("ignoring kiosk on the LAN", "device", a.DeviceID, "reason", err)
		return
	}
	addr, ok := ChooseAddr(e.AddrIPv4, e.AddrIPv6, zone, e.Port)
	if !ok {
		return
	}
	o.Peers.Observe(Peer{Announcement: a, Addr: addr}, o.Clock.Now(), o.TTL)
}
