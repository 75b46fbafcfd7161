package wire

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// SigningString is what a device signs for a request: the method, the path
// with its query, every Officina-* header except the signature (names
// lower-cased, sorted) and the SHA-256 of the body. Changing any of them
// breaks the signature; the counter header makes each request unique, so a
// replay is caught by the hub.
func SigningString(r *http.Request, bodySHA256 [32]byte) []byte {
	var sb strings.Builder
	sb.WriteString("officina-request-v1\n")
	sb.WriteString(r.Method)
	sb.WriteByte('\n')
	sb.WriteString(r.URL.RequestURI())
	sb.WriteByte('\n')
	var names []string
	for name := range r.Header {
		ln := strings.ToLower(name)
		if strings.HasPrefix(ln, "officina-") && ln != strings.ToLower(HeaderSignature) {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	for _, name := range names {
		sb.WriteString(strings.ToLower(name))
		sb.WriteByte(':')
		sb.WriteString(strings.Join(r.Header.Values(name), ","))
		sb.WriteByte('\n')
	}
	sb.WriteString(hex.EncodeToString(bodySHA256[:]))
	return []byte(sb.String())
}

// Sign sets the signature header on r. The Officina-* headers must already
// be set.
func Sign(r *http.Request, body []byte, sign func([]byte) []byte) {
	sig := sign(SigningString(r, sha256.Sum256(body)))
	r.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
}

// Verify checks r's signature against pub.
func Verify(r *http.Request, body []byte, pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: missing or malformed %s", ErrBadSig, HeaderSignature)
	}
	if !ed25519.Verify(pub, SigningString(r, sha256.Sum256(body)), sig) {
		return ErrBadSig
	}
	return nil
}

// BatchSignature is the origin device's signature over a compressed batch,
// carried in HeaderBatchSig so that a sibling can relay the batch unchanged.
func BatchSignature(batch []byte, sign func([]byte) []byte) string {
	sum := sha256.Sum256(batch)
	return base64.StdEncoding.EncodeToString(sign(append([]byte("officina-batch-v1\n"), sum[:]...)))
}

// VerifyBatch checks a batch signature against the origin's key.
func VerifyBatch(batch []byte, sig string, pub ed25519.PublicKey) error {
	s, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(s) != ed25519.SignatureSize {
		return fmt.Errorf("%w: missing or malformed batch signature", ErrBadSig)
	}
	sum := sha256.Sum256(batch)
	if !ed25519.Verify(pub, append([]byte("officina-batch-v1\n"), sum[:]...), s) {
		return fmt.Errorf("%w: batch signature", ErrBadSig)
	}
	return nil
}
