package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var realWords = []string{"identità", "digitale", "servizi", "pubblici", "prenotazione", "visita", "truffa", "messaggio",
	"password", "sicurezza", "pagamento", "avviso", "ricevuta", "certificato", "residenza", "famiglia", "biblioteca",
	"catalogo", "prestito", "videochiamata", "telefono", "schermo", "batteria", "fascicolo", "sanitario", "referto"}

// generated returns n lesson documents of about 150 words each, drawn
// from the real words above and 3,000 invented ones.
func generated(n int) []Doc {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := append([]string{}, realWords...)
	for i := 0; i < 3000; i++ {
		vocab = append(vocab, fmt.Sprintf("parola%dx%c", i, 'a'+rune(i%26)))
	}
	word := func() string { return vocab[r.IntN(len(vocab))] }
	docs := make([]Doc, n)
	for i := range docs {
		var b strings.Builder
		for j := 0; j < 150; j++ {
			b.WriteString(word())
			b.WriteByte(' ')
		}
		docs[i] = Doc{ItemID: fmt.Sprintf("item-%d", i/5), Lesson: fmt.Sprintf("%02d-x", i%5), Lang: "it", Kind: "course",
			Title: word() + " " + word(), Summary: word() + " " + word() + " " + word(), Body: b.String(),
			Level: 1 + i%4, Areas: []int{1 + i%5}, Domains: []string{string(rune('A' + i%19))}}
	}
	return docs
}

// BenchmarkSearch10k runs typical citizen queries over 10,000 generated
// lessons and reports the median and 99th-percentile latency.
func BenchmarkSearch10k(b *testing.B) {
	ix, err := New(context.Background(), generated(10000))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	queries := []Query{
		{Text: "identita", Lang: "it"},
		{Text: "prenotare visita", Lang: "it"},
		{Text: "truffe", Lang: "it"},
		{Text: "pagamento avviso", Lang: "it", Domain: "B"},
		{Text: "password sicurezza", Lang: "it", Area: 4},
		{Text: "biblioteca", Lang: "it", Level: 1},
		{Text: "parola12", Lang: "it"},
	}
	ctx := context.Background()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if _, err := ix.Search(ctx, queries[i%len(queries)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
