// Package seal encrypts personal data so that only the holder of an export
// key (the hub, or a coordinator's passphrase on a kiosk with no hub) can
// read it back. The kiosk that sealed a value cannot open it.
//
// # Construction
//
// A Sealer draws a random 256-bit data key, wraps it to the export public key
// with HPKE (RFC 9180, base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305) and seals each value under the data key with
// AES-256-GCM and a random 96-bit nonce, binding the data key's id as
// associated data. The data key lives only in memory and is replaced every
// Rotate interval and at every restart; the wrapped key is stored next to the
// values (as an event), so the export opens each wrapped key once rather
// than once per value.
//
// A sealed value is the text "s1.<key id>.<base64url nonce‖ciphertext>".
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Errors.
var (
	// ErrUnknownKey means the value was sealed under a data key the Opener
	// has not been given.
	ErrUnknownKey = errors.New("seal: value sealed under an unknown data key")
	// ErrMalformed means the text is not a sealed value.
	ErrMalformed = errors.New("seal: not a sealed value")
	// ErrWrongKey means the export private key does not open this value.
	ErrWrongKey = errors.New("seal: the export key does not open this value")
)

var (
	kem  = hpke.DHKEM(ecdh.X25519())
	kdf  = hpke.HKDFSHA256()
	aead = hpke.ChaCha20Poly1305()
)

const wrapInfo = "officina seal v1 data key"

// PublicKey parses a raw 32-byte X25519 export public key.
func PublicKey(b []byte) (hpke.PublicKey, error) {
	pk, err := kem.NewPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("seal: export public key: %w", err)
	}
	return pk, nil
}

// ParsePublicKey reads an export public key written as base64 (std or url).
func ParsePublicKey(s string) (hpke.PublicKey, error) {
	s = strings.TrimSpace(s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: export public key is not base64: %w", err)
	}
	return PublicKey(b)
}

// EncodePublicKey writes a public key as standard base64.
func EncodePublicKey(pk hpke.PublicKey) string { return base64.StdEncoding.EncodeToString(pk.Bytes()) }

// GenerateKey makes a new export key pair.
func GenerateKey() (hpke.PrivateKey, error) { return kem.GenerateKey() }

// Fingerprint names a public key: the first 16 hex digits of its SHA-256.
func Fingerprint(pk hpke.PublicKey) string {
	h := sha256.Sum256(pk.Bytes())
	return hex.EncodeToString(h[:8])
}

// WrappedKey is a data key wrapped to an export public key. It must be kept
// (the store appends it as an event) for the values it sealed to be opened.
type WrappedKey struct {
	ID        string `json:"key"`
	Recipient string `json:"recipient"` // Fingerprint of the export public key
	Wrapped   []byte `json:"wrapped"`
}

// Sealer seals values to one export public key. It is safe for concurrent use.
type Sealer struct {
	pub    hpke.PublicKey
	rotate time.Duration
	now    func() time.Time

	mu      sync.Mutex
	current *dataKey
}

type dataKey struct {
	wrapped WrappedKey
	aead    cipher.AEAD
	born    time.Time
}

// NewSealer returns a sealer to pub that draws a fresh data key every rotate
// (and at the first Seal). now is the clock.
func NewSealer(pub hpke.PublicKey, rotate time.Duration, now func() time.Time) *Sealer {
	if rotate <= 0 {
		rotate = 24 * time.Hour
	}
	return &Sealer{pub: pub, rotate: rotate, now: now}
}

// Recipient returns the fingerprint of the export public key.
func (s *Sealer) Recipient() string { return Fingerprint(s.pub) }

// Seal encrypts plaintext and returns the sealed text and the wrapped data
// key it used; the caller stores both.
func (s *Sealer) Seal(plaintext []byte) (string, WrappedKey, error) {
	s.mu.Lock()
	k := s.current
	if k == nil || s.now().Sub(k.born) >= s.rotate || s.now().Before(k.born) {
		nk, err := s.newKey()
		if err != nil {
			s.mu.Unlock()
			return "", WrappedKey{}, err
		}
		s.current, k = nk, nk
	}
	s.mu.Unlock()
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	rand.Read(nonce)
	ct := k.aead.Seal(nonce, nonce, plaintext, []byte(k.wrapped.ID))
	return "s1." + k.wrapped.ID + "." + base64.RawURLEncoding.EncodeToString(ct), k.wrapped, nil
}

func (s *Sealer) newKey() (*dataKey, error) {
	raw := make([]byte, 32)
	rand.Read(raw)
	a, err := newGCM(raw)
	if err != nil {
		return nil, err
	}
	wrapped, err := hpke.Seal(s.pub, kdf, aead, []byte(wrapInfo), raw)
	clear(raw)
	if err != nil {
		return nil, fmt.Errorf("seal: wrap data key: %w", err)
	}
	h := sha256.Sum256(wrapped)
	return &dataKey{
		wrapped: WrappedKey{ID: hex.EncodeToString(h[:8]), Recipient: Fingerprint(s.pub), Wrapped: wrapped},
		aead:    a, born: s.now(),
	}, nil
}

// Opener opens values sealed to one export private key. Give it the
// wrapped data keys with Learn before opening the values sealed under them.
type Opener struct {
	priv hpke.PrivateKey
	keys map[string]cipher.AEAD
	bad  map[string]error
}

// NewOpener returns an opener for the export private key.
func NewOpener(priv hpke.PrivateKey) *Opener {
	return &Opener{priv: priv, keys: map[string]cipher.AEAD{}, bad: map[string]error{}}
}

// Learn unwraps a data key. A key wrapped to another recipient is remembered
// as such, so values under it fail with ErrWrongKey.
func (o *Opener) Learn(w WrappedKey) error {
	if _, ok := o.keys[w.ID]; ok {
		return nil
	}
	raw, err := hpke.Open(o.priv, kdf, aead, []byte(wrapInfo), w.Wrapped)
	if err != nil {
		err = fmt.Errorf("%w (data key %s is for export key %s, this one is %s)", ErrWrongKey, w.ID, w.Recipient, Fingerprint(o.priv.PublicKey()))
		o.bad[w.ID] = err
		return err
	}
	a, err := newGCM(raw)
	clear(raw)
	if err != nil {
		return err
	}
	o.keys[w.ID] = a
	return nil
}

// Open decrypts a sealed value.
func (o *Opener) Open(sealed string) ([]byte, error) {
	rest, ok := strings.CutPrefix(sealed, "s1.")
	if !ok {
		return nil, ErrMalformed
	}
	id, b64, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ErrMalformed
	}
	a, ok := o.keys[id]
	if !ok {
		if err := o.bad[id]; err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w %s", ErrUnknownKey, id)
	}
	ct, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil || len(ct) < a.NonceSize()+a.Overhead() {
		return nil, ErrMalformed
	}
	pt, err := a.Open(nil, ct[:a.NonceSize()], ct[a.NonceSize():], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("seal: value under key %s is damaged: %w", id, err)
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
