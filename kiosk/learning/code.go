package learning

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// alphabet leaves out 0, 1, I, L and O, which people misread on a receipt.
const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// ErrBadCode means a typed pseudonymous code is malformed or mistyped.
var ErrBadCode = errors.New("learning: code not recognised: check the 8 characters on the receipt")

// newCode draws a pseudonymous code: 7 random characters and a check
// character, written "ABCD-EFGH".
func newCode(random io.Reader) (string, error) {
	var raw [7]byte
	if _, err := io.ReadFull(random, raw[:]); err != nil {
		return "", fmt.Errorf("learning: draw code: %w", err)
	}
	b := make([]byte, 0, 9)
	for _, r := range raw {
		b = append(b, alphabet[int(r)%len(alphabet)])
	}
	b = append(b, check(string(b)))
	return string(b[:4]) + "-" + string(b[4:]), nil
}

// check is a weighted sum modulo 31 (a prime), which catches any single
// wrong character and any swap of two neighbours.
func check(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += (i + 1) * strings.IndexByte(alphabet, s[i])
	}
	return alphabet[sum%len(alphabet)]
}

// NormalizeCode reads a code as a person types it (any case, with or
// without the dash or spaces) and returns it as printed, or ErrBadCode.
func NormalizeCode(s string) (string, error) {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 8 {
		return "", ErrBadCode
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return "", ErrBadCode
		}
	}
	if check(s[:7]) != s[7] {
		return "", ErrBadCode
	}
	return s[:4] + "-" + s[4:], nil
}
