package monitoring

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/facilita"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func day(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// TestExportGolden records services the way a facilitator does, including
// names that need quoting, a citizen without a codice fiscale and a
// returning citizen, plus one service event that lacks education (as an
// older kiosk could have sent), and compares the export with the golden
// files.
func TestExportGolden(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 10, 30, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"), "dev-genova-1",
		store.Options{Clock: clk, Schemas: []store.Schema{people.Schema, staff.Schema, assistance.Schema}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	priv, _ := seal.GenerateKey()
	reg, _ := people.New(st, people.Options{Secret: bytes.Repeat([]byte{1}, 32), Sealer: seal.NewSealer(priv.PublicKey(), time.Hour, clk.Now)})
	roster := staff.New(st)
	hash, _ := staff.HashPIN("1234", 1000)
	roster.Put(ctx, staff.Member{ID: "FAC-GE-001", Name: "Giulia D'Amico", Role: staff.Facilitator, Card: "A1", Active: true}, hash)
	desk, _ := assistance.New(st, reg, roster, assistance.Options{Site: assistance.Site{ID: "GE-0042", Name: "Biblioteca Berio, Genova"}, Notice: "2026-01", Location: time.UTC})

	record := func(in assistance.ServiceInput) {
		t.Helper()
		if _, err := desk.RecordService(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	prof := people.Profile{Education: "C", Employment: "G", Citizenship: "A", Province: "GE"}
	record(assistance.ServiceInput{ // 30 October: before the period
		Person: people.Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi"}, Profile: prof, Staff: "FAC-GE-001",
		Duration: 20 * time.Minute, FirstTime: true, ServiceTypes: []string{"A"}, Competences: []int{9}, Domains: []string{"A"}, ConsentMethod: "paper"})
	clk.Set(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
	record(assistance.ServiceInput{
		Person: people.Person{CF: "BNCNNA52L55D612I", FirstName: "Anna Maria", Surname: "D'Amico"}, Profile: prof, Staff: "FAC-GE-001",
		Duration: 35 * time.Minute, FirstTime: true, ServiceTypes: []string{"A"}, Competences: []int{9, 6}, Domains: []string{"A", "L"},
		Details: "Attivazione SPID con riconoscimento via CIE, poi primo accesso ad App IO", ConsentMethod: "verbal"})
	record(assistance.ServiceInput{
		Person: people.Person{CF: "RSSMRA80A01D96VO", FirstName: "Marco", Surname: "Rossi, detto Bianchi"}, Profile: people.Profile{Education: "H", Employment: "A", Citizenship: "A", Province: "GE"},
		Staff: "FAC-GE-001", Duration: 95 * time.Minute, UsedBefore: []string{"C"}, ServiceTypes: []string{"A", "E"}, Competences: []int{11, 12, 1},
		Domains: []string{"D", "M"}, ConsentMethod: "screen"})
	clk.Set(time.Date(2026, 11, 5, 16, 0, 0, 0, time.UTC))
	record(assistance.ServiceInput{
		Person:  people.Person{DocType: "D", DocNumber: "ukr 778899", FirstName: "Oksana", Surname: "Kovalenko", Gender: "A", AgeBand: "B"},
		Profile: people.Profile{Education: "I", Employment: "D", Citizenship: "C", Province: "GE"}, Staff: "FAC-GE-001",
		Duration: 50 * time.Minute, FirstTime: true, ServiceTypes: []string{"B"}, Competences: []int{6}, Domains: []string{"C"}, ConsentMethod: "verbal"})
	record(assistance.ServiceInput{ // Anna again: only her card is scanned; identity and profile are on file
		Person: people.Person{CF: "BNCNNA52L55D612I"}, Staff: "FAC-GE-001",
		Duration: 15 * time.Minute, UsedBefore: []string{"A"}, ServiceTypes: []string{"A"}, Competences: []int{6}, Domains: []string{"B"}})
	// A service event without education, as an older kiosk might have sent.
	id, err := reg.Identify(people.Person{CF: fictionalCF(7), FirstName: "Giuseppe", Surname: "Verdi"}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	st.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.AppendJSON(people.KindSealKey, 1, id.Key); err != nil {
			return err
		}
		_, err := tx.AppendJSON(assistance.KindService, 1, assistance.ServiceEvent{Citizen: id.ID, Sealed: id.Sealed,
			FacilitatorID: "FAC-GE-001", FacilitatorName: "Giulia D'Amico", SiteID: "GE-0042", SiteName: "Biblioteca Berio, Genova",
			Gender: "B", AgeBand: "B", Employment: "E", Citizenship: "A", Province: "GE", FirstTime: true, Date: "2026-11-05", Minutes: 30,
			ServiceTypes: []string{"A"}, Competences: []int{3}, Domains: []string{"G"}})
		return err
	})
	clk.Set(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	record(assistance.ServiceInput{ // 1 December: after the period
		Person: people.Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi"}, Staff: "FAC-GE-001",
		Duration: 20 * time.Minute, ServiceTypes: []string{"A"}, Competences: []int{13}, Domains: []string{"S"}})

	dir := t.TempDir()
	res, err := Export(ctx, st.Events(ctx, 0), Options{From: day("2026-11-01"), To: day("2026-11-30"), Opener: seal.NewOpener(priv), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services != 5 || res.Rows != 4 || len(res.Rejected) != 1 || res.UniqueCitizens != 4 || len(res.Files) != 1 {
		t.Errorf("result %+v: want 5 services, 4 rows, 1 rejected, 4 unique citizens, 1 file", res)
	}
	compareGolden(t, res.Files[0], "testdata/facilita-2026-11.csv")
	compareGolden(t, res.Report, "testdata/facilita-2026-11-rejected.csv")
	checkNationalRules(t, res.Files)
}

func compareGolden(t *testing.T, got, golden string) {
	t.Helper()
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile(golden, b, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("%s differs from %s:\n%s", got, golden, b)
	}
}

// checkNationalRules verifies the files with facilita.Verify, which
// re-reads them independently of facilita.Row.Check.
func checkNationalRules(t *testing.T, files []string) {
	t.Helper()
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := facilita.Verify(fh, checkCF)
		fh.Close()
		if err != nil || len(problems) > 0 {
			t.Errorf("%s: %v %v", f, err, problems)
		}
	}
}

// synthetic makes n service events from two devices, sealed to priv's
// public key, without a store.
func synthetic(n int, pub *seal.Sealer, secret []byte) []store.Event {
	var evs []store.Event
	seqs := map[string]uint64{}
	add := func(dev, kind string, v any) {
		b, _ := json.Marshal(v)
		seqs[dev]++
		evs = append(evs, store.Event{DeviceID: dev, Seq: seqs[dev], Kind: kind, Version: 1, Payload: b})
	}
	keys := map[string]bool{}
	for i := 0; i < n; i++ {
		dev := "dev-a"
		if i%3 == 0 {
			dev = "dev-b"
		}
		cf := fictionalCF(i % (n/3 + 1))
		sealed, k, _ := pub.Seal([]byte(`{"cf":"` + cf + `","first_name":"Anna","surname":"D'Amico"}`))
		if !keys[dev+k.ID] {
			add(dev, people.KindSealKey, k)
			keys[dev+k.ID] = true
		}
		add(dev, assistance.KindService, assistance.ServiceEvent{Citizen: "c-" + cf, Sealed: sealed,
			FacilitatorID: "FAC-1", FacilitatorName: "Giulia D'Amico", SiteID: "S1", SiteName: "Berio",
			Gender: "A", AgeBand: "C", Education: "C", Employment: "G", Citizenship: "A", Province: "GE", FirstTime: i%2 == 0,
			Date: time.Date(2026, 1, 1+i%60, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Minutes: 10 + i%80,
			ServiceTypes: []string{"A"}, Competences: []int{1 + i%13}, Domains: []string{string(rune('A' + i%19))}})
	}
	return evs
}

// fictionalCF builds a valid code from a number.
func fictionalCF(i int) string {
	s := fmt.Sprintf("RSSMRA%02dA%02dD969", 40+i%60, 1+(i/60)%28)
	surname := []byte("BCDFGHLMNPRSTVZ")
	b := []byte(s)
	b[0], b[1], b[2] = surname[i%15], surname[(i/15)%15], surname[(i/225)%15]
	c, _ := codicefiscale.CheckChar(string(b))
	return string(b) + string(c)
}

func seq(evs []store.Event) iter.Seq2[store.Event, error] {
	return func(yield func(store.Event, error) bool) {
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestExportSplitsDedupesAndCountsAcrossDevices(t *testing.T) {
	priv, _ := seal.GenerateKey()
	s := seal.NewSealer(priv.PublicKey(), time.Hour, time.Now)
	evs := synthetic(9500, s, nil)
	evs = append(evs, evs[:2000]...) // a relay re-sent a batch
	dir := t.TempDir()
	res, err := Export(context.Background(), seq(evs), Options{From: day("2026-01-01"), To: day("2026-12-31"), Opener: seal.NewOpener(priv), Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 9500 || res.Services != 9500 || len(res.Rejected) != 0 || len(res.Files) != 2 || res.UniqueCitizens != 9500/3+1 {
		t.Fatalf("result rows %d services %d rejected %d files %v unique %d", res.Rows, res.Services, len(res.Rejected), res.Files, res.UniqueCitizens)
	}
	checkNationalRules(t, res.Files)
}

func TestExportWithTheWrongKeyRejectsEverything(t *testing.T) {
	priv, _ := seal.GenerateKey()
	other, _ := seal.GenerateKey()
	evs := synthetic(10, seal.NewSealer(priv.PublicKey(), time.Hour, time.Now), nil)
	res, err := Export(context.Background(), seq(evs), Options{From: day("2026-01-01"), To: day("2026-12-31"), Opener: seal.NewOpener(other), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 0 || len(res.Rejected) != 10 || !strings.Contains(res.Rejected[0].Problems[0].Reason, "cannot be opened") {
		t.Errorf("rows %d rejected %d: %+v", res.Rows, len(res.Rejected), res.Rejected[:1])
	}
	if _, err := Export(context.Background(), seq(evs), Options{From: day("2026-02-01"), To: day("2026-01-01"), Opener: seal.NewOpener(other), Dir: t.TempDir()}); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
}

// An error reading the events stops the export with that error, and the
// events are not read any further once Export has returned.
func TestExportStopsOnAReadError(t *testing.T) {
	priv, _ := seal.GenerateKey()
	evs := synthetic(3000, seal.NewSealer(priv.PublicKey(), time.Hour, time.Now), nil)
	broken := errors.New("disk I/O error")
	var pulled, afterReturn atomic.Int64
	var returned atomic.Bool
	events := func(yield func(store.Event, error) bool) {
		for i, ev := range evs {
			if returned.Load() {
				afterReturn.Add(1)
			}
			pulled.Add(1)
			if i == 2000 {
				yield(store.Event{}, broken)
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
	_, err := Export(context.Background(), events, Options{From: day("2026-01-01"), To: day("2026-12-31"), Opener: seal.NewOpener(priv), Dir: t.TempDir()})
	returned.Store(true)
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "read events") {
		t.Fatalf("err = %v, want the read error", err)
	}
	if pulled.Load() != 2001 || afterReturn.Load() != 0 {
		t.Fatalf("pulled %d events (%d after Export returned), want 2001 and 0", pulled.Load(), afterReturn.Load())
	}
}

// A failing file write stops the export early; the reading stops with it.
func TestExportStopsReadingWhenWritingFails(t *testing.T) {
	priv, _ := seal.GenerateKey()
	evs := synthetic(30_000, seal.NewSealer(priv.PublicKey(), time.Hour, time.Now), nil)
	var running atomic.Int64
	events := func(yield func(store.Event, error) bool) {
		running.Add(1)
		defer running.Add(-1)
		for _, ev := range evs {
			if !yield(ev, nil) {
				return
			}
		}
	}
	dir := filepath.Join(t.TempDir(), "missing", "dir")
	_, err := Export(context.Background(), events, Options{From: day("2026-01-01"), To: day("2026-12-31"), Opener: seal.NewOpener(priv), Dir: dir})
	if err == nil {
		t.Fatal("export into a missing directory succeeded")
	}
	if n := running.Load(); n != 0 {
		t.Fatalf("the event reader is still running after Export returned")
	}
}
