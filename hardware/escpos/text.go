package escpos

import (
	"strings"
	"unicode/utf8"
)

// pc858 maps the non-ASCII characters of PC858 that Italian, and the
// languages the kiosk speaks, need. Built from the IBM code page 858 table.
var pc858 = map[rune]byte{
	'Ç': 0x80, 'ü': 0x81, 'é': 0x82, 'â': 0x83, 'ä': 0x84, 'à': 0x85, 'å': 0x86, 'ç': 0x87,
	'ê': 0x88, 'ë': 0x89, 'è': 0x8A, 'ï': 0x8B, 'î': 0x8C, 'ì': 0x8D, 'Ä': 0x8E, 'Å': 0x8F,
	'É': 0x90, 'æ': 0x91, 'Æ': 0x92, 'ô': 0x93, 'ö': 0x94, 'ò': 0x95, 'û': 0x96, 'ù': 0x97,
	'ÿ': 0x98, 'Ö': 0x99, 'Ü': 0x9A, 'ø': 0x9B, '£': 0x9C, 'Ø': 0x9D, '×': 0x9E,
	'á': 0xA0, 'í': 0xA1, 'ó': 0xA2, 'ú': 0xA3, 'ñ': 0xA4, 'Ñ': 0xA5, 'ª': 0xA6, 'º': 0xA7,
	'¿': 0xA8, '®': 0xA9, '¬': 0xAA, '½': 0xAB, '¼': 0xAC, '¡': 0xAD, '«': 0xAE, '»': 0xAF,
	'Á': 0xB5, 'Â': 0xB6, 'À': 0xB7, '©': 0xB8, '¢': 0xBD, '¥': 0xBE,
	'ã': 0xC6, 'Ã': 0xC7, '¤': 0xCF,
	'ð': 0xD0, 'Ð': 0xD1, 'Ê': 0xD2, 'Ë': 0xD3, 'È': 0xD4, '€': 0xD5, 'Í': 0xD6, 'Î': 0xD7,
	'Ï': 0xD8, 'Ì': 0xDE,
	'Ó': 0xE0, 'ß': 0xE1, 'Ô': 0xE2, 'Ò': 0xE3, 'õ': 0xE4, 'Õ': 0xE5, 'µ': 0xE6, 'þ': 0xE7,
	'Þ': 0xE8, 'Ú': 0xE9, 'Û': 0xEA, 'Ù': 0xEB, 'ý': 0xEC, 'Ý': 0xED, '¯': 0xEE, '´': 0xEF,
	'±': 0xF1, '¾': 0xF3, '¶': 0xF4, '§': 0xF5, '÷': 0xF6, '¸': 0xF7, '°': 0xF8, '¨': 0xF9,
	'·': 0xFA, '¹': 0xFB, '³': 0xFC, '²': 0xFD, '\u00a0': 0xFF,
}

// fallback spells characters PC858 lacks with ones it has.
var fallback = map[rune]string{
	'‘': "'", '’': "'", '‚': ",", '“': "\"", '”': "\"", '„': "\"",
	'–': "-", '—': "-", '…': "...", '•': "·", '\t': " ",
	'ă': "a", 'Ă': "A", 'ș': "s", 'Ș': "S", 'ş': "s", 'Ş': "S", 'ț': "t", 'Ț': "T", 'ţ': "t", 'Ţ': "T",
}

// AppendPC858 appends s to b in code page 858. Characters PC858 lacks are
// replaced by a close spelling (’ → ', – → -) or '?'.
func AppendPC858(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7F:
			b = append(b, byte(r))
		case r == '\n':
			b = append(b, lf)
		default:
			if c, ok := pc858[r]; ok {
				b = append(b, c)
			} else if f, ok := fallback[r]; ok {
				b = AppendPC858(b, f)
			} else {
				b = append(b, '?')
			}
		}
	}
	return b
}

// DecodePC858 turns PC858 bytes back into text, for tests and for the
// decoder.
func DecodePC858(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c < 0x80 {
			sb.WriteByte(c)
			continue
		}
		r, ok := pc858Reverse[c]
		if !ok {
			r = utf8.RuneError
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

var pc858Reverse = func() map[byte]rune {
	m := make(map[byte]rune, len(pc858))
	for r, c := range pc858 {
		m[c] = r
	}
	return m
}()

// Wrap breaks s into lines of at most cols characters (runes), at spaces
// where it can and inside a word only when the word alone is longer than a
// line. Each "\n" in s starts a new line; an empty s is one empty line.
func Wrap(s string, cols int) []string {
	if cols < 1 {
		cols = 1
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		var line []rune
		for _, w := range words {
			wr := []rune(w)
			if len(line) > 0 && len(line)+1+len(wr) <= cols {
				line = append(append(line, ' '), wr...)
				continue
			}
			if len(line) > 0 {
				out = append(out, string(line))
				line = line[:0]
			}
			for len(wr) > cols {
				out = append(out, string(wr[:cols]))
				wr = wr[cols:]
			}
			line = append(line, wr...)
		}
		out = append(out, string(line))
	}
	return out
}
