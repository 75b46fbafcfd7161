package bundle

import (
	"crypto/ed25519"
	"testing"
	"time"
)

// FuzzVerify: whatever bytes arrive as a signed manifest, Verify returns
// an error or a manifest that passed every check, and never panics.
func FuzzVerify(f *testing.F) {
	key := testKey(1)
	m := &Manifest{Format: Format, Name: "x", Version: 1, Created: time.Unix(0, 0).UTC(),
		Files: []File{{Path: "a/meta.toml", SHA256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", Size: 5}}}
	good, err := Sign(m, key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte(`{"manifest":"","key":"","signature":""}`))
	f.Add([]byte(`[]`))
	trusted := []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Verify(b, trusted)
		if err == nil && m.check() != nil {
			t.Fatalf("accepted a manifest that fails its checks: %+v", m)
		}
	})
}
