package identity_test

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/officina-digitale/officina/kiosk/identity"
)

func TestCreatedOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	a, err := identity.LoadOrCreate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, identity.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := identity.LoadOrCreate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || !a.Public.Equal(b.Public) {
		t.Errorf("a restart changed the device id: %s then %s", a.ID, b.ID)
	}
	if !strings.HasPrefix(a.ID, "ofc-") || len(a.ID) != 4+16 {
		t.Errorf("device id %q: want ofc- and 16 base32 characters", a.ID)
	}
	msg := []byte("batch 42")
	if !ed25519.Verify(b.Public, msg, a.Sign(msg)) {
		t.Error("a signature does not verify with the reloaded public key")
	}
	if c, _ := identity.LoadOrCreate(t.TempDir(), nil); c.ID == a.ID {
		t.Error("two data directories got the same device id")
	}
}

func TestLooseModeTightened(t *testing.T) {
	dir := t.TempDir()
	if _, err := identity.LoadOrCreate(dir, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, identity.FileName)
	os.Chmod(path, 0o644)
	if _, err := identity.Load(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("a world-readable key was left at %v", fi.Mode().Perm())
	}
}

// A damaged key file is an error that says what to do, and is never
// replaced silently: the hub knows this kiosk by that key.
func TestDamagedKeyNotReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, identity.FileName)
	os.WriteFile(path, []byte("not a key\n"), 0o600)
	_, err := identity.LoadOrCreate(dir, nil)
	if err == nil || !strings.Contains(err.Error(), "move it aside") {
		t.Fatalf("LoadOrCreate on a damaged key = %v, want an error saying to move it aside", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "not a key\n" {
		t.Error("the damaged key file was overwritten")
	}
}
