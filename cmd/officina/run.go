package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/officina-digitale/officina/kiosk/metrics"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/supervise"
)

func runCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c common
	c.register(fs)
	headless := fs.Bool("headless", false, "run every service without a window (no display needed)")
	statusAddr := fs.String("status-addr", "", "status endpoint address (overrides status.listen)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := c.load(e)
	if err != nil {
		return err
	}
	if *statusAddr != "" {
		cfg.Status.Listen = *statusAddr
	}
	log := newLogger(cfg, e)
	k, err := openKiosk(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer k.Close()
	if aside := k.store.Recovered(); aside != "" {
		log.Error("THE DATABASE WAS CORRUPT: it was moved aside and this kiosk started with an empty one; copy the old file for recovery",
			"moved_to", aside)
	}

	started := time.Now()
	reg := metrics.NewRegistry()
	st := status.New(reg)
	registerCoreStatus(k, reg, st, started)

	var services []supervise.Service
	if cfg.Status.Listen != "" {
		services = append(services, supervise.Service{Name: "status", Run: func(ctx context.Context) error {
			return st.Run(ctx, cfg.Status.Listen)
		}})
	}
	services = append(services, moreServices(k, reg, st)...)

	log.Info("officina started", "version", version, "device", k.id.ID, "data", cfg.DataDir,
		"status", cfg.Status.Listen, "headless", *headless)

	svcCtx, stopServices := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		supervise.Run(svcCtx, log, supervise.DefaultBackoff(), nil, services...)
		close(done)
	}()

	if *headless {
		<-ctx.Done()
	} else if err := runUI(ctx, k, st); err != nil {
		if !errors.Is(err, errNoUI) {
			stopServices()
			<-done
			return fmt.Errorf("window: %w", err)
		}
		log.Warn("this build has no window; running headless", "reason", err)
		<-ctx.Done()
	}
	stopServices()
	<-done
	log.Info("officina stopped")
	return nil
}

// registerCoreStatus exposes the store and process on /metrics, /status and
// /healthz.
func registerCoreStatus(k *kiosk, reg *metrics.Registry, st *status.Server, started time.Time) {
	ctx := context.Background()
	reg.GaugeFunc("officina_uptime_seconds", "Seconds since the kiosk started.", func() float64 {
		return time.Since(started).Seconds()
	})
	reg.GaugeFunc("officina_events_appended_total", "Events appended to the local log since the store was created.", func() float64 {
		n, _ := k.store.LastSeq(ctx)
		return float64(n)
	})
	reg.GaugeFunc("officina_outbox_backlog", "Events not yet acknowledged by the hub.", func() float64 {
		n, _ := k.store.Backlog(ctx, "hub")
		return float64(n)
	})
	reg.GaugeFunc("officina_last_sync_timestamp_seconds", "Unix time of the hub's last acknowledgement (0: never).", func() float64 {
		t, _ := k.store.LastAckTime(ctx, "hub")
		if t.IsZero() {
			return 0
		}
		return float64(t.Unix())
	})
	reg.GaugeFunc("officina_store_writable", "1 if the last write succeeded, 0 after a full disk or damaged file.", func() float64 {
		if err, _ := k.store.WriteHealth(); err != nil {
			return 0
		}
		return 1
	})
	st.AddSection("kiosk", func(ctx context.Context) (any, error) {
		return map[string]any{
			"version": version, "device_id": k.id.ID, "name": k.cfg.Name,
			"started": started.UTC(), "clock_synced": k.clock.Synced(),
		}, nil
	})
	st.AddSection("store", func(ctx context.Context) (any, error) {
		last, err := k.store.LastSeq(ctx)
		if err != nil {
			return nil, err
		}
		backlog, err := k.store.Backlog(ctx, "hub")
		if err != nil {
			return nil, err
		}
		out := map[string]any{"path": k.store.Path(), "last_seq": last, "outbox_backlog": backlog, "writable": true}
		if werr, at := k.store.WriteHealth(); werr != nil {
			out["writable"] = false
			out["write_error"] = werr.Error()
			out["write_error_at"] = at.UTC()
		}
		if aside := k.store.Recovered(); aside != "" {
			out["recovered_from_corruption"] = true
			out["corrupt_file_moved_to"] = aside
		}
		return out, nil
	})
	st.AddHealth(func(ctx context.Context) error {
		if err, _ := k.store.WriteHealth(); err != nil {
			return fmt.Errorf("store cannot write: %v", err)
		}
		return nil
	})
}
