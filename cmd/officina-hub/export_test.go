package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/identity"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/sync/client"
	"github.com/officina-digitale/officina/sync/hub"
)

// TestExportFacilitaOpensWhatKiosksSealed: a kiosk enrolled at this hub
// seals a citizen's codice fiscale to the hub's key and uploads the
// service; `officina-hub export facilita` writes it, opened, in the CSV.
func TestExportFacilitaOpensWhatKiosksSealed(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	h, err := open(ctx, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hub.NewServer(h.store, h.keys, h.blobs, hub.Options{}))
	code, _ := hub.NewEnrolCode(ctx, h.store, "genova-berio", time.Hour, time.Now())

	kdir := t.TempDir()
	id, _ := identity.LoadOrCreate(kdir, nil)
	en, err := client.Enrol(ctx, srv.URL, code, id, client.EnrolOptions{Name: "Berio"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(kdir, "k.db"), id.ID, store.Options{
		Schemas: []store.Schema{client.Schema, people.Schema, staff.Schema, assistance.Schema}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pk, err := seal.PublicKey(en.Hub.SealKey)
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := people.New(st, people.Options{Secret: en.Hub.HMACSecret, Sealer: seal.NewSealer(pk, time.Hour, time.Now)})
	roster := staff.New(st)
	hash, _ := staff.HashPIN("4821", 1000)
	roster.Put(ctx, staff.Member{ID: "FAC-GE-001", Name: "Giulia D'Amico", Role: staff.Facilitator, Card: "AA01", Active: true}, hash)
	desk, err := assistance.New(st, reg, roster, assistance.Options{Site: assistance.Site{ID: "GE-0042", Name: "Biblioteca Berio"}, Notice: "2026-01", Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.RecordService(ctx, assistance.ServiceInput{
		Person:  people.Person{CF: "BNCNNA52L55D612I", FirstName: "Anna", Surname: "Bianchi"},
		Profile: people.Profile{Education: "B", Employment: "G", Citizenship: "A", Province: "GE"},
		Staff:   "FAC-GE-001", Duration: 25 * time.Minute, FirstTime: true, Date: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
		ServiceTypes: []string{"A"}, Competences: []int{9}, Domains: []string{"A"}, ConsentMethod: "verbal",
	}); err != nil {
		t.Fatal(err)
	}
	c, err := client.New(ctx, client.Options{Store: st, Identity: id, Enrolment: en})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	h.store.Close()

	dir := t.TempDir()
	out, errOut, rc := hubRun("export", "facilita", "--data", data, "--from", "2026-11-01", "--to", "2026-11-30", "--out", dir)
	if rc != 0 || !strings.Contains(out, "1 rows for 1 services delivered to 1 unique citizens") {
		t.Fatalf("export: rc %d %q %q", rc, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "facilita-2026-11-01-2026-11-30-*.csv"))
	if len(files) != 1 {
		t.Fatalf("files written: %v", files)
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "BNCNNA52L55D612I") || !strings.Contains(string(b), "FAC-GE-001") {
		t.Errorf("the CSV does not hold the opened codice fiscale and the facilitator:\n%s", b)
	}
}
