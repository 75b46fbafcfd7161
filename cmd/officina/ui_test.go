package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/store"
)

func TestStatusScreenReadsTheOutboxFromTheStore(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	k, err := openKiosk(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for range 3 {
		if err := k.store.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Append("test.event", 1, []byte(`{}`))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	d := uiDeps(k)
	s, err := d.Sync.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Backlog != 3 || s.HubConfigured || !s.LastSync.IsZero() || s.StorageFree <= 0 {
		t.Fatalf("%+v", s)
	}
	if d.IdleTimeout != cfg.UI.IdleTimeout.D() || d.Lang != "it" {
		t.Fatalf("config not passed to the UI: %+v", d)
	}
}
