package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHubCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		rc := realMain(ctx, &env{stdout: &out, stderr: &errb}, args)
		return out.String(), errb.String(), rc
	}
	code, msg, rc := run("enroll-code", "--data", data, "--site", "genova-berio")
	if rc != 0 || len(strings.TrimSpace(code)) != 12 || !strings.Contains(msg, "TLS pin") {
		t.Fatalf("enroll-code: rc %d, %q %q", rc, code, msg)
	}
	if _, msg, rc := run("enroll-code", "--data", data); rc != 2 || !strings.Contains(msg, "--site") {
		t.Fatalf("enroll-code without a site: rc %d %q", rc, msg)
	}
	if out, _, rc := run("notice", "add", "--data", data, "--text", "Lunedì sportello SPID chiuso", "--from", "2026-03-02", "--until", "2026-03-03"); rc != 0 || !strings.Contains(out, "notice 1") {
		t.Fatalf("notice add: rc %d %q", rc, out)
	}
	if _, msg, rc := run("notice", "add", "--data", data, "--text", "x", "--from", "lunedì"); rc != 2 || !strings.Contains(msg, "not a date") {
		t.Fatalf("notice with a bad date: rc %d %q", rc, msg)
	}
	roster := filepath.Join(t.TempDir(), "staff.json")
	os.WriteFile(roster, []byte(`[{"card":"C1","name":"Giulia","pin_hash":"$argon2id$v=19$x"}]`), 0o600)
	if out, _, rc := run("roster", "set", "--data", data, "--site", "genova-berio", roster); rc != 0 || !strings.Contains(out, "1 staff") {
		t.Fatalf("roster set: rc %d %q", rc, out)
	}
	os.WriteFile(roster, []byte(`[{"card":"C1","pin":"1234"}]`), 0o600)
	if _, msg, rc := run("roster", "set", "--data", data, "--site", "genova-berio", roster); rc == 0 || !strings.Contains(msg, "pin_hash") {
		t.Fatalf("roster with a raw PIN field: rc %d %q", rc, msg)
	}
	if out, _, rc := run("settings", "set", "--data", data, "--site", "genova-berio", "orari=9-13"); rc != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("settings set: rc %d %q", rc, out)
	}
	if out, _, rc := run("devices", "--data", data); rc != 0 || !strings.Contains(out, "DEVICE") {
		t.Fatalf("devices: rc %d %q", rc, out)
	}
}
