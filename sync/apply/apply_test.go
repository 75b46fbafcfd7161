package apply_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/officina-digitale/officina/content/bundle"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/sync/apply"
	"github.com/officina-digitale/officina/sync/wire"
)

// signedBundle packs files (two of them identical) and signs the manifest.
func signedBundle(t *testing.T, key ed25519.PrivateKey) ([]byte, *bundle.Blobs) {
	src := fstest.MapFS{
		"a/01.it.md":  {Data: []byte("# Uno\n")},
		"a/02.it.md":  {Data: []byte("# Uno\n")}, // same bytes: one blob
		"a/meta.toml": {Data: []byte("id = \"a\"\n")},
	}
	blobs, _ := bundle.OpenBlobs(t.TempDir())
	m, err := bundle.Pack(src, blobs, "test", 1, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := bundle.Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	return signed, blobs
}

func TestCatalogue(t *testing.T) {
	ctx := context.Background()
	pub, priv, _ := ed25519.GenerateKey(nil)
	_, other, _ := ed25519.GenerateKey(nil)
	lib, err := bundle.OpenLibrary(t.TempDir(), bundle.Options{Trusted: []ed25519.PublicKey{pub}})
	if err != nil {
		t.Fatal(err)
	}
	var reloadErr error
	reloads := 0
	c := apply.Catalogue{Library: lib, Reload: func(context.Context) error { reloads++; return reloadErr }}

	forged, _ := signedBundle(t, other)
	if _, err := c.Blobs(forged); err == nil {
		t.Error("a manifest signed by an untrusted key listed its blobs")
	}
	signed, src := signedBundle(t, priv)
	need, err := c.Blobs(signed)
	if err != nil {
		t.Fatal(err)
	}
	if len(need) != 2 {
		t.Fatalf("blobs to fetch: %+v, want 2 (two files share one)", need)
	}
	if err := c.Activate(ctx, signed); err == nil || reloads != 0 {
		t.Fatalf("activated with no blob present: %v (reloads %d)", err, reloads)
	}
	for _, b := range need {
		r, _ := src.Open(b.SHA256)
		if err := lib.Blobs().Put(b.SHA256, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	reloadErr = errors.New("catalogue damaged")
	if err := c.Activate(ctx, signed); err == nil || !strings.Contains(err.Error(), "activated but not shown") {
		t.Errorf("a failing reload: %v", err)
	}
	reloadErr = nil
	if err := c.Activate(ctx, signed); err != nil || reloads != 2 {
		t.Errorf("activate again: %v, reloads %d", err, reloads)
	}
	if m, _, err := lib.Active(); err != nil || m.Name != "test" {
		t.Errorf("active bundle: %+v %v", m, err)
	}
}

func TestBlobsServesTheLibrarysBlobs(t *testing.T) {
	blobs, _ := bundle.OpenBlobs(t.TempDir())
	data := []byte("# SPID\n")
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	blobs.Put(sha, bytes.NewReader(data))
	b := apply.Blobs{Blobs: blobs}
	rc, err := b.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("blob read %q", got)
	}
	missing := sha256.Sum256([]byte("other"))
	if _, err := b.Open(hex.EncodeToString(missing[:])); !errors.Is(err, bundle.ErrMissingBlob) {
		t.Errorf("a blob not there: %v", err)
	}
}

func TestRoster(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"), "dev", store.Options{Schemas: []store.Schema{staff.Schema}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := staff.New(st)
	hash, _ := staff.HashPIN("4821", 1000)
	a := apply.Roster{Roster: r}
	if err := a.ApplyRoster(ctx, wire.Roster{Version: 3, Staff: []wire.StaffMember{{ID: "FAC-GE-001", Name: " Giulia D'Amico ", Card: "04:a2", PINHash: hash}}}); err != nil {
		t.Fatal(err)
	}
	m, err := r.Login(ctx, "04A2", "4821")
	if err != nil || m.Role != staff.Facilitator || m.Name != "Giulia D'Amico" {
		t.Errorf("member from the hub: %+v %v", m, err)
	}
	err = a.ApplyRoster(ctx, wire.Roster{Version: 4, Staff: []wire.StaffMember{{ID: "FAC-GE-002", Name: "Luca", Card: "05", PINHash: hash, Role: "boss"}}})
	if err == nil || !strings.Contains(err.Error(), "version 4") || !strings.Contains(err.Error(), "boss") {
		t.Errorf("a roster with an unknown role: %v", err)
	}
	if _, err := r.Login(ctx, "04A2", "4821"); err != nil {
		t.Errorf("a refused roster changed the roster: %v", err)
	}
}
