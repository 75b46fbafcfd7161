package main

import (
	"bytes"
	"context"
	"io"
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
	var hashOut, hashErr bytes.Buffer
	if rc := realMain(ctx, &env{stdin: strings.NewReader("4821\n"), stdout: &hashOut, stderr: &hashErr}, []string{"roster", "pin-hash"}); rc != 0 ||
		!strings.HasPrefix(hashOut.String(), "pbkdf2-sha256$") || strings.Contains(hashOut.String(), "4821") {
		t.Fatalf("roster pin-hash: rc %d %q %q", rc, hashOut.String(), hashErr.String())
	}
	if rc := realMain(ctx, &env{stdin: strings.NewReader("48\n"), stdout: io.Discard, stderr: &hashErr}, []string{"roster", "pin-hash"}); rc == 0 {
		t.Errorf("a two-digit PIN was hashed")
	}
	hash := strings.TrimSpace(hashOut.String())
	roster := filepath.Join(t.TempDir(), "staff.json")
	os.WriteFile(roster, []byte(`[{"id":"FAC-GE-001","card":"C1","name":"Giulia","pin_hash":"`+hash+`"}]`), 0o600)
	if out, _, rc := run("roster", "set", "--data", data, "--site", "genova-berio", roster); rc != 0 || !strings.Contains(out, "1 staff") {
		t.Fatalf("roster set: rc %d %q", rc, out)
	}
	os.WriteFile(roster, []byte(`[{"card":"C1","pin":"1234"}]`), 0o600)
	if _, msg, rc := run("roster", "set", "--data", data, "--site", "genova-berio", roster); rc == 0 || !strings.Contains(msg, "pin_hash") {
		t.Fatalf("roster with a raw PIN field: rc %d %q", rc, msg)
	}
	// Rows the kiosks would refuse are refused here: no ID, a foreign hash.
	os.WriteFile(roster, []byte(`[{"card":"C1","name":"Giulia","pin_hash":"`+hash+`"}]`), 0o600)
	if _, msg, rc := run("roster", "set", "--data", data, "--site", "genova-berio", roster); rc != 1 || !strings.Contains(msg, "facilitator ID") {
		t.Errorf("roster row without an ID: rc %d %q", rc, msg)
	}
	os.WriteFile(roster, []byte(`[{"id":"FAC-GE-001","card":"C1","name":"Giulia","pin_hash":"$argon2id$v=19$x"}]`), 0o600)
	if _, msg, rc := run("roster", "set", "--data", data, "--site", "genova-berio", roster); rc != 1 || !strings.Contains(msg, "pin-hash") {
		t.Errorf("roster row with an argon2 hash: rc %d %q", rc, msg)
	}
	if out, _, rc := run("settings", "set", "--data", data, "--site", "genova-berio", "orari=9-13"); rc != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("settings set: rc %d %q", rc, out)
	}
	if out, _, rc := run("devices", "--data", data); rc != 0 || !strings.Contains(out, "DEVICE") {
		t.Fatalf("devices: rc %d %q", rc, out)
	}
}
