package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// kioskTheme is the light theme tuned for a standing reader at arm's
// length, with a large-text and a high-contrast variant.
type kioskTheme struct {
	large, contrast bool
}

var _ fyne.Theme = kioskTheme{}

var (
	black  = color.NRGBA{0, 0, 0, 255}
	white  = color.NRGBA{255, 255, 255, 255}
	yellow = color.NRGBA{255, 221, 0, 255}
	navy   = color.NRGBA{0, 62, 138, 255}
)

func (t kioskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if t.contrast {
		switch n {
		case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameMenuBackground, theme.ColorNameOverlayBackground, theme.ColorNameHeaderBackground:
			return black
		case theme.ColorNameForeground, theme.ColorNamePlaceHolder, theme.ColorNameDisabled:
			return white
		case theme.ColorNameButton:
			return color.NRGBA{40, 40, 40, 255}
		case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameHyperlink, theme.ColorNameSelection:
			return yellow
		case theme.ColorNameForegroundOnPrimary:
			return black
		case theme.ColorNameInputBorder, theme.ColorNameSeparator:
			return white
		case theme.ColorNameError:
			return color.NRGBA{255, 120, 120, 255}
		case theme.ColorNameSuccess:
			return color.NRGBA{120, 255, 120, 255}
		case theme.ColorNameWarning:
			return yellow
		case theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning:
			return black
		}
		return theme.DefaultTheme().Color(n, theme.VariantDark)
	}
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return navy
	case theme.ColorNameForeground:
		return color.NRGBA{20, 20, 20, 255}
	case theme.ColorNameButton:
		return color.NRGBA{228, 232, 240, 255}
	// Darker than fyne's defaults so that coloured text on white meets
	// WCAG AA (theme_test.go).
	case theme.ColorNameError:
		return color.NRGBA{179, 38, 30, 255}
	case theme.ColorNameSuccess:
		return color.NRGBA{27, 110, 32, 255}
	case theme.ColorNameWarning:
		return color.NRGBA{138, 80, 0, 255}
	case theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning:
		return white
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (t kioskTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (t kioskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// Text sizes: 18 px body text is about 3.4 mm cap height on the 7" panel;
// the large-text variant adds a third.
func (t kioskTheme) Size(n fyne.ThemeSizeName) float32 {
	k := float32(1)
	if t.large {
		k = 1.35
	}
	switch n {
	case theme.SizeNameText:
		return 18 * k
	case theme.SizeNameHeadingText:
		return 26 * k
	case theme.SizeNameSubHeadingText:
		return 21 * k
	case theme.SizeNameCaptionText:
		return 15 * k
	case theme.SizeNameInlineIcon:
		return 24 * k
	case theme.SizeNamePadding:
		return 4
	case theme.SizeNameInnerPadding:
		return 10
	case theme.SizeNameScrollBar:
		return 20 // thick enough to grab without precision
	case theme.SizeNameScrollBarSmall:
		return 12
	case theme.SizeNameInputBorder:
		return 2
	}
	return theme.DefaultTheme().Size(n)
}
