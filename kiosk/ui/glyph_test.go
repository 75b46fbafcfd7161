package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/image/font/sfnt"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// A kiosk image may carry no fonts but fyne's bundled Noto Sans: a glyph it
// lacks is drawn as an empty box (or makes fyne search the system for a
// fallback font). Every character of every message, and everything drawn
// on every screen, must be in the bundled regular and bold faces.
func missingGlyphs(t *testing.T) func(s string) string {
	t.Helper()
	var faces []*sfnt.Font
	for _, r := range []fyne.Resource{theme.DefaultTextFont(), theme.DefaultTextBoldFont()} {
		f, err := sfnt.Parse(r.Content())
		if err != nil {
			t.Fatal(err)
		}
		faces = append(faces, f)
	}
	var buf sfnt.Buffer
	return func(s string) string {
		var miss []string
		for _, r := range s {
			if r == '\n' || r == ' ' {
				continue
			}
			for _, f := range faces {
				if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
					miss = append(miss, fmt.Sprintf("%q (U+%04X)", r, r))
					break
				}
			}
		}
		return strings.Join(miss, " ")
	}
}

func TestEveryMessageUsesBundledGlyphs(t *testing.T) {
	missing := missingGlyphs(t)
	if missing("ok ⚠") == "" || missing("Українська ș ë µ₂") != "" {
		t.Fatal("the glyph check is blind")
	}
	for _, l := range i18n.Locales() {
		b, err := os.ReadFile(filepath.Join("..", "i18n", "locales", "active."+l.Tag+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := toml.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var check func(id string, v any)
		check = func(id string, v any) {
			switch x := v.(type) {
			case string:
				if miss := missing(x); miss != "" {
					t.Errorf("%s %s: %s not in the bundled font", l.Tag, id, miss)
				}
			case map[string]any:
				for k, v := range x {
					check(id+"."+k, v)
				}
			}
		}
		for id, v := range m {
			check(id, v)
		}
		if miss := missing(l.Name); miss != "" {
			t.Errorf("language name %q: %s", l.Name, miss)
		}
	}
}

func TestEveryScreenDrawsBundledGlyphs(t *testing.T) {
	missing := missingGlyphs(t)
	h := newHarnessWith(t, panel800, Options{Demo: true})
	for _, l := range i18n.Locales() {
		for _, s := range allScreens() {
			h.a.Batch(func() {
				h.setup(s)
				h.a.SetLanguage(l.Tag)
			})
			walk(h.root(), fyne.Position{}, false, func(o fyne.CanvasObject, _ fyne.Position, _ bool) {
				if x, ok := o.(*canvas.Text); ok {
					if miss := missing(x.Text); miss != "" {
						t.Errorf("%s %s: %q has %s", l.Tag, s, x.Text, miss)
					}
				}
			})
		}
	}
}
