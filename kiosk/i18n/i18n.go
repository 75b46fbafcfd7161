// Package i18n holds the kiosk's translations: go-i18n catalogues embedded in
// the binary, Italian as the source language, and a Translator per locale
// that the UI asks for every string it shows.
//
// Message IDs are written in code only as string literals passed to
// Translator.T, Translator.Tf, Translator.N or converted with ID("…"), so
// that the completeness test can find every one of them by reading the
// source.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	pathpkg "path"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var catalogues embed.FS

// ID is a message ID. View models carry IDs instead of text so that a
// change of language re-renders every screen at once.
type ID string

// Source is the language every message is first written in, and the one
// shown when a translation is missing.
const Source = "it"

// Locale is one language the kiosk offers.
type Locale struct {
	// Tag is the BCP 47 code, e.g. "uk".
	Tag string
	// Name is the language's name in itself, as shown on the language picker.
	Name string
}

// Locales returns the offered languages, Italian first.
func Locales() []Locale {
	return []Locale{
		{"it", "Italiano"},
		{"en", "English"},
		{"ro", "Română"},
		{"uk", "Українська"},
		{"sq", "Shqip"},
	}
}

// Supported reports whether tag is one of Locales.
func Supported(tag string) bool {
	for _, l := range Locales() {
		if l.Tag == tag {
			return true
		}
	}
	return false
}

// Catalog is the set of loaded catalogues.
type Catalog struct {
	bundle *goi18n.Bundle
	ids    map[string]map[string]bool // locale → message IDs it defines
}

// Load parses the embedded catalogues.
func Load() (*Catalog, error) { return LoadFS(catalogues, "locales") }

// LoadFS parses every active.<tag>.toml under dir in fsys.
func LoadFS(fsys fs.FS, dir string) (*Catalog, error) {
	b := goi18n.NewBundle(language.Italian)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, ids: map[string]map[string]bool{}}
	for _, l := range Locales() {
		path := pathpkg.Join(dir, "active."+l.Tag+".toml")
		mf, err := b.LoadMessageFileFS(fsys, path)
		if err != nil {
			return nil, fmt.Errorf("i18n: load %s: %w", path, err)
		}
		set := map[string]bool{}
		for _, m := range mf.Messages {
			set[m.ID] = true
		}
		c.ids[l.Tag] = set
	}
	return c, nil
}

// IDs returns the message IDs defined for tag.
func (c *Catalog) IDs(tag string) map[string]bool { return c.ids[tag] }

// Translator returns the translator for tag, falling back to Italian for
// any message the locale lacks.
func (c *Catalog) Translator(tag string) *Translator {
	if !Supported(tag) {
		tag = Source
	}
	return &Translator{tag: tag, l: goi18n.NewLocalizer(c.bundle, tag, Source), known: c.ids[tag]}
}

// Translator renders messages in one locale.
type Translator struct {
	tag   string
	l     *goi18n.Localizer
	known map[string]bool
}

// Lang is the translator's locale tag.
func (t *Translator) Lang() string { return t.tag }

// T renders a message without arguments.
func (t *Translator) T(id string) string { return t.render(id, nil, nil) }

// ID renders a message ID carried by a view model.
func (t *Translator) ID(id ID) string { return t.render(string(id), nil, nil) }

// Tf renders a message with named template arguments, e.g.
// Tf("ticket.number", "Number", "A12").
func (t *Translator) Tf(id string, kv ...any) string {
	return t.render(id, pairs(kv), nil)
}

// N renders a plural message for count; {{.Count}} is count, and kv adds
// more named arguments.
func (t *Translator) N(id string, count int, kv ...any) string {
	data := pairs(kv)
	data["Count"] = count
	return t.render(id, data, count)
}

func pairs(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

func (t *Translator) render(id string, data map[string]any, count any) string {
	s, err := t.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil || s == "" {
		// A message missing everywhere shows its ID, which the completeness
		// test makes impossible in a released build.
		return "[" + id + "]"
	}
	return s
}

// Missing reports whether the locale lacks id (so the Italian text shows).
func (t *Translator) Missing(id string) bool { return !t.known[id] }
