package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

// TestEnrollSyncOnceAndStatus runs the kiosk's sync commands against a hub
// on loopback, as the README tells a coordinator to.
func TestEnrollSyncOnceAndStatus(t *testing.T) {
	ctx := context.Background()
	h := newTestHub(t)
	st, srv := h.st, h.srv
	code, _ := hub.NewEnrolCode(ctx, st, "genova-berio", time.Hour, time.Now())
	st.AddNotice(ctx, wire.Notice{Text: "Lunedì sportello SPID chiuso", From: time.Now().Add(-time.Minute), Until: time.Now().Add(time.Hour)})

	data := t.TempDir()
	run := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), environ: []string{"OFFICINA_CONFIG=/dev/null"}}
		code := realMain(ctx, e, append(args, "--data", data))
		return out.String() + errb.String(), code
	}
	// Flags go before positional arguments for the flag package.
	runEnroll := func(url, code string) (string, int) {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), environ: []string{"OFFICINA_CONFIG=/dev/null"}}
		rc := realMain(ctx, e, []string{"enroll", "--data", data, url, code})
		return out.String() + errb.String(), rc
	}
	if out, rc := run("sync", "--once"); rc == 0 || !strings.Contains(out, "not enrolled") {
		t.Fatalf("sync before enrolling: rc %d, %s", rc, out)
	}
	if out, rc := runEnroll(srv.URL, "WRONG-CODE"); rc == 0 || !strings.Contains(out, "code") {
		t.Fatalf("enrol with a wrong code: rc %d, %s", rc, out)
	}
	if out, rc := runEnroll(srv.URL, code); rc != 0 || !strings.Contains(out, "site genova-berio") {
		t.Fatalf("enroll: rc %d, %s", rc, out)
	}
	if out, rc := run("sync", "--once"); rc != 0 || !strings.Contains(out, "synced") {
		t.Fatalf("sync --once: rc %d, %s", rc, out)
	}
	out, rc := run("sync", "status")
	if rc != 0 || !strings.Contains(out, "genova-berio") || !strings.Contains(out, "SPID chiuso") {
		t.Fatalf("sync status: rc %d, %s", rc, out)
	}
	devs, _ := st.Devices(ctx)
	if len(devs) != 1 || devs[0].LastContact.IsZero() {
		t.Fatalf("hub devices after sync: %+v", devs)
	}
	st.Revoke(ctx, devs[0].ID, time.Now())
	if out, rc := run("sync", "--once"); rc == 0 || !strings.Contains(out, "REVOKED") {
		t.Fatalf("sync of a revoked kiosk: rc %d, %s", rc, out)
	}
	if out, rc := run("sync", "status"); rc != 0 || !strings.Contains(out, "REVOKED BY THE HUB") {
		t.Fatalf("sync status after revocation: rc %d, %s", rc, out)
	}
}
