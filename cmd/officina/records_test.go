package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type cli struct {
	t    *testing.T
	data string
	env  []string
}

func (c cli) run(stdin string, args ...string) (string, string, int) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, stdin: strings.NewReader(stdin),
		environ: append([]string{"OFFICINA_CONFIG=" + filepath.Join(c.data, "none.toml")}, c.env...)}
	args = append(args, "--data", c.data, "--set", "status.listen=")
	code := realMain(context.Background(), e, args)
	return out.String(), errOut.String(), code
}

func (c cli) ok(args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("officina %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (c cli) fails(want string, args ...string) {
	c.t.Helper()
	out, errOut, code := c.run("", args...)
	if code == 0 || !strings.Contains(errOut, want) {
		c.t.Errorf("officina %s: exit %d, stderr %q; want failure mentioning %q (stdout %q)", strings.Join(args, " "), code, errOut, want, out)
	}
}

func TestFacilitatorFlowsFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "none.toml"), []byte("[records]\nsite_id = \"GE-0042\"\nsite_name = \"Biblioteca Berio, Genova\"\n"), 0o600)
	c := cli{t: t, data: dir}

	if _, errOut, code := c.run("4821\n", "staff", "add", "--id", "FAC-GE-001", "--name", "Giulia D'Amico", "--card", "04:A2:19:7C"); code != 0 {
		t.Fatalf("staff add: %s", errOut)
	}
	c.fails("no export key", "record", "service", "--cf", "RSSMRA80A01D969Z", "--first", "Mario", "--last", "Rossi", "--duration", "00:10", "--staff", "FAC-GE-001")
	if out, errOut, code := c.run("breve\n", "export", "setup"); code == 0 {
		t.Errorf("a short passphrase was accepted: %s %s", out, errOut)
	}
	if _, errOut, code := c.run("una passphrase lunga\n", "export", "setup"); code != 0 {
		t.Fatalf("export setup: %s", errOut)
	}
	c.fails("already exists", "export", "setup")
	if out, _, code := c.run("4821\n", "staff", "login", "--card", "04A2197C"); code != 0 || !strings.Contains(out, "Giulia") {
		t.Errorf("staff login: %d %s", code, out)
	}

	service := []string{"record", "service", "--first", "Anna", "--last", "D'Amico", "--staff", "FAC-GE-001",
		"--education", "b", "--employment", "g", "--citizenship", "a", "--province", "ge", "--first-time",
		"--duration", "00:35", "--se5", "9", "--se6", "A", "--consent", "verbal", "--date", "2026-11-03"}
	c.fails("the last character should be I", append(service, "--cf", "BNCNNA52L55D612Z")...)
	c.fails("SE5", append(service, "--cf", "BNCNNA52L55D612I", "--se5", "14")...)
	c.fails("YYYY-MM-DD", append(service, "--cf", "BNCNNA52L55D612I", "--date", "3/11/2026")...)
	out := c.ok(append(service, "--cf", "bncnna52l55d612i")...)
	if !strings.Contains(out, "new citizen (gender A, age band C)") || !strings.Contains(out, "00:35") {
		t.Errorf("record service printed %q", out)
	}
	out = c.ok("record", "service", "--cf", "BNCNNA52L55D612I", "--first", "Anna", "--last", "D'Amico", "--staff", "FAC-GE-001",
		"--duration", "20m", "--se5", "6", "--se6", "B", "--used-before", "A", "--date", "2026-11-10")
	if !strings.Contains(out, "returning citizen") {
		t.Errorf("second visit printed %q", out)
	}
	c.fails("education is missing", "record", "service", "--cf", "RSSMRA80A01D969Z", "--first", "Mario", "--last", "Rossi, detto Mariolino",
		"--staff", "FAC-GE-001", "--duration", "00:10", "--se5", "13", "--se6", "S", "--consent", "paper")

	c.ok("record", "session", "--volunteer", "FAC-GE-001", "--cf", "BNCNNA52L55D612I", "--doc", "A:CA1234567", "--topics", "videochiamate,WhatsApp", "--duration", "00:50")

	if out := c.ok("ticket", "take"); !strings.Contains(out, "ticket 1: 0 ahead, about 10 minutes") {
		t.Errorf("ticket take: %q", out)
	}
	if out := c.ok("ticket", "take"); !strings.Contains(out, "ticket 2: 1 ahead") {
		t.Errorf("second ticket: %q", out)
	}
	if out := c.ok("ticket", "call", "--staff", "FAC-GE-001"); !strings.Contains(out, "calling ticket 1") {
		t.Errorf("ticket call: %q", out)
	}
	if out := c.ok("ticket", "list"); !strings.Contains(out, "1  being helped") || !strings.Contains(out, "2  waiting") {
		t.Errorf("ticket list: %q", out)
	}

	c.ok("loan", "out", "--device", "TAB-03", "--cf", "BNCNNA52L55D612I", "--staff", "FAC-GE-001", "--for", "01:00")
	c.fails("already lent out", "loan", "out", "--device", "tab-03", "--cf", "RSSMRA80A01D969Z", "--staff", "FAC-GE-001")
	if out := c.ok("loan", "list"); !strings.Contains(out, "TAB-03") {
		t.Errorf("loan list: %q", out)
	}
	c.ok("loan", "back", "--device", "TAB-03", "--staff", "FAC-GE-001")
	c.fails("not lent out", "loan", "back", "--device", "TAB-03", "--staff", "FAC-GE-001")

	out = c.ok("course", "open", "--title", "SPID e App IO", "--staff", "FAC-GE-001", "--se5", "9:6", "--se6", "A")
	if !strings.Contains(out, "course session") {
		t.Fatalf("course open: %q", out)
	}
	num := strings.Fields(out)[2]
	c.ok("course", "attend", "--course", num, "--cf", "BNCNNA52L55D612I")
	if out := c.ok("course", "close", "--course", num); !strings.Contains(out, "1 attendees, 0 training services recorded") || !strings.Contains(out, "lasted less than a minute") {
		t.Errorf("course close: %q", out)
	}

	c.fails("--out", "export", "facilita", "--from", "2026-11-01", "--to", "2026-11-30")
	outDir := filepath.Join(dir, "export")
	if _, errOut, code := c.run("sbagliata!!\n", "export", "facilita", "--from", "2026-11-01", "--to", "2026-11-30", "--out", outDir); code == 0 || !strings.Contains(errOut, "wrong passphrase") {
		t.Errorf("export with a wrong passphrase: %d %s", code, errOut)
	}
	c.env = []string{"OFFICINA_PASSPHRASE=una passphrase lunga"}
	out = c.ok("export", "facilita", "--from", "2026-11-01", "--to", "2026-11-30", "--out", outDir)
	if !strings.Contains(out, "2 rows for 2 services delivered to 1 unique citizens") {
		t.Errorf("export printed %q", out)
	}
	b, err := os.ReadFile(filepath.Join(outDir, "facilita-2026-11-01-2026-11-30-001.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][5] != "D'Amico" || recs[1][6] != "BNCNNA52L55D612I" || recs[1][3] != "Biblioteca Berio, Genova" {
		t.Errorf("export file: %v %v", recs, err)
	}
	if out := c.ok("export", "totals", "--from", "2026-11-01", "--to", "2026-11-30"); !strings.Contains(out, "2 services delivered, 1 unique citizens") {
		t.Errorf("totals: %q", out)
	}
	c.fails("holds 2 real services", "demo", "seed", "--days", "3")
}

// TestDemoStoreExportPassesNationalRules seeds 60 days of demo activity and
// checks that the export of all of it passes every rule (export facilita
// re-reads each file with facilita.Verify and fails otherwise) and loses
// no service.
func TestDemoStoreExportPassesNationalRules(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 60 days")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "none.toml"), nil, 0o600)
	c := cli{t: t, data: dir, env: []string{"OFFICINA_PASSPHRASE=una passphrase lunga"}}
	out := c.ok("demo", "seed", "--days", "60")
	var services int
	if _, err := fmt.Sscanf(out[strings.Index(out, "days: ")+6:], "%d services", &services); err != nil || services < 200 {
		t.Fatalf("demo seed printed %q", out)
	}
	out = c.ok("export", "facilita", "--from", "2000-01-01", "--to", "2100-12-31", "--out", filepath.Join(dir, "x"))
	if !strings.Contains(out, fmt.Sprintf("%d rows for %d services", services, services)) || strings.Contains(out, "NOT") {
		t.Errorf("export of the demo store printed %q", out)
	}
	// Run again on the same store: allowed, it is a demo store.
	c.ok("demo", "seed", "--days", "1")
}
