package people

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/store"
)

var day = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)

func newRegistry(t *testing.T) (*Registry, *store.Store, *clock.Fake, *seal.Opener) {
	t.Helper()
	clk := clock.NewFake(day)
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"), "dev1", store.Options{Clock: clk, Schemas: []store.Schema{Schema}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	priv, _ := seal.GenerateKey()
	r, err := New(st, Options{Secret: make([]byte, 32), Sealer: seal.NewSealer(priv.PublicKey(), time.Hour, clk.Now)})
	if err != nil {
		t.Fatal(err)
	}
	return r, st, clk, seal.NewOpener(priv)
}

func TestIdentifyDerivesAndSeals(t *testing.T) {
	r, _, _, o := newRegistry(t)
	id, err := r.Identify(Person{CF: "bncnna52l55d612i", FirstName: "Anna", Surname: "Bianchi"}, day)
	if err != nil {
		t.Fatal(err)
	}
	if id.Gender != "A" || id.AgeBand != "C" { // woman, 74 on 3 Nov 2026
		t.Errorf("gender %s band %s, want A C", id.Gender, id.AgeBand)
	}
	if id.ID != r.Pseudonym("BNCNNA52L55D612I") || len(id.ID) != 64 {
		t.Errorf("pseudonym %s is not the HMAC of the normalised code", id.ID)
	}
	o.Learn(id.Key)
	b, err := o.Open(id.Sealed)
	if err != nil || string(b) != `{"cf":"BNCNNA52L55D612I","first_name":"Anna","surname":"Bianchi"}` {
		t.Errorf("sealed identity = %s, %v", b, err)
	}
	again, _ := r.Identify(Person{CF: "BNCNNA52L55D612I", FirstName: "Anna", Surname: "Bianchi"}, day)
	if again.ID != id.ID {
		t.Error("the same code gave two pseudonyms")
	}
	// The same code under another deployment secret is another pseudonym.
	r2, _ := New(r.st, Options{Secret: []byte("another deployment secret, 32+ b"), Sealer: r.sealer})
	if r2.Pseudonym("BNCNNA52L55D612I") == id.ID {
		t.Error("pseudonyms do not depend on the deployment secret")
	}
}

func TestIdentifyErrors(t *testing.T) {
	r, _, _, _ := newRegistry(t)
	tests := []struct {
		p     Person
		field string
	}{
		{Person{CF: "RSSMRA80A01D969", FirstName: "Mario", Surname: "Rossi"}, "cf"},
		{Person{CF: "RSSMRA80A01D969Z", Surname: "Rossi"}, "AN1"},
		{Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario"}, "AN2"},
		{Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi", Gender: "M"}, "AN7"},
		{Person{CF: "RSSMRA80A01D969Z", DocType: "A", DocNumber: "CA1234567", FirstName: "Mario", Surname: "Rossi"}, "AN5"},
		{Person{DocType: "Z", DocNumber: "CA1234567", FirstName: "Mario", Surname: "Rossi", Gender: "B", AgeBand: "B"}, "AN5"},
		{Person{DocType: "A", DocNumber: "C1", FirstName: "Mario", Surname: "Rossi", Gender: "B", AgeBand: "B"}, "AN6"},
		{Person{DocType: "A", DocNumber: "CA1234567", FirstName: "Mario", Surname: "Rossi", AgeBand: "B"}, "AN7"},
		{Person{DocType: "A", DocNumber: "CA1234567", FirstName: "Mario", Surname: "Rossi", Gender: "B"}, "AN8"},
		{Person{CF: "FRRLCU24C41H501I", FirstName: "Lucia", Surname: "Ferri"}, "AN8"}, // a two-year-old
	}
	for _, tt := range tests {
		_, err := r.Identify(tt.p, day)
		var fe *FieldError
		var ce *codicefiscale.Error
		switch {
		case tt.field == "cf" && errors.As(err, &ce):
		case errors.As(err, &fe) && fe.Field == tt.field:
		default:
			t.Errorf("Identify(%+v) = %v, want an error on %s", tt.p, err, tt.field)
		}
	}
	noKey, _ := New(r.st, Options{Secret: make([]byte, 32)})
	if _, err := noKey.Identify(Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi"}, day); !errors.Is(err, ErrNoExportKey) {
		t.Errorf("identify without an export key: %v", err)
	}
}

func TestRecordRemembersProfileAndConsent(t *testing.T) {
	r, st, clk, _ := newRegistry(t)
	ctx := context.Background()
	id, _ := r.Identify(Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi"}, day)
	err := st.Write(ctx, func(tx *store.Tx) error {
		c, known, err := r.Record(tx, id, Profile{Education: "C", Employment: "A", Citizenship: "A", Province: "GE"})
		if err != nil || known || c.Profile.Province != "GE" {
			t.Errorf("first record: %+v known=%v %v", c, known, err)
		}
		ok, err := r.Acknowledge(tx, id.ID, "2026-01", "verbal")
		if !ok || err != nil {
			t.Errorf("acknowledge: %v %v", ok, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	err = st.Write(ctx, func(tx *store.Tx) error {
		c, known, err := r.Record(tx, id, Profile{Employment: "G"}) // retired since
		if err != nil || !known {
			t.Fatalf("second record: known=%v %v", known, err)
		}
		if c.Profile != (Profile{Education: "C", Employment: "G", Citizenship: "A", Province: "GE"}) {
			t.Errorf("merged profile %+v", c.Profile)
		}
		if ok, _ := r.Acknowledge(tx, id.ID, "2026-01", "screen"); ok {
			t.Error("the same notice was acknowledged twice")
		}
		if _, err := r.Acknowledge(tx, id.ID, "2026-02", "telepathy"); err == nil {
			t.Error("an unknown consent method was accepted")
		}
		if _, _, err := r.Record(tx, id, Profile{Education: "Z"}); err == nil {
			t.Error("education Z was accepted")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok, err := r.Find(ctx, Person{CF: " rssmra80a01d969z\n"}); err != nil || !ok || c.Profile.Employment != "G" {
		t.Errorf("Find a returning citizen by the scanned code: %+v %v %v", c, ok, err)
	}
	if _, ok, err := r.Find(ctx, Person{CF: "BNCNNA52L55D612I"}); err != nil || ok {
		t.Errorf("Find a citizen never seen: %v %v", ok, err)
	}
	kinds := map[string]int{}
	for ev, err := range st.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		kinds[ev.Kind]++
	}
	if kinds[KindSealKey] != 1 || kinds[KindCitizen] != 2 || kinds[KindConsent] != 1 {
		t.Errorf("events %v: want one key, two profiles (new, changed), one consent", kinds)
	}
}

func TestEraseKeepsCounts(t *testing.T) {
	r, st, clk, _ := newRegistry(t)
	ctx := context.Background()
	id, _ := r.Identify(Person{CF: "RSSMRA80A01D969Z", FirstName: "Mario", Surname: "Rossi"}, day)
	st.Write(ctx, func(tx *store.Tx) error { _, _, err := r.Record(tx, id, Profile{}); return err })
	clk.Advance(800 * 24 * time.Hour)
	res, err := r.Erase(ctx, clk.Now().Add(-730*24*time.Hour))
	if err != nil || res.Citizens != 1 || res.Events != 1 {
		t.Fatalf("erase = %+v, %v", res, err)
	}
	c, ok, _ := r.Lookup(ReadDB{st.DB()}, id.ID)
	if !ok || !c.Erased {
		t.Errorf("citizen after erasure: %+v %v", c, ok)
	}
	var sealed string
	st.DB().QueryRow(`SELECT sealed FROM citizens`).Scan(&sealed)
	n := 0
	for ev := range st.Events(ctx, 0) {
		n++
		if ev.Kind == KindCitizen && string(ev.Payload) != `{"citizen":"`+id.ID+`","gender":"B","education":"","employment":"","citizenship":"","province":"","sealed":""}` {
			t.Errorf("profile event after erasure: %s", ev.Payload)
		}
	}
	if sealed != "" || n != 3 {
		t.Errorf("sealed=%q, %d events (want the 2 plus the erasure record)", sealed, n)
	}
}
