package config

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Content configures the course and guide catalogue.
type Content struct {
	// Publishing keys whose content bundles this kiosk activates, written "ed25519:" and 64 hex digits, separated by spaces or commas. The hub's key received at enrolment is trusted as well; "" trusts only that.
	TrustedKeys string `toml:"trusted_keys"`
	// Largest lesson file accepted, in bytes; a longer lesson should be split.
	MaxLessonBytes int `toml:"max_lesson_bytes"`
}

func defaultContent() Content { return Content{TrustedKeys: "", MaxLessonBytes: 12 << 10} }

// Keys returns the trusted keys as written, one per entry.
func (x Content) Keys() []string {
	return strings.FieldsFunc(x.TrustedKeys, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

func (x Content) validate() []error {
	var errs []error
	for _, k := range x.Keys() {
		h, ok := strings.CutPrefix(k, "ed25519:")
		if b, err := hex.DecodeString(h); !ok || err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("content.trusted_keys: %q is not a key: write \"ed25519:\" and 64 hex digits", k))
		}
	}
	if x.MaxLessonBytes < 1024 || x.MaxLessonBytes > 1<<20 {
		errs = append(errs, fmt.Errorf("content.max_lesson_bytes: %d: choose between 1024 and 1048576", x.MaxLessonBytes))
	}
	return errs
}
