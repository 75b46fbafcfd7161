package builtin

import (
	"strings"
	"testing"

	"github.com/officina-digitale/officina/content/course"
)

// TestCatalogueChecks is `officina content check` on the built-in
// catalogue: it must pass, and hold what the issue promises.
func TestCatalogueChecks(t *testing.T) {
	items, probs := course.LoadAll(FS(), course.Limits{})
	if len(probs) > 0 {
		t.Fatalf("built-in catalogue has problems:\n%v", probs)
	}
	if len(items) < 12 {
		t.Errorf("%d items, want at least 12", len(items))
	}
	var courses, guides int
	domains := map[string]bool{}
	for _, it := range items {
		if !it.HasLanguage("en") {
			t.Errorf("%s has no English translation", it.ID)
		}
		switch it.Kind {
		case course.KindCourse:
			courses++
			if n := len(it.Lessons); n < 3 || n > 8 {
				t.Errorf("%s has %d lessons", it.ID, n)
			}
			if len(it.Quiz) == 0 {
				t.Errorf("%s has no quiz", it.ID)
			}
		case course.KindGuide:
			guides++
		}
		for _, d := range it.SE6 {
			domains[d] = true
		}
	}
	if courses == 0 || guides == 0 {
		t.Errorf("%d courses and %d guides", courses, guides)
	}
	// App IO, pagoPA, ANPR, FSE, libraries, INPS, health bookings.
	for _, d := range []string{"A", "B", "C", "D", "F", "L", "M"} {
		if !domains[d] {
			t.Errorf("no item for SE6 domain %s", d)
		}
	}
}

// TestCIEFacts pins the facts about the CIE PIN and PUK that a citizen
// relies on: 8 digits each, split between the receipt and the letter, and
// the PUK unlocks after three wrong PINs.
func TestCIEFacts(t *testing.T) {
	items, _ := course.LoadAll(FS(), course.Limits{})
	var cie *course.Item
	for _, it := range items {
		if it.ID == "cie-pin-puk" {
			cie = it
		}
	}
	if cie == nil {
		t.Fatal("no cie-pin-puk guide")
	}
	all := ""
	for _, s := range cie.Steps {
		all += s["it"] + "\n"
	}
	for _, want := range []string{"8 cifre", "ricevuta", "lettera", "tre volte", "PUK"} {
		if !strings.Contains(all, want) {
			t.Errorf("CIE steps do not mention %q", want)
		}
	}
}

func BenchmarkLoadBuiltin(b *testing.B) {
	for b.Loop() {
		if _, probs := course.LoadAll(FS(), course.Limits{}); len(probs) > 0 {
			b.Fatal(probs)
		}
	}
}
