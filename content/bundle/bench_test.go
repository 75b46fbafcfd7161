package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkVerify200MB re-hashes a 200 MB bundle (50 blobs of 4 MB, as
// media-heavy content would be), as Activate does before switching. The
// blobs were just written, so they are read from the page cache: this
// measures hashing, not the SD card.
func BenchmarkVerify200MB(b *testing.B) {
	blobs, err := OpenBlobs(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	const n, size = 50, 4 << 20
	r := rand.New(rand.NewPCG(1, 1))
	m := &Manifest{Format: Format}
	buf := make([]byte, size)
	for i := range n {
		for j := range buf {
			buf[j] = byte(r.Uint32())
		}
		sum := sha256.Sum256(buf)
		sha := hex.EncodeToString(sum[:])
		if err := blobs.Put(sha, bytes.NewReader(buf)); err != nil {
			b.Fatal(err)
		}
		m.Files = append(m.Files, File{Path: fmt.Sprintf("media/%02d.ogg", i), SHA256: sha, Size: size})
	}
	b.SetBytes(n * size)
	b.ResetTimer()
	for b.Loop() {
		if err := VerifyBlobs(context.Background(), blobs, m); err != nil {
			b.Fatal(err)
		}
	}
}
