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

// generated returns n lesson documents with a natural (Zipf) word
// distribution over an 8,000-word vocabulary of invented words; the real
// words that the benchmark searches for sit at ranks 100 to 2,000, where
// content words of a catalogue are (the commonest ranks are function words,
// which the query side drops as stop words).
func generated(n int) []Doc {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo", "tra", "spe", "chi", "gno"}
	vocab := make([]string, 8000)
	for i := range vocab {
		var w strings.Builder
		for k := 0; k < 2+r.IntN(3); k++ {
			w.WriteString(syll[r.IntN(len(syll))])
		}
		vocab[i] = w.String()
	}
	for i, w := range realWords {
		vocab[100+i*70] = w
	}
	z := rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1))
	word := func() string { return vocab[z.Uint64()] }
	words := func(k int) string {
		var b strings.Builder
		for j := 0; j < k; j++ {
			b.WriteString(word())
			b.WriteByte(' ')
		}
		return b.String()
	}
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = Doc{ItemID: fmt.Sprintf("item-%d", i/5), Lesson: fmt.Sprintf("%02d-x", i%5), Lang: "it", Kind: "course",
			Title: words(4), Summary: words(10), Body: words(150),
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
		{Text: "come prenotare una visita per la famiglia", Lang: "it"},
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
