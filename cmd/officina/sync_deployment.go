package main

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/sync/client"
)

// deployment is what enrolment gave this kiosk that the content and
// records areas use: the hub's publishing key, the deployment's HMAC secret
// and the hub's seal key. They live in the enrolment file (data_dir/
// enrolment.json, mode 0600). Before enrolment there is none, and each
// area falls back to a device-local key (see docs/sync-protocol.md,
// "Deployment secret").
type deployment struct {
	hubKey  ed25519.PublicKey
	secret  []byte // HMAC secret shared by every kiosk of the deployment
	sealKey []byte // the hub's X25519 public key
}

// loadDeployment reads the enrolment in dataDir: nil when the kiosk is not
// enrolled, an error when the file is damaged or incomplete.
func loadDeployment(dataDir string) (*deployment, error) {
	en, err := client.LoadEnrolment(dataDir)
	if errors.Is(err, client.ErrNotEnrolled) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h := en.Hub
	switch {
	case len(h.HubKey) != ed25519.PublicKeySize:
		return nil, fmt.Errorf("the enrolment has no valid hub publishing key: enrol the kiosk again")
	case len(h.HMACSecret) < 32:
		return nil, fmt.Errorf("the enrolment has no deployment secret (%d bytes): enrol the kiosk again", len(h.HMACSecret))
	}
	if _, err := seal.PublicKey(h.SealKey); err != nil {
		return nil, fmt.Errorf("the enrolment's hub seal key: %w: enrol the kiosk again", err)
	}
	return &deployment{hubKey: ed25519.PublicKey(h.HubKey), secret: h.HMACSecret, sealKey: h.SealKey}, nil
}

// cardKey is the key learner cards are hashed under: derived from the
// deployment secret once enrolled (a card hashes alike on every kiosk of
// the deployment), from the device key before (the hash means nothing off
// this kiosk). cardKey(nil, seed) is the pre-enrolment key, which the
// learning book still accepts after enrolment.
func cardKey(dep *deployment, deviceSeed []byte) []byte {
	base := deviceSeed
	if dep != nil {
		base = dep.secret
	}
	mac := hmac.New(sha256.New, base)
	mac.Write([]byte("officina learning card key v1"))
	return mac.Sum(nil)
}
