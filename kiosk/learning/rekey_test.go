package learning

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// A learner who registered a card before the kiosk was enrolled (the card
// secret then changes to the deployment's) keeps their record: the card is
// found under the previous secret and moved to the new one.
func TestCardsRegisteredUnderThePreviousSecret(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	clk := clock.NewFake(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	st, before := open(t, path, clk)
	anna, err := before.Register(ctx, "04A2197C")
	if err != nil {
		t.Fatal(err)
	}

	deployment := []byte("deployment-secret-deployment-secret")
	after, _ := New(st, deployment, nil)
	if _, err := after.ByCard(ctx, "04A2197C"); !errors.Is(err, ErrUnknownLearner) {
		t.Fatalf("without the previous secret the card should be unknown: %v", err)
	}
	after.AcceptPrevious(secret)
	got, err := after.ByCard(ctx, "04a2197c")
	if err != nil || got != anna {
		t.Fatalf("card registered before enrolment: %+v %v, want %+v", got, err, anna)
	}
	// Re-keyed: found under the new secret alone from now on.
	fresh, _ := New(st, deployment, nil)
	if got, err := fresh.ByCard(ctx, "04A2197C"); err != nil || got != anna {
		t.Errorf("after re-keying: %+v %v", got, err)
	}
	// Registering a card known under the previous secret returns its
	// learner rather than a new one.
	luca, _ := before.Register(ctx, "05B3")
	if got, err := after.Register(ctx, "05B3"); err != nil || got != luca {
		t.Errorf("register a card known under the previous secret: %+v %v, want %+v", got, err, luca)
	}
	if _, err := after.ByCard(ctx, "FFFF"); !errors.Is(err, ErrUnknownLearner) {
		t.Errorf("an unknown card: %v", err)
	}
	st.Close()
}
