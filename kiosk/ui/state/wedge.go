package state

import (
	"strings"
	"unicode"
)

// Wedge turns the keystrokes of a keyboard-mode reader (a USB barcode
// scanner reading the Code 39 on a Tessera Sanitaria, or a library-card
// reader) into card taps. Such readers type fast and end with Enter; the
// kiosk has no text field a citizen types into, so every keystroke that
// reaches the window is a reader's.
type Wedge struct {
	buf strings.Builder
}

// Rune adds a typed character.
func (w *Wedge) Rune(r rune) {
	if w.buf.Len() < 64 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
		w.buf.WriteRune(unicode.ToUpper(r))
	}
}

// Enter ends a read: a 16-character code shaped like a codice fiscale is
// a health card, anything else of at least 4 characters a citizen's card.
// ok is false for an empty or too short read.
func (w *Wedge) Enter() (c Card, ok bool) {
	s := w.buf.String()
	w.buf.Reset()
	switch {
	case cfShape.MatchString(s):
		return Card{Kind: CardHealth, ID: s}, true
	case len(s) >= 4:
		return Card{Kind: CardCitizen, ID: s}, true
	}
	return Card{}, false
}
