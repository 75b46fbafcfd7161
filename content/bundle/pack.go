package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
)

// Pack adds every regular file of src (skipping names starting with ".")
// to blobs and returns the manifest listing them, sorted by path. Sign it
// with Sign.
func Pack(src fs.FS, blobs *Blobs, name string, version int64, now time.Time) (*Manifest, error) {
	m := &Manifest{Format: Format, Name: name, Version: version, Created: now.UTC().Truncate(time.Second)}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		if err := blobs.Put(sha, bytes.NewReader(data)); err != nil {
			return err
		}
		m.Files = append(m.Files, File{Path: p, SHA256: sha, Size: int64(len(data))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bundle: pack: %w", err)
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return m, nil
}

// Import copies the blobs the signed manifest lists from the blob store in
// srcDir (a packed bundle on a USB stick, for instance) into the library,
// verifying each one; Activate then switches to it.
func (l *Library) Import(signed []byte, srcDir string) error {
	missing, err := l.Missing(signed)
	if err != nil {
		return err
	}
	src := &Blobs{dir: srcDir}
	for _, f := range missing {
		r, err := src.Open(f.SHA256)
		if err != nil {
			return fmt.Errorf("bundle: import %s: %w", f.Path, err)
		}
		err = l.blobs.Put(f.SHA256, io.LimitReader(r, f.Size+1))
		r.Close()
		if err != nil {
			return fmt.Errorf("bundle: import %s: %w", f.Path, err)
		}
	}
	return nil
}

const keyPEM = "OFFICINA PUBLISHING KEY"

// NewKeyFile creates an Ed25519 publishing key at path (mode 0600), failing
// if the file exists, and returns the key.
func NewKeyFile(path string, random io.Reader) (ed25519.PrivateKey, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("bundle: %s already exists; not overwriting a key", path)
	}
	_, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, fmt.Errorf("bundle: generate key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: keyPEM, Bytes: priv.Seed()})
	if err := atomicfile.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("bundle: save key: %w", err)
	}
	return priv, nil
}

// LoadKeyFile reads a publishing key written by NewKeyFile.
func LoadKeyFile(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bundle: read key: %w", err)
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != keyPEM || len(blk.Bytes) != ed25519.SeedSize {
		return nil, fmt.Errorf("bundle: %s is not an Officina publishing key", path)
	}
	return ed25519.NewKeyFromSeed(blk.Bytes), nil
}
