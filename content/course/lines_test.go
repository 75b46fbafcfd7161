package course

import "testing"

func TestKeyLines(t *testing.T) {
	doc := `id = "x"
[title]
it = "Ciao"
en = "Hello"

[[question]]
answer = 1
[question.text]
it = "Domanda"
[[question.choice]]
it = "Sì"
[[question.choice]]
it = "No"

[[question]]
answer = 3
`
	lines := keyLines([]byte(doc))
	want := map[string]int{
		"id":                       1,
		"title":                    2,
		"title.en":                 4,
		"question[0].answer":       7,
		"question[0].text.it":      9,
		"question[0].choice[0].it": 11,
		"question[0].choice[1].it": 13,
		"question[1].answer":       16,
	}
	for k, v := range want {
		if lines[k] != v {
			t.Errorf("line of %s = %d, want %d (all: %v)", k, lines[k], v, lines)
		}
	}
	if got := lineFor(lines, "question[1].text.en"); got != 15 {
		t.Errorf("lineFor falls back to the question header: got %d, want 15", got)
	}
}
