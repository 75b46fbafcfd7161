package config_test

import (
	"strings"
	"testing"

	"github.com/officina-digitale/officina/kiosk/config"
)

func TestContentKeys(t *testing.T) {
	c := config.Default()
	good := "ed25519:" + strings.Repeat("ab", 32)
	if err := c.Set("content.trusted_keys", good+", "+good); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil || len(c.Content.Keys()) != 2 {
		t.Fatalf("two good keys: %v, %v", err, c.Content.Keys())
	}
	c.Set("content.trusted_keys", "ed25519:abc")
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "content.trusted_keys") {
		t.Errorf("a short key: %v", err)
	}
	c = config.Default()
	c.Set("content.max_lesson_bytes", "10")
	if err := c.Validate(); err == nil {
		t.Error("a 10-byte lesson limit was accepted")
	}
}
