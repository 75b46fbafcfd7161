package search

import (
	"context"
	"strings"
	"testing"
)

func testIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := New(context.Background(), []Doc{
		{ItemID: "spid", Lang: "it", Kind: "course", Title: "Il tuo primo SPID", Summary: "L'identità digitale per i servizi pubblici", Body: "Con SPID entri nei siti dell'INPS.", Level: 1, Areas: []int{2}, Domains: []string{"S"}},
		{ItemID: "spid", Lang: "en", Kind: "course", Title: "Your first SPID", Summary: "The digital identity for public services", Body: "With SPID you log in to INPS.", Level: 1, Areas: []int{2}, Domains: []string{"S"}},
		{ItemID: "truffe", Lesson: "01-sms", Lang: "it", Kind: "course", Title: "I messaggi falsi", Summary: "Riconoscere una truffa via SMS", Body: "Molte truffe arrivano con un SMS.", Level: 1, Areas: []int{4}, Domains: []string{"S"}},
		{ItemID: "cup", Lang: "it", Kind: "guide", Title: "Prenotare una visita con il CUP", Summary: "Visite ed esami con la ricetta", Body: "La prenotazione si fa online.", Level: 2, Areas: []int{2}, Domains: []string{"M"}},
		{ItemID: "pagopa", Lang: "it", Kind: "guide", Title: "Pagare un avviso pagoPA", Summary: "Dove pagare un avviso", Body: "Con App IO o in tabaccheria. Identità non serve.", Level: 2, Areas: []int{2}, Domains: []string{"B"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func ids(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ItemID+"/"+h.Lesson)
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := testIndex(t)
	ctx := context.Background()
	for _, tc := range []struct {
		q    Query
		want []string // in rank order
	}{
		// accent-insensitive both ways; the title match ranks first
		{Query{Text: "identita", Lang: "it"}, []string{"spid/", "pagopa/"}},
		{Query{Text: "IDENTITÀ digitale", Lang: "it"}, []string{"spid/"}},
		// plural and singular, verb and noun
		{Query{Text: "truffe", Lang: "it"}, []string{"truffe/01-sms"}},
		{Query{Text: "prenotazione", Lang: "it"}, []string{"cup/"}},
		{Query{Text: "prenotare", Lang: "it"}, []string{"cup/"}},
		// the kiosk's language; an unknown one searches Italian
		{Query{Text: "services", Lang: "en"}, []string{"spid/"}},
		{Query{Text: "servizi", Lang: "uk"}, []string{"spid/"}},
		// filters
		{Query{Text: "avviso", Lang: "it", Domain: "B"}, []string{"pagopa/"}},
		{Query{Text: "avviso", Lang: "it", Domain: "M"}, nil},
		{Query{Text: "sms", Lang: "it", Area: 4}, []string{"truffe/01-sms"}},
		{Query{Text: "sms", Lang: "it", Area: 2}, nil},
		{Query{Text: "spid", Lang: "it", Level: 2}, nil},
		{Query{Text: "visita", Lang: "it", Kind: "guide"}, []string{"cup/"}},
		// nothing searchable, and FTS syntax typed by a person
		{Query{Text: "  ", Lang: "it"}, nil},
		{Query{Text: `spid" OR NOT (`, Lang: "it"}, []string{"spid/"}},
		// no document has every word: the ones with some still come back
		{Query{Text: "truffa spid", Lang: "it"}, []string{"truffe/01-sms", "spid/"}},
	} {
		hits, err := ix.Search(ctx, tc.q)
		if err != nil {
			t.Errorf("%+v: %v", tc.q, err)
			continue
		}
		got := ids(hits)
		if len(got) != len(tc.want) {
			t.Errorf("%q (%+v) = %v, want %v", tc.q.Text, tc.q, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q = %v, want %v", tc.q.Text, got, tc.want)
				break
			}
		}
	}
}

func TestStem(t *testing.T) {
	for w, want := range map[string]string{
		"truffe": "truff", "truffa": "truff", "prenotazione": "prenot", "prenotare": "prenot",
		"sms": "sms", "io": "", "passwords": "password", "identita": "ident",
	} {
		lang := "it"
		if w == "passwords" {
			lang = "en"
		}
		if got := Stem(Fold(w), lang); got != want {
			t.Errorf("Stem(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	body := "# Titolo\n\n" + strings.Repeat("parola ", 40) + "La tua **identità** digitale serve per entrare. " + strings.Repeat("altro ", 40)
	got := snippet(body, []string{"ident"})
	if !strings.Contains(got, "identità digitale") || !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || strings.Contains(got, "**") {
		t.Errorf("snippet = %q", got)
	}
	if got := snippet("Niente qui.", []string{"zzz"}); got != "Niente qui." {
		t.Errorf("no match: %q", got)
	}
	// "dent" must not match inside "identità": only at a word start.
	if got := snippet(strings.Repeat("identità ", 30)+"dentista", []string{"dent"}); !strings.Contains(got, "dentista") {
		t.Errorf("word start: %q", got)
	}
}
