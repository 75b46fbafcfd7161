package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/config"
)

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "officina.toml")
	os.WriteFile(p, []byte(body), 0o600)
	return p
}

func TestTypoNamesFileLineAndKey(t *testing.T) {
	p := write(t, "language = \"en\"\n\n[status]\nlisten = \"127.0.0.1:9\"\nlistn = \"x\"\n")
	_, err := config.Load(p)
	if err == nil {
		t.Fatal("a typo was accepted")
	}
	for _, want := range []string{p + ":5", "status.listn"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestWrongTypeIsAnError(t *testing.T) {
	p := write(t, "[ui]\nidle_timeout = \"soon\"\n")
	if _, err := config.Load(p); err == nil || !strings.Contains(err.Error(), ":2") {
		t.Fatalf("err = %v, want the line of the bad value", err)
	}
}

func TestPrecedenceFileThenEnvThenSet(t *testing.T) {
	p := write(t, "[status]\nlisten = \"127.0.0.1:1111\"\n[ui]\nidle_timeout = \"90s\"\n")
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status.Listen != "127.0.0.1:1111" || c.UI.IdleTimeout.D() != 90*time.Second || c.Language != "it" {
		t.Fatalf("file not applied over defaults: %+v", c)
	}
	if err := c.ApplyEnv([]string{"OFFICINA_STATUS_LISTEN=127.0.0.1:2222", "PATH=/bin"}); err != nil {
		t.Fatal(err)
	}
	if c.Status.Listen != "127.0.0.1:2222" {
		t.Errorf("env did not override the file: %s", c.Status.Listen)
	}
	if err := c.Set("status.listen", "127.0.0.1:3333"); err != nil || c.Status.Listen != "127.0.0.1:3333" {
		t.Errorf("Set: %v, %s", err, c.Status.Listen)
	}
	if err := c.ApplyEnv([]string{"OFFICINA_STAUTS_LISTEN=x"}); err == nil {
		t.Error("a misspelt OFFICINA_ variable was ignored silently")
	}
}

func TestShowRoundTrips(t *testing.T) {
	c := config.Default()
	c.Name = "Biblioteca Berio, ingresso"
	b, err := c.TOML()
	if err != nil {
		t.Fatal(err)
	}
	got, err := config.Load(write(t, string(b)))
	if err != nil {
		t.Fatalf("config show output does not load back: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", got, c)
	}
}

// TestEveryKeyDocumented fails when a key has no row in docs/configuration.md.
func TestEveryKeyDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range config.Keys() {
		if !strings.Contains(string(doc), "| `"+k+"` |") {
			t.Errorf("key %s is not documented in docs/configuration.md (add a table row: | `%s` | default | meaning |)", k, k)
		}
	}
}
