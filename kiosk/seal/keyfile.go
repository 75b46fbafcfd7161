package seal

import (
	"crypto/hpke"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// ErrPassphrase means the passphrase does not open the local export key.
var ErrPassphrase = errors.New("seal: wrong passphrase for the local export key")

// DefaultIterations is the PBKDF2-SHA256 work factor for a local export key
// (OWASP's 2023 figure; about a second on a Raspberry Pi 4).
const DefaultIterations = 600_000

// MinPassphrase is the shortest passphrase accepted for a new key.
const MinPassphrase = 10

// KeyFile is an export key pair kept on a kiosk with no hub: the public half
// in clear (for sealing), the private half encrypted under a coordinator's
// passphrase with PBKDF2-SHA256 and AES-256-GCM.
type KeyFile struct {
	Version    int    `json:"version"`
	Public     []byte `json:"public"`
	KDF        string `json:"kdf"`
	Iterations int    `json:"iterations"`
	Salt       []byte `json:"salt"`
	Private    []byte `json:"private"` // nonce ‖ AES-GCM ciphertext
}

// NewKeyFile generates an export key pair and encrypts its private half
// under passphrase. iterations <= 0 means DefaultIterations.
func NewKeyFile(passphrase string, iterations int) (KeyFile, error) {
	if len([]rune(passphrase)) < MinPassphrase {
		return KeyFile{}, fmt.Errorf("seal: the passphrase must have at least %d characters", MinPassphrase)
	}
	if iterations <= 0 {
		iterations = DefaultIterations
	}
	priv, err := GenerateKey()
	if err != nil {
		return KeyFile{}, err
	}
	privBytes, err := priv.Bytes()
	if err != nil {
		return KeyFile{}, err
	}
	kf := KeyFile{Version: 1, Public: priv.PublicKey().Bytes(), KDF: "pbkdf2-sha256", Iterations: iterations, Salt: make([]byte, 16)}
	rand.Read(kf.Salt)
	a, err := kf.aead(passphrase)
	if err != nil {
		return KeyFile{}, err
	}
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	kf.Private = a.Seal(nonce, nonce, privBytes, kf.Public)
	clear(privBytes)
	return kf, nil
}

func (kf KeyFile) aead(passphrase string) (interface {
	Seal(dst, nonce, plaintext, ad []byte) []byte
	Open(dst, nonce, ct, ad []byte) ([]byte, error)
	NonceSize() int
}, error) {
	k, err := pbkdf2.Key(sha256.New, passphrase, kf.Salt, kf.Iterations, 32)
	if err != nil {
		return nil, err
	}
	return newGCM(k)
}

// PublicKey returns the public half.
func (kf KeyFile) PublicKey() (hpke.PublicKey, error) { return PublicKey(kf.Public) }

// Unlock decrypts the private half.
func (kf KeyFile) Unlock(passphrase string) (hpke.PrivateKey, error) {
	if kf.Version != 1 || kf.KDF != "pbkdf2-sha256" {
		return nil, fmt.Errorf("seal: export key file version %d (%s) is not supported", kf.Version, kf.KDF)
	}
	a, err := kf.aead(passphrase)
	if err != nil {
		return nil, err
	}
	if len(kf.Private) < a.NonceSize() {
		return nil, fmt.Errorf("seal: export key file is damaged")
	}
	raw, err := a.Open(nil, kf.Private[:a.NonceSize()], kf.Private[a.NonceSize():], kf.Public)
	if err != nil {
		return nil, ErrPassphrase
	}
	defer clear(raw)
	return kem.NewPrivateKey(raw)
}

// Save writes the key file atomically, readable by its owner only.
func (kf KeyFile) Save(path string) error {
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o600)
}

// LoadKeyFile reads a key file written by Save.
func LoadKeyFile(path string) (KeyFile, error) {
	var kf KeyFile
	b, err := os.ReadFile(path)
	if err != nil {
		return kf, fmt.Errorf("seal: %w", err)
	}
	if err := json.Unmarshal(b, &kf); err != nil {
		return kf, fmt.Errorf("seal: export key file %s is damaged: %w", path, err)
	}
	if _, err := kf.PublicKey(); err != nil {
		return kf, fmt.Errorf("seal: export key file %s: %w", path, err)
	}
	return kf, nil
}
