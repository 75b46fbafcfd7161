package printer

import (
	"testing"

	"github.com/officina-digitale/officina/hardware/escpos"
)

// BenchmarkEncodeCertificate lays out and encodes a course certificate
// with its QR code and the raster logo, on 80 mm paper.
func BenchmarkEncodeCertificate(b *testing.B) {
	doc := Samples("Biblioteca civica Berio", now)["certificate"]
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := doc.Encode(escpos.Paper80); err != nil {
			b.Fatal(err)
		}
	}
}
