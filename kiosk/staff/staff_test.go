package staff

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/store"
)

func TestLoginAndLockout(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"), "dev", store.Options{Clock: clk, Schemas: []store.Schema{Schema}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := New(st)
	hash, err := HashPIN("4821", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "4821") {
		t.Fatal("the hash shows the PIN")
	}
	m := Member{ID: "FAC-GE-001", Name: "Giulia D'Amico", Role: Facilitator, Card: "04:A2:19:7C", Active: true}
	if err := r.Put(ctx, m, hash); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Login(ctx, "04a2197c", "4821"); err != nil || got.ID != m.ID {
		t.Fatalf("login = %+v, %v", got, err)
	}
	if _, err := r.Login(ctx, "FFFF", "4821"); !errors.Is(err, ErrUnknownCard) {
		t.Errorf("unknown card: %v", err)
	}
	for i := 1; i <= 4; i++ {
		_, err := r.Login(ctx, m.Card, "0000")
		var le *LoginError
		if !errors.As(err, &le) || !errors.Is(err, ErrWrongPIN) || le.AttemptsLeft != 5-i {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
	}
	if _, err := r.Login(ctx, m.Card, "0000"); !errors.Is(err, ErrLocked) {
		t.Fatalf("fifth wrong PIN: %v, want locked", err)
	}
	clk.Advance(4 * time.Minute)
	if _, err := r.Login(ctx, m.Card, "4821"); !errors.Is(err, ErrLocked) {
		t.Errorf("right PIN while locked: %v, want locked", err)
	}
	clk.Advance(61 * time.Second)
	if _, err := r.Login(ctx, m.Card, "4821"); err != nil {
		t.Errorf("right PIN after the lock: %v", err)
	}
	// After a success the count starts again.
	for i := 0; i < 4; i++ {
		r.Login(ctx, m.Card, "1111")
	}
	if _, err := r.Login(ctx, m.Card, "4821"); err != nil {
		t.Errorf("right PIN after 4 failures: %v", err)
	}
	m.Active = false
	r.Put(ctx, m, hash)
	if _, err := r.Login(ctx, m.Card, "4821"); !errors.Is(err, ErrUnknownCard) {
		t.Errorf("inactive member logged in: %v", err)
	}
}

func TestValidation(t *testing.T) {
	for _, pin := range []string{"123", "123456789", "12a4", ""} {
		if _, err := HashPIN(pin, 1000); err == nil {
			t.Errorf("PIN %q accepted", pin)
		}
	}
	bad := []Member{
		{Name: "x", Role: Facilitator, Card: "1"},
		{ID: "x", Role: Facilitator, Card: "1"},
		{ID: "x", Name: "x", Role: "boss", Card: "1"},
		{ID: "x", Name: "x", Role: Volunteer},
	}
	for _, m := range bad {
		if m.Validate() == nil {
			t.Errorf("%+v accepted", m)
		}
	}
}
