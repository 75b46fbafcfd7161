package main

// Sync: hub client, enrolment, `enroll`, `sync --once`, `sync status`.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/supervise"
	"github.com/officina-digitale/officina/sync/apply"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/lan"
	"github.com/officina-digitale/officina/sync/wire"
)

func syncCommands() []command {
	return []command{
		{"enroll", "join a hub: enroll [--pin SHA256] URL CODE", enrollCmd},
		{"sync", "sync --once: upload and download now; sync status: show the sync state", syncCmd},
	}
}

func syncServices(k *kiosk, reg *metrics.Registry, st *status.Server) []supervise.Service {
	a := k.sync
	if a == nil || a.client == nil {
		k.log.Info("not enrolled with a hub: running offline", "hint", "officina enroll URL CODE")
		return nil
	}
	st.AddSection("sync", func(ctx context.Context) (any, error) { return a.client.Status(), nil })
	reg.GaugeFunc("officina_sync_failures", "Consecutive failed syncs.", func() float64 { return float64(a.client.Status().Failures) })
	reg.GaugeFunc("officina_sync_revoked", "1 if the hub has revoked this kiosk.", func() float64 {
		if a.client.Status().Revoked {
			return 1
		}
		return 0
	})
	svcs := []supervise.Service{{Name: "sync", Run: a.client.Run}}
	if a.peers != nil {
		svcs = append(svcs, lanServices(k, a)...)
	}
	if keep := k.cfg.Sync.PruneAfter.D(); keep > 0 {
		svcs = append(svcs, supervise.Service{Name: "sync-prune", Run: func(ctx context.Context) error {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				if _, err := k.store.PruneAcked(ctx, client.Dest, k.clock.Now().Add(-keep)); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-t.C:
				}
			}
		}})
	}
	return svcs
}

func syncSchemas() []store.Schema { return []store.Schema{client.Schema} }

// syncArea holds what the sync area opens for a running kiosk; the UI and the
// services reach it through k.sync. client is nil when the kiosk is not
// enrolled (offline mode).
type syncArea struct {
	enrolment *client.Enrolment
	client    *client.Client
	peers     *lan.Peers // nil unless sync.lan.enabled
}

func openSync(ctx context.Context, k *kiosk) (*syncArea, error) {
	en, err := client.LoadEnrolment(k.cfg.DataDir)
	if errors.Is(err, client.ErrNotEnrolled) {
		return &syncArea{}, nil
	}
	if err != nil {
		return nil, err
	}
	a := &syncArea{enrolment: en}
	self := lan.Self{DeviceID: k.id.ID, Site: en.Hub.Site, PublicKey: k.id.Public, Cert: en.Hub.Certificate, Sign: k.id.Sign}
	var relays func() []client.PostFunc
	var siblings func() []client.BlobSource
	if k.cfg.Sync.LAN.Enabled {
		a.peers = lan.NewPeers()
		relays = func() []client.PostFunc {
			var out []client.PostFunc
			for _, p := range a.peers.List(k.clock.Now()) {
				if p.Uplink {
					out = append(out, (&lan.Sibling{Peer: p, Self: self}).Relay)
				}
			}
			return out
		}
		siblings = func() []client.BlobSource {
			var out []client.BlobSource
			for _, p := range a.peers.List(k.clock.Now()) {
				out = append(out, &lan.Sibling{Peer: p, Self: self})
			}
			return out
		}
	}
	c, err := client.New(ctx, client.Options{
		Store: k.store, Identity: k.id, Enrolment: en, Clock: k.clock, Logger: k.log.With("area", "sync"),
		Version: version, BatchEvents: k.cfg.Sync.BatchEvents, Interval: k.cfg.Sync.Interval.D(),
		MinBackoff: k.cfg.Sync.MinBackoff.D(), MaxBackoff: k.cfg.Sync.MaxBackoff.D(),
		PartialDir: filepath.Join(k.cfg.DataDir, "sync-partial"),
		Relays:     relays, Siblings: siblings,
		// Device trouble for the hub's fleet view: the store's write
		// health (full disk, damaged file) and the hardware's problems.
		Trouble: func() string { return kioskTrouble(k) },
		// The hub's catalogue goes to the content library (signature,
		// blobs and the course check verified there) and is shown at once;
		// its roster replaces the records area's. Site settings have no
		// applier: no setting of the kiosk is meant to be changed from the
		// hub yet, so the client keeps them raw in its state.
		Catalogue: apply.Catalogue{Library: k.content.Library(), Reload: k.content.Reload},
		Blobs:     k.content.Library().Blobs(),
		Roster:    apply.Roster{Roster: k.records.roster},
	})
	if err != nil {
		return nil, err
	}
	a.client = c
	return a, nil
}

// lanServices advertise this kiosk, browse for siblings and serve them
// (its content blobs, and relay when this kiosk has an uplink).
func lanServices(k *kiosk, a *syncArea) []supervise.Service {
	uplink := func() bool {
		st := a.client.Status()
		return !st.LastSuccess.IsZero() && st.LastError == ""
	}
	en := a.enrolment
	return []supervise.Service{
		{Name: "lan-discovery", Run: func(ctx context.Context) error {
			ifaces, err := lan.Interfaces(k.cfg.Sync.LAN.Interface)
			if err != nil {
				return err
			}
			return lan.Run(ctx, lan.Options{
				Self: lan.Announcement{DeviceID: k.id.ID, Site: en.Hub.Site, Deployment: en.Hub.Deployment, Version: version,
					PublicKey: k.id.Public, Cert: en.Hub.Certificate},
				Port: k.cfg.Sync.LAN.Port, Interfaces: ifaces, HubKey: en.Hub.HubKey, Peers: a.peers, Uplink: uplink,
				Clock: k.clock, Logger: k.log.With("area", "lan"),
			})
		}},
		{Name: "lan-endpoint", Run: func(ctx context.Context) error {
			relay := func(ctx context.Context, batch []byte, sig string) (wire.Ack, error) {
				if !uplink() {
					return wire.Ack{}, errors.New("no uplink")
				}
				return a.client.PostBatch(ctx, batch, sig)
			}
			srv := &http.Server{Addr: fmt.Sprintf(":%d", k.cfg.Sync.LAN.Port), ReadHeaderTimeout: 10 * time.Second,
				Handler: lan.NewHandler(en.Hub.Deployment, en.Hub.HubKey, apply.Blobs{Blobs: k.content.Library().Blobs()}, relay)}
			go func() { <-ctx.Done(); srv.Close() }()
			if err := srv.ListenAndServe(); err != nil && ctx.Err() == nil {
				return err
			}
			return ctx.Err()
		}},
	}
}

func (a *syncArea) Close() error { return nil }

// Status is the sync state for the UI's staff screen; the zero Status
// (never synced) when the kiosk is not enrolled.
func (a *syncArea) Status() client.Status {
	if a == nil || a.client == nil {
		return client.Status{}
	}
	return a.client.Status()
}

// Notices returns the hub's notices to show at now (none when offline).
func (a *syncArea) Notices(ctx context.Context, now time.Time) ([]wire.Notice, error) {
	if a == nil || a.client == nil {
		return nil, nil
	}
	return a.client.Notices(ctx, now)
}

func enrollCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	pin := fs.String("pin", "", "expected SHA-256 pin of the hub's TLS key (printed by officina-hub enroll-code); default: trust and pin the key the hub shows now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	url, code := cfg.Hub.URL, ""
	switch fs.NArg() {
	case 1:
		code = fs.Arg(0)
	case 2:
		url, code = fs.Arg(0), fs.Arg(1)
	default:
		return fmt.Errorf("%w: officina enroll [--pin SHA256] URL CODE", errUsage)
	}
	if url == "" {
		return fmt.Errorf("%w: give the hub's URL: officina enroll URL CODE", errUsage)
	}
	id, err := identity.LoadOrCreate(cfg.DataDir, nil)
	if err != nil {
		return err
	}
	en, err := client.Enrol(ctx, url, code, id, client.EnrolOptions{Name: cfg.Name, Version: version, Pin: *pin})
	if err != nil {
		return err
	}
	if err := en.Save(cfg.DataDir); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "enrolled %s at %s as site %s (deployment %s)\n", id.ID, en.HubURL, en.Hub.Site, en.Hub.Deployment)
	if en.TLSPin != "" {
		fmt.Fprintf(e.stdout, "hub TLS key pinned: %s\n", en.TLSPin)
	}
	return nil
}

func syncCmd(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 && args[0] == "status" {
		sub, args = "status", args[1:]
	}
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	once := fs.Bool("once", false, "sync once and exit (for scripts and tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sub == "" && !*once {
		return fmt.Errorf("%w: officina sync --once | officina sync status", errUsage)
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	k, err := openKiosk(ctx, cfg, newLogger(cfg, e))
	if err != nil {
		return err
	}
	defer k.Close()
	last, _ := k.store.LastSeq(ctx)
	acked, _ := k.store.Acked(ctx, client.Dest)
	ackAt, _ := k.store.LastAckTime(ctx, client.Dest)
	if sub == "status" {
		if k.sync.client == nil {
			fmt.Fprintf(e.stdout, "not enrolled (offline mode)\nevents recorded %d, not uploaded %d\n", last, last-acked)
			return nil
		}
		en := k.sync.enrolment
		fmt.Fprintf(e.stdout, "hub        %s\nsite       %s\ndevice     %s\nrecorded   %d events\nacked      %d\nbacklog    %d\n",
			en.HubURL, en.Hub.Site, k.id.ID, last, acked, last-acked)
		if ackAt.IsZero() {
			fmt.Fprintln(e.stdout, "last ack   never")
		} else {
			fmt.Fprintf(e.stdout, "last ack   %s\n", ackAt.Local().Format("2006-01-02 15:04:05"))
		}
		if last, err := client.LastResult(ctx, k.store); err == nil && !last.LastAttempt.IsZero() {
			fmt.Fprintf(e.stdout, "last sync  %s", last.LastAttempt.Local().Format("2006-01-02 15:04:05"))
			switch {
			case last.Revoked:
				fmt.Fprintln(e.stdout, ": REVOKED BY THE HUB (ask the coordinator to enrol this kiosk again)")
			case last.LastError != "":
				fmt.Fprintf(e.stdout, ": failed: %s\n", last.LastError)
			default:
				fmt.Fprintln(e.stdout, ": ok")
			}
		}
		notices, err := k.sync.client.Notices(ctx, k.clock.Now())
		if err == nil {
			for _, n := range notices {
				fmt.Fprintf(e.stdout, "notice     %s (until %s)\n", n.Text, n.Until.Local().Format("2006-01-02"))
			}
		}
		return nil
	}
	if k.sync.client == nil {
		return client.ErrNotEnrolled
	}
	err = k.sync.client.SyncOnce(ctx)
	if errors.Is(err, wire.ErrRevoked) {
		return fmt.Errorf("THE HUB HAS REVOKED THIS KIOSK: nothing is uploaded; ask the coordinator to enrol it again (%w)", err)
	}
	if err != nil {
		return err
	}
	st := k.sync.client.Status()
	fmt.Fprintf(e.stdout, "synced: %d events acknowledged by the hub, backlog %d\n", last-st.Backlog, st.Backlog)
	return nil
}

// kioskTrouble sums up, in one line for the hub's fleet view, what is wrong
// with this kiosk's store and devices ("" when nothing is).
func kioskTrouble(k *kiosk) string {
	var parts []string
	if err, _ := k.store.WriteHealth(); err != nil {
		parts = append(parts, err.Error())
	}
	if k.hardware != nil {
		for _, err := range k.hardware.problems() {
			parts = append(parts, err.Error())
		}
	}
	return strings.Join(parts, "; ")
}
