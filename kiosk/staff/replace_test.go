package staff

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/kiosk/store"
)

func TestReplaceRoster(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"), "dev", store.Options{Schemas: []store.Schema{Schema}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := New(st)
	h1, _ := HashPIN("4821", 1000)
	h2, _ := HashPIN("7395", 1000)
	giulia := Entry{Member{ID: "FAC-GE-001", Name: "Giulia D'Amico", Role: Facilitator, Card: "AA01", Active: true}, h1}
	luca := Entry{Member{ID: "VOL-GE-007", Name: "Luca Verdi", Role: Volunteer, Card: "AA02", Active: true}, h2}
	if err := r.Replace(ctx, []Entry{giulia, luca}); err != nil {
		t.Fatal(err)
	}
	if m, err := r.Login(ctx, "AA02", "7395"); err != nil || m.ID != luca.ID {
		t.Fatalf("login after the first roster: %+v %v", m, err)
	}

	// One bad row: nothing changes, and the error names the row.
	bad := luca
	bad.ID = ""
	if err := r.Replace(ctx, []Entry{giulia, bad}); err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Fatalf("roster with a row without ID: %v", err)
	}
	raw := giulia
	raw.PINHash = "4821"
	if err := r.Replace(ctx, []Entry{raw}); err == nil || !strings.Contains(err.Error(), "pbkdf2") {
		t.Fatalf("roster with a raw PIN: %v", err)
	}
	if _, err := r.Login(ctx, "AA02", "7395"); err != nil {
		t.Fatalf("a refused roster changed the roster: %v", err)
	}

	// Luca leaves and Giulia takes his card: his card no longer logs him
	// in, hers now logs her in, and his record stays, inactive.
	giulia.Card = "AA02"
	if err := r.Replace(ctx, []Entry{giulia}); err != nil {
		t.Fatal(err)
	}
	if m, err := r.Login(ctx, "AA02", "4821"); err != nil || m.ID != giulia.ID {
		t.Fatalf("Giulia with Luca's old card: %+v %v", m, err)
	}
	if _, err := r.Login(ctx, "AA01", "4821"); !errors.Is(err, ErrUnknownCard) {
		t.Errorf("Giulia's old card: %v, want unknown", err)
	}
	m, err := r.Get(ctx, luca.ID)
	if err != nil || m.Active {
		t.Errorf("Luca after leaving: %+v %v", m, err)
	}

	// Two members swap cards in one roster.
	luca.Card = "AA01"
	if err := r.Replace(ctx, []Entry{giulia, luca}); err != nil {
		t.Fatal(err)
	}
	giulia.Card, luca.Card = "AA01", "AA02"
	if err := r.Replace(ctx, []Entry{giulia, luca}); err != nil {
		t.Fatalf("swapping cards: %v", err)
	}
	if m, err := r.Login(ctx, "AA01", "4821"); err != nil || m.ID != giulia.ID {
		t.Errorf("after the swap AA01: %+v %v", m, err)
	}
	if err := r.Replace(ctx, []Entry{giulia, {luca.Member, h2}, {Member{ID: "X", Name: "X", Role: Facilitator, Card: "aa01", Active: true}, h2}}); err == nil || !strings.Contains(err.Error(), "card") {
		t.Errorf("two members with one card: %v", err)
	}
}
