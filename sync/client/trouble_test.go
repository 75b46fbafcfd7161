package client

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// A trouble summary built from error messages can hold newlines and be
// long; as a header it must still make a valid request, or the kiosk
// could not sync at all while something is wrong.
func TestTroubleHeaderIsAlwaysSendable(t *testing.T) {
	long := strings.Repeat("stampante: carta esaurita; ", 60)
	for _, in := range []string{"printer file:/x: paper out\nsensor sala: no reading", long, "\t ok \r\n"} {
		out := troubleHeader(in)
		if len(out) > maxTrouble || !utf8.ValidString(out) {
			t.Errorf("troubleHeader(%.30q…) = %d bytes, valid UTF-8 %v", in, len(out), utf8.ValidString(out))
		}
		req, _ := http.NewRequest("POST", "http://127.0.0.1:1/", nil)
		req.Header.Set("Officina-Trouble", out)
		if _, err := http.DefaultTransport.RoundTrip(req); err != nil && strings.Contains(err.Error(), "invalid header") {
			t.Errorf("header %q rejected: %v", out, err)
		}
	}
	if got := troubleHeader("printer: paper out\nsensor sala: stale"); got != "printer: paper out sensor sala: stale" {
		t.Errorf("newline not replaced: %q", got)
	}
}
