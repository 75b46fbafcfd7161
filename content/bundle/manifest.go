// Package bundle packs a catalogue directory into a content bundle and
// installs bundles on a kiosk.
//
// A bundle is a manifest listing every file by path, SHA-256 and size,
// plus the files themselves as blobs addressed by their SHA-256. The
// manifest is signed with Ed25519; the signed manifest travels as one small
// JSON document (see Signed), and the blobs travel separately, each
// checkable on its own, so a kiosk fetches only the blobs it lacks, from
// the hub or from a LAN sibling.
//
// A Library keeps the blobs and the installed manifests in a directory.
// Activate verifies the signature against the trusted keys, re-hashes
// every blob the manifest lists and only then switches the one-line
// "active" file, atomically. A power cut at any moment leaves either the
// old catalogue or the new one, whole. docs/content-format.md documents the
// formats.
package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Errors a caller can test with errors.Is. Each names what was wrong.
var (
	// ErrMalformed: the signed manifest is not a complete, well-formed
	// document (for instance a truncated download).
	ErrMalformed = errors.New("bundle: malformed or truncated manifest")
	// ErrBadSignature: the signature does not match the manifest.
	ErrBadSignature = errors.New("bundle: bad signature")
	// ErrUntrustedKey: the manifest is signed by a key this kiosk does not trust.
	ErrUntrustedKey = errors.New("bundle: signed by an untrusted key")
	// ErrHashMismatch: a blob's content does not match its SHA-256 (tampered or corrupt).
	ErrHashMismatch = errors.New("bundle: blob does not match its sha256 (tampered or corrupt)")
	// ErrTruncated: a blob is shorter or longer than the manifest says.
	ErrTruncated = errors.New("bundle: blob has the wrong size (truncated file)")
	// ErrMissingBlob: a blob the manifest lists is not in the store.
	ErrMissingBlob = errors.New("bundle: blob missing")
	// ErrOlder: the manifest's version is older than the active one.
	ErrOlder = errors.New("bundle: older than the active bundle")
	// ErrNoBundle: no bundle has been activated yet.
	ErrNoBundle = errors.New("bundle: no active bundle")
)

// Format is the manifest format version this package writes and reads.
const Format = 1

// signContext prefixes the signed bytes so that an Officina publishing
// signature can never be mistaken for a signature over anything else.
const signContext = "officina content bundle v1\n"

// File is one file of the bundle.
type File struct {
	Path   string `json:"path"`   // slash-separated, relative, e.g. "spid-primo/meta.toml"
	SHA256 string `json:"sha256"` // lower-case hex
	Size   int64  `json:"size"`
}

// Manifest describes a bundle.
type Manifest struct {
	Format  int       `json:"format"`
	Name    string    `json:"name"`    // e.g. "officina-genova"
	Version int64     `json:"version"` // increases with every publication
	Created time.Time `json:"created"`
	Files   []File    `json:"files"` // sorted by path
}

// Signed is the signed manifest as it is stored and transferred: the exact
// manifest bytes, the signer's public key and the signature over
// signContext followed by those bytes. JSON encodes the byte fields as
// base64.
type Signed struct {
	Manifest  []byte `json:"manifest"`
	Key       []byte `json:"key"`
	Signature []byte `json:"signature"`
}

// Sign encodes m and signs it with key, returning the signed document.
func Sign(m *Manifest, key ed25519.PrivateKey) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle: encode manifest: %w", err)
	}
	s := Signed{
		Manifest:  body,
		Key:       key.Public().(ed25519.PublicKey),
		Signature: ed25519.Sign(key, append([]byte(signContext), body...)),
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle: encode signed manifest: %w", err)
	}
	return append(out, '\n'), nil
}

// Verify checks the signed document against the trusted keys and returns
// its manifest. It does not look at blobs.
func Verify(signed []byte, trusted []ed25519.PublicKey) (*Manifest, error) {
	var s Signed
	dec := json.NewDecoder(bytes.NewReader(signed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(s.Key) != ed25519.PublicKeySize || len(s.Signature) != ed25519.SignatureSize || len(s.Manifest) == 0 {
		return nil, fmt.Errorf("%w: key, signature or manifest missing or of the wrong length", ErrMalformed)
	}
	ok := false
	for _, k := range trusted {
		if bytes.Equal(k, s.Key) {
			ok = true
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: key %s", ErrUntrustedKey, KeyString(s.Key))
	}
	if !ed25519.Verify(s.Key, append([]byte(signContext), s.Manifest...), s.Signature) {
		return nil, ErrBadSignature
	}
	var m Manifest
	dec = json.NewDecoder(bytes.NewReader(s.Manifest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrMalformed, err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// check rejects a manifest a kiosk must not install even if it is signed:
// an unknown format, a path that escapes the bundle, a duplicate, a bad hash.
func (m *Manifest) check() error {
	if m.Format != Format {
		return fmt.Errorf("%w: format %d, this kiosk reads format %d", ErrMalformed, m.Format, Format)
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("%w: no files", ErrMalformed)
	}
	seen := map[string]bool{}
	for _, f := range m.Files {
		if !fs.ValidPath(f.Path) || f.Path == "." || strings.Contains(f.Path, "\\") {
			return fmt.Errorf("%w: file path %q", ErrMalformed, f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("%w: file %q listed twice", ErrMalformed, f.Path)
		}
		seen[f.Path] = true
		if !ValidHash(f.SHA256) {
			return fmt.Errorf("%w: file %q: sha256 %q", ErrMalformed, f.Path, f.SHA256)
		}
		if f.Size < 0 {
			return fmt.Errorf("%w: file %q: negative size", ErrMalformed, f.Path)
		}
	}
	for p := range seen { // a file cannot also be a directory
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if seen[d] {
				return fmt.Errorf("%w: %q is both a file and a directory", ErrMalformed, d)
			}
		}
	}
	return nil
}

// ValidHash reports whether s is a lower-case hex SHA-256.
func ValidHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Blobs returns the distinct blobs the manifest needs, sorted by hash.
func (m *Manifest) Blobs() []File {
	seen := map[string]bool{}
	var out []File
	for _, f := range m.Files {
		if !seen[f.SHA256] {
			seen[f.SHA256] = true
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SHA256 < out[j].SHA256 })
	return out
}

// TotalSize is the sum of the distinct blobs' sizes.
func (m *Manifest) TotalSize() int64 {
	var n int64
	for _, f := range m.Blobs() {
		n += f.Size
	}
	return n
}

// KeyString writes a public key as text: "ed25519:" and its hex.
func KeyString(k ed25519.PublicKey) string { return "ed25519:" + hex.EncodeToString(k) }

// ParseKey reads a public key written by KeyString.
func ParseKey(s string) (ed25519.PublicKey, error) {
	h, ok := strings.CutPrefix(strings.TrimSpace(s), "ed25519:")
	b, err := hex.DecodeString(h)
	if !ok || err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("bundle: key %q: want \"ed25519:\" followed by 64 hex digits", s)
	}
	return ed25519.PublicKey(b), nil
}
