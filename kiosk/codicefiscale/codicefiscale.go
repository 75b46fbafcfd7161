// Package codicefiscale validates and decodes the Italian codice fiscale
// (tax code) of a natural person: the 16-character code printed and
// barcoded on the Tessera Sanitaria.
//
// Validation checks the length, the character class of every position, the
// month letter, the day range (women add 40), and the check character.
// Omocodic codes, where digits were replaced by letters to tell two people
// apart, are valid too. A wrong code gives an *Error whose message says, in
// plain words, what is wrong and where.
package codicefiscale

import (
	"fmt"
	"strings"
	"time"
)

// Gender as encoded in the day of birth.
type Gender byte

// Genders.
const (
	Male   Gender = 'M'
	Female Gender = 'F'
)

func (g Gender) String() string { return string(g) }

// Code is a valid codice fiscale and what it says about its holder.
type Code struct {
	code     string
	gender   Gender
	yy       int // two-digit birth year
	month    time.Month
	day      int
	place    [4]byte // Belfiore code with omocodic letters turned back to digits
	omocodic bool
}

// String returns the 16 upper-case characters.
func (c Code) String() string { return c.code }

// Gender returns the holder's gender.
func (c Code) Gender() Gender { return c.gender }

// Omocodic reports whether some digits were replaced by letters.
func (c Code) Omocodic() bool { return c.omocodic }

// Place returns the cadastral (Belfiore) code of the birth municipality, or
// Z followed by three digits for a foreign country.
func (c Code) Place() string { return string(c.place[:]) }

// BirthDate returns the holder's birth date. The code gives only two digits
// of the year: the century is the latest one that does not put the birth
// after now.
func (c Code) BirthDate(now time.Time) time.Time {
	year := now.Year()/100*100 + c.yy
	d := time.Date(year, c.month, c.day, 0, 0, 0, 0, time.UTC)
	if d.After(now) || d.Month() != c.month { // in the future, or 29 Feb of a non-leap year
		d = time.Date(year-100, c.month, c.day, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// Age returns the holder's age in whole years on the given day.
func (c Code) Age(now time.Time) int {
	b := c.BirthDate(now)
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return age
}

// Error describes why a code is not valid. Pos is the 1-based position of
// the first wrong character, or 0 when the problem is the whole code.
type Error struct {
	Input  string
	Pos    int
	Reason string
}

func (e *Error) Error() string {
	if e.Pos == 0 {
		return "codice fiscale: " + e.Reason
	}
	return fmt.Sprintf("codice fiscale: character %d: %s", e.Pos, e.Reason)
}

// Length of a codice fiscale.
const Length = 16

const monthLetters = "ABCDEHLMPRST"

// omocodic letters replacing the digits 0–9.
const omoLetters = "LMNPQRSTUV"

// digit positions (0-based) that omocodia may turn into letters.
var digitPos = [...]int{6, 7, 9, 10, 12, 13, 14}

var oddValue = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// Normalize turns what a person typed or a barcode scanner sent into the
// bare code: it trims spaces and line ends, drops the Code 39 start and stop
// asterisks, removes inner spaces and upper-cases letters.
func Normalize(s string) string {
	if clean(s) {
		return s
	}
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "*")
	if strings.ContainsAny(s, " \t-") {
		s = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '-' {
				return -1
			}
			return r
		}, s)
	}
	return strings.ToUpper(s)
}

// clean reports whether s is already 16 upper-case letters and digits.
func clean(s string) bool {
	if len(s) != Length {
		return false
	}
	for i := 0; i < Length; i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// Parse validates s (after Normalize) and decodes it.
func Parse(s string) (Code, error) {
	return parse(Normalize(s))
}

// Valid reports whether s is a valid codice fiscale.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }

// digitAt returns the digit at a position that may hold an omocodic letter.
func digitAt(b byte) (int, bool) {
	if isDigit(b) {
		return int(b - '0'), true
	}
	if i := strings.IndexByte(omoLetters, b); i >= 0 {
		return i, true
	}
	return 0, false
}

func parse(s string) (Code, error) {
	bad := func(pos int, format string, args ...any) (Code, error) {
		return Code{}, &Error{Input: s, Pos: pos, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return bad(0, "the code is empty")
	}
	if len(s) != Length {
		n := len([]rune(s))
		if n != len(s) {
			return bad(0, "it may only contain letters A–Z and digits")
		}
		return bad(0, "it has %d characters, it should have 16: check the code on the health card", n)
	}
	for i := 0; i < 6; i++ {
		if !isLetter(s[i]) {
			part := "surname"
			if i >= 3 {
				part = "first name"
			}
			return bad(i+1, "should be a letter (the %s part), not %q", part, s[i])
		}
	}
	omocodic := false
	for _, p := range digitPos {
		if isDigit(s[p]) {
			continue
		}
		if _, ok := digitAt(s[p]); ok {
			omocodic = true
			continue
		}
		return bad(p+1, "should be a digit, not %q", s[p])
	}
	if strings.IndexByte(monthLetters, s[8]) < 0 {
		return bad(9, "%q is not a month letter: the month is one of A B C D E H L M P R S T", s[8])
	}
	if !isLetter(s[11]) {
		return bad(12, "should be a letter (the start of the birthplace code), not %q", s[11])
	}
	if !isLetter(s[15]) {
		return bad(16, "the check character should be a letter, not %q", s[15])
	}
	yy1, _ := digitAt(s[6])
	yy2, _ := digitAt(s[7])
	d1, _ := digitAt(s[9])
	d2, _ := digitAt(s[10])
	month := time.Month(strings.IndexByte(monthLetters, s[8]) + 1)
	day := d1*10 + d2
	gender := Male
	if day > 40 {
		gender, day = Female, day-40
	}
	if day < 1 || day > daysIn(month) {
		return bad(10, "day of birth %02d is not possible in %s (women add 40 to the day)", d1*10+d2, month)
	}
	var sum int
	for i := 0; i < 15; i++ {
		sum += charValue(s[i], i%2 == 0)
	}
	want := byte('A' + sum%26)
	if s[15] != want {
		return bad(16, "the last character should be %c: check the code on the health card", want)
	}
	place := [4]byte{s[11]}
	for i := 12; i < 15; i++ {
		d, _ := digitAt(s[i])
		place[i-11] = byte('0' + d)
	}
	return Code{
		code: s, gender: gender, yy: yy1*10 + yy2, month: month, day: day,
		place: place, omocodic: omocodic,
	}, nil
}

// daysIn is the most days a month can have (29 for February, since the
// century, and so the leap year, is not in the code).
func daysIn(m time.Month) int {
	switch m {
	case time.February:
		return 29
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// charValue is the check-character value of c at an odd (1st, 3rd, …) or
// even position.
func charValue(c byte, odd bool) int {
	if isDigit(c) {
		if odd {
			return oddValue[c-'0']
		}
		return int(c - '0')
	}
	if odd {
		return oddValue[c-'A']
	}
	return int(c - 'A')
}

// CheckChar computes the check character for the first 15 characters of a
// code. It is exported for tools that build fictional codes (demo data).
func CheckChar(first15 string) (byte, error) {
	if len(first15) != 15 {
		return 0, fmt.Errorf("codice fiscale: check character needs 15 characters, got %d", len(first15))
	}
	var sum int
	for i := 0; i < 15; i++ {
		c := first15[i]
		if !isDigit(c) && !isLetter(c) {
			return 0, fmt.Errorf("codice fiscale: character %d: %q is not a letter or digit", i+1, c)
		}
		sum += charValue(c, i%2 == 0)
	}
	return byte('A' + sum%26), nil
}

// Omocode returns the n-th omocodic variant of a valid code (n = 1..7):
// the n rightmost digits replaced by letters, check character recomputed.
func Omocode(c Code, n int) (string, error) {
	if n < 1 || n > len(digitPos) {
		return "", fmt.Errorf("codice fiscale: omocodic variant %d: want 1 to %d", n, len(digitPos))
	}
	b := []byte(c.code)
	for k := 0; k < n; k++ {
		p := digitPos[len(digitPos)-1-k]
		if d, ok := digitAt(b[p]); ok {
			b[p] = omoLetters[d]
		}
	}
	chk, err := CheckChar(string(b[:15]))
	if err != nil {
		return "", err
	}
	b[15] = chk
	return string(b), nil
}
