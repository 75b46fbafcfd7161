package main

import (
	"bytes"
	"context"
	"crypto/hpke"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/monitoring"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

func openKioskIn(t *testing.T, dir string) (*kiosk, error) {
	t.Helper()
	c := common{dataDir: dir}
	cfg, err := c.load(&env{environ: []string{"OFFICINA_CONFIG=" + filepath.Join(dir, "none.toml")}})
	if err != nil {
		t.Fatal(err)
	}
	return openKiosk(context.Background(), cfg, slog.New(slog.DiscardHandler))
}

// TestEnrolmentGivesTheDeploymentSecretAndSealKey: two kiosks enrolled at
// one hub pseudonymise a citizen alike and seal to the hub; a kiosk not
// enrolled uses its own secret.
func TestEnrolmentGivesTheDeploymentSecretAndSealKey(t *testing.T) {
	h := newTestHub(t)
	a, b := enrolledKiosk(t, h, "genova-berio"), enrolledKiosk(t, h, "genova-sampierdarena")
	alone := t.TempDir()
	os.WriteFile(filepath.Join(alone, "none.toml"), nil, 0o600)
	var ks []*kiosk
	for _, dir := range []string{a.data, b.data, alone} {
		k, err := openKioskIn(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		ks = append(ks, k)
	}
	const cf = "BNCNNA52L55D612I"
	pa, pb, pc := ks[0].records.people.Pseudonym(cf), ks[1].records.people.Pseudonym(cf), ks[2].records.people.Pseudonym(cf)
	if pa != pb {
		t.Errorf("two kiosks of one deployment pseudonymise a citizen differently: %s, %s", pa, pb)
	}
	if pc == pa {
		t.Errorf("a kiosk that is not enrolled uses the deployment secret")
	}
	hubSeal := seal.Fingerprint(mustSealPub(t, h))
	for i, k := range ks[:2] {
		if k.records.sealer == nil || k.records.sealer.Recipient() != hubSeal {
			t.Errorf("kiosk %d does not seal to the hub's key %s", i, hubSeal)
		}
	}
	if ks[2].records.sealer != nil {
		t.Errorf("a kiosk with no hub and no export key has a sealer")
	}
	depA, _ := loadDeployment(a.data)
	depB, _ := loadDeployment(b.data)
	if !bytes.Equal(cardKey(depA, ks[0].id.Private().Seed()), cardKey(depB, ks[1].id.Private().Seed())) {
		t.Errorf("learner cards are hashed differently on two kiosks of one deployment")
	}
	if bytes.Equal(cardKey(nil, ks[0].id.Private().Seed()), cardKey(nil, ks[1].id.Private().Seed())) {
		t.Errorf("before enrolment two kiosks hash cards alike")
	}
}

func mustSealPub(t *testing.T, h *testHub) hpke.PublicKey {
	t.Helper()
	pk, err := seal.PublicKey(h.keys.Seal.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// TestADamagedEnrolmentStopsTheKiosk: an enrolment without its deployment
// secret must not silently fall back to a local one (citizens would be
// counted twice): the kiosk says to enrol again.
func TestADamagedEnrolmentStopsTheKiosk(t *testing.T) {
	h := newTestHub(t)
	a := enrolledKiosk(t, h, "genova-berio")
	path := filepath.Join(a.data, "enrolment.json")
	raw, _ := os.ReadFile(path)
	var en map[string]any
	json.Unmarshal(raw, &en)
	delete(en["hub"].(map[string]any), "hmac_secret")
	raw, _ = json.Marshal(en)
	os.WriteFile(path, raw, 0o600)
	if _, err := openKioskIn(t, a.data); err == nil || !strings.Contains(err.Error(), "enrol the kiosk again") {
		t.Fatalf("opening a kiosk whose enrolment lost its secret: %v", err)
	}
}

// TestServicesRecordedBeforeEnrolment: a kiosk that ran alone, with a
// local export key, then enrols. What it recorded before stays exportable
// only locally; what it records after is exported by the hub.
func TestServicesRecordedBeforeEnrolment(t *testing.T) {
	ctx := context.Background()
	h := newTestHub(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "none.toml"), []byte("[records]\nsite_id = \"GE-0042\"\nsite_name = \"Biblioteca Berio, Genova\"\n"), 0o600)
	k := cli{t: t, data: dir, env: []string{"OFFICINA_PASSPHRASE=una passphrase lunga"}}
	if _, errOut, code := k.run("4821\n", "staff", "add", "--id", "FAC-GE-001", "--name", "Giulia D'Amico", "--card", "04:A2:19:7C"); code != 0 {
		t.Fatalf("staff add: %s", errOut)
	}
	k.ok("export", "setup")
	service := []string{"record", "service", "--cf", "BNCNNA52L55D612I", "--first", "Anna", "--last", "D'Amico", "--staff", "FAC-GE-001",
		"--education", "b", "--employment", "g", "--citizenship", "a", "--province", "ge", "--first-time",
		"--duration", "00:35", "--se5", "9", "--se6", "A", "--consent", "verbal"}
	k.ok(append(service, "--date", "2026-11-03")...)

	code, _ := hub.NewEnrolCode(ctx, h.st, "genova-berio", time.Hour, time.Now())
	var out, errb bytes.Buffer
	if rc := realMain(ctx, &env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), environ: []string{"OFFICINA_CONFIG=" + filepath.Join(dir, "none.toml")}},
		[]string{"enroll", "--data", dir, h.url, code}); rc != 0 {
		t.Fatalf("enroll: %s", errb.String())
	}
	hash, _ := staff.HashPIN("4821", 1000)
	h.st.SetRoster(ctx, "genova-berio", []wire.StaffMember{{ID: "FAC-GE-001", Name: "Giulia D'Amico", Card: "04:A2:19:7C", PINHash: hash}})
	k.ok("sync", "--once")
	k.ok(append(service, "--date", "2026-11-10")...)
	k.ok("sync", "--once")

	opener, _ := h.keys.SealOpener()
	res, err := monitoring.Export(ctx, hub.Events(ctx, h.st), monitoring.Options{
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Opener: opener, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services != 2 || res.Rows != 1 || len(res.Rejected) != 1 || res.Rejected[0].Date != "2026-11-03" {
		t.Fatalf("hub export: %+v", res)
	}
	// The citizen's pseudonym changed with the secret at enrolment, so the
	// same person served before and after counts twice (docs/records.md).
	if res.UniqueCitizens != 2 {
		t.Errorf("unique citizens across enrolment: %d", res.UniqueCitizens)
	}
	local := t.TempDir()
	got := k.ok("export", "facilita", "--from", "2026-11-01", "--to", "2026-11-30", "--out", local)
	if !strings.Contains(got, "1 rows for 2 services") {
		t.Errorf("local export after enrolment: %s", got)
	}
}
