package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2.1's relative luminance.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Text on the background and on buttons meets WCAG AA (4.5:1) in the
// normal theme and AAA (7:1) in the high-contrast one; primary buttons'
// labels too.
func TestThemeContrast(t *testing.T) {
	pairs := []struct{ fg, bg fyne.ThemeColorName }{
		{theme.ColorNameForeground, theme.ColorNameBackground},
		{theme.ColorNameForeground, theme.ColorNameButton},
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForeground, theme.ColorNameHeaderBackground},
		// notices and advice are coloured text on the background
		{theme.ColorNameError, theme.ColorNameBackground},
		{theme.ColorNameSuccess, theme.ColorNameBackground},
		{theme.ColorNameWarning, theme.ColorNameBackground},
		// the quiz marks answers with success and danger buttons
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
	}
	for _, th := range []struct {
		name string
		t    kioskTheme
		min  float64
	}{{"normal", kioskTheme{}, 4.5}, {"high contrast", kioskTheme{contrast: true}, 7}} {
		for _, p := range pairs {
			c := contrast(th.t.Color(p.fg, theme.VariantLight), th.t.Color(p.bg, theme.VariantLight))
			if c < th.min {
				t.Errorf("%s: %s on %s is %.1f:1, want at least %.1f:1", th.name, p.fg, p.bg, c, th.min)
			}
		}
	}
}

func TestLargeTextIsLarger(t *testing.T) {
	n, l := kioskTheme{}, kioskTheme{large: true}
	for _, s := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameCaptionText} {
		if l.Size(s) < n.Size(s)*1.3 {
			t.Errorf("%s: large %v vs normal %v", s, l.Size(s), n.Size(s))
		}
	}
}
