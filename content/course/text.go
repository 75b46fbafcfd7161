package course

import "sort"

// Source is the language every item is written in first; other languages
// are translations of it, and a missing translation falls back to it.
const Source = "it"

// Text is a string in several languages, keyed by language code ("it",
// "en"…). Content files write it as a TOML table: it = "…", en = "…".
type Text map[string]string

// Get returns the text in lang, or the Italian source if there is no
// translation; fallback says the Italian was used instead.
func (t Text) Get(lang string) (s string, fallback bool) {
	if v, ok := t[lang]; ok && v != "" {
		return v, false
	}
	return t[Source], lang != Source
}

// String returns the Italian text.
func (t Text) String() string { return t[Source] }

// Langs returns the languages present, sorted.
func (t Text) Langs() []string {
	out := make([]string, 0, len(t))
	for k := range t {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
