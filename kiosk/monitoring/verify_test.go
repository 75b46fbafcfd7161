package monitoring

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The golden export passes the platform's checks; the same file with one
// codice fiscale cut short is reported with its file name.
func TestVerifyFiles(t *testing.T) {
	good := filepath.Join("testdata", "facilita-2026-11.csv")
	if broken, err := VerifyFiles([]string{good}); err != nil || len(broken) != 0 {
		t.Fatalf("golden export: %v %v", broken, err)
	}
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(b), "\r\n", 3)
	if len(lines) < 3 {
		t.Fatal("golden export has no data row")
	}
	fields := strings.Split(lines[1], ",")
	cf := ""
	for _, f := range fields {
		if len(f) == 16 && strings.ToUpper(f) == f && strings.ContainsAny(f, "0123456789") && strings.ContainsAny(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			cf = f
			break
		}
	}
	if cf == "" {
		t.Fatalf("no codice fiscale in the first row: %s", lines[1])
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte(strings.Replace(string(b), cf, cf[:10], 1)), 0o600)
	broken, err := VerifyFiles([]string{good, bad})
	if err != nil {
		t.Fatal(err)
	}
	if len(broken) == 0 || !strings.HasPrefix(broken[0], bad+": ") {
		t.Errorf("a cut codice fiscale was not reported against %s: %v", bad, broken)
	}
	if _, err := VerifyFiles([]string{filepath.Join(t.TempDir(), "missing.csv")}); err == nil {
		t.Error("a missing file gave no error")
	}
}
