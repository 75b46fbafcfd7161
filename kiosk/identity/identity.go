// Package identity holds the kiosk's device identity: an Ed25519 key pair
// created at first start and kept in the data directory, readable only by
// the kiosk's user. The device id is derived from the public key, so it
// cannot be claimed by another device without its private key.
package identity

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// FileName is the key file's name inside the data directory.
const FileName = "device.key"

const pemType = "OFFICINA DEVICE KEY"

// Identity is a device's key pair and the id derived from it.
type Identity struct {
	ID      string
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// Sign signs msg with the device key.
func (id *Identity) Sign(msg []byte) []byte { return ed25519.Sign(id.private, msg) }

// Private returns the private key, for code that must hand it to a
// standard-library API (TLS client certificates, for instance).
func (id *Identity) Private() ed25519.PrivateKey { return id.private }

// DeviceID derives the printable device id from a public key: "ofc-" and
// the first 80 bits of its SHA-256 in lower-case base32.
func DeviceID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10])
	return "ofc-" + strings.ToLower(enc)
}

// LoadOrCreate reads the key from dir, or creates it there (mode 0600) if
// there is none. random is the entropy source; nil means crypto/rand.
func LoadOrCreate(dir string, random io.Reader) (*Identity, error) {
	path := filepath.Join(dir, FileName)
	id, err := Load(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return id, err
	}
	if random == nil {
		random = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, fmt.Errorf("identity: generate key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("identity: create %s: %w", dir, err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: priv.Seed()})
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("identity: save key: %w", err)
	}
	return fromPrivate(priv), nil
}

// Load reads an existing key file.
func Load(path string) (*Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity: read %s: %w", path, err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != pemType || len(blk.Bytes) != ed25519.SeedSize {
		return nil, fmt.Errorf("identity: %s is not an officina device key; move it aside to create a new identity (the kiosk must then be enrolled again)", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("identity: %s is readable by others and cannot be fixed: %w", path, err)
		}
	}
	return fromPrivate(ed25519.NewKeyFromSeed(blk.Bytes)), nil
}

func fromPrivate(priv ed25519.PrivateKey) *Identity {
	pub := priv.Public().(ed25519.PublicKey)
	return &Identity{ID: DeviceID(pub), Public: pub, private: priv}
}
