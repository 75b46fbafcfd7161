package hub

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/officina-digitale/officina/kiosk/atomicfile"
	"github.com/officina-digitale/officina/sync/wire"
)

// Keys are the hub's secrets, created on first start in its data directory
// (files readable only by the hub's user).
type Keys struct {
	// Signing signs content manifests and device certificates.
	Signing ed25519.PrivateKey
	// Seal is the X25519 key kiosks seal personal data to.
	Seal *ecdh.PrivateKey
	// HMAC keys the hash that counts unique citizens across kiosks.
	HMAC []byte
	// TLS is the hub's self-signed certificate; kiosks pin it at enrolment.
	TLS tls.Certificate
}

// Deployment names the deployment: derived from the signing key, so two
// hubs never share one by accident.
func (k *Keys) Deployment() string {
	sum := sha256.Sum256(k.Signing.Public().(ed25519.PublicKey))
	return "dep-" + hex.EncodeToString(sum[:6])
}

// Certify signs a device certificate.
func (k *Keys) Certify(site, deviceID string, pub []byte) []byte {
	return ed25519.Sign(k.Signing, wire.CertificateMessage(k.Deployment(), site, deviceID, pub))
}

// TLSPin is the SHA-256 of the hub certificate's public key (SPKI), hex.
func (k *Keys) TLSPin() string {
	return SPKIPin(k.TLS.Leaf)
}

// SPKIPin returns the hex SHA-256 of a certificate's SubjectPublicKeyInfo.
func SPKIPin(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return hex.EncodeToString(sum[:])
}

// LoadOrCreateKeys reads the keys from dir, creating any that is missing.
// hosts are the names and addresses put in a new TLS certificate.
func LoadOrCreateKeys(dir string, hosts []string) (*Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hub: keys: %w", err)
	}
	seed, err := loadOrCreate(filepath.Join(dir, "signing.key"), "OFFICINA HUB SIGNING KEY", ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	sealRaw, err := loadOrCreate(filepath.Join(dir, "seal.key"), "OFFICINA HUB SEAL KEY", 32)
	if err != nil {
		return nil, err
	}
	seal, err := ecdh.X25519().NewPrivateKey(sealRaw)
	if err != nil {
		return nil, fmt.Errorf("hub: seal key: %w", err)
	}
	hmacKey, err := loadOrCreate(filepath.Join(dir, "hmac.key"), "OFFICINA DEPLOYMENT HMAC SECRET", 32)
	if err != nil {
		return nil, err
	}
	cert, err := loadOrCreateTLS(dir, hosts)
	if err != nil {
		return nil, err
	}
	return &Keys{Signing: ed25519.NewKeyFromSeed(seed), Seal: seal, HMAC: hmacKey, TLS: cert}, nil
}

func loadOrCreate(path, typ string, size int) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		blk, _ := pem.Decode(data)
		if blk == nil || blk.Type != typ || len(blk.Bytes) != size {
			return nil, fmt.Errorf("hub: %s is not a %s; restore it from backup (kiosks depend on it)", path, typ)
		}
		return blk.Bytes, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("hub: read %s: %w", path, err)
	}
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
		return nil, fmt.Errorf("hub: save %s: %w", path, err)
	}
	return b, nil
}

func loadOrCreateTLS(dir string, hosts []string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		return c, nil
	} else if _, statErr := os.Stat(certPath); statErr == nil {
		return tls.Certificate{}, fmt.Errorf("hub: TLS certificate in %s: %w", dir, err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "officina-hub"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(20, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range append(hosts, "localhost", "127.0.0.1") {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("hub: create TLS certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := atomicfile.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := atomicfile.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.LoadX509KeyPair(certPath, keyPath)
}

// TLSConfig is the server TLS configuration with the hub's certificate.
func (k *Keys) TLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{k.TLS}}
}
