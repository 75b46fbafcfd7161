package config

import (
	"strings"
	"testing"
	"time"
)

func TestUIDefaultsAndIdleWarningCheck(t *testing.T) {
	c := Default()
	if c.UI.IdleTimeout.D() != 120*time.Second || c.UI.IdleWarning.D() != 30*time.Second || !c.UI.ReadAloud {
		t.Fatalf("defaults: %+v", c.UI)
	}
	if err := c.Set("ui.idle_warning", "2s"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "ui.idle_warning") {
		t.Fatalf("a 2 s warning passed validation: %v", err)
	}
}
