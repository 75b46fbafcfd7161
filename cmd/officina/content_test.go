package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestContentCheckCommand(t *testing.T) {
	code, out, _ := runOfficina(t, "content", "check", "../../content/builtin/catalog")
	if code != 0 || !strings.Contains(out, "no problems") {
		t.Errorf("built-in catalogue: exit %d\n%s", code, out)
	}
	// The configured limit applies: the long lesson passes a 20 KiB limit.
	if code, out, _ := runOfficina(t, "content", "check", "../../content/course/testdata/broken", "--set", "content.max_lesson_bytes=20480"); code != 1 || strings.Contains(out, "size limit") {
		t.Errorf("with a 20 KiB limit: exit %d\n%s", code, out)
	}
	code, out, errs := runOfficina(t, "content", "check", "../../content/course/testdata/broken")
	if code != 1 || !strings.Contains(errs, "5 problems") || !strings.Contains(out, "quiz-senza-risposta/quiz.toml:1: question 1 has no correct answer") {
		t.Errorf("broken examples: exit %d\n%s%s", code, out, errs)
	}
}

func TestContentPackInstallList(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key := filepath.Join(dir, "key.pem")
	code, out, errs := runOfficina(t, "content", "keygen", key)
	pub := regexp.MustCompile(`ed25519:[0-9a-f]{64}`).FindString(out)
	if code != 0 || pub == "" {
		t.Fatalf("keygen: %d %s %s", code, out, errs)
	}
	if code, _, errs := runOfficina(t, "content", "pack", "../../content/course/testdata/broken", "--key", key, "--out", filepath.Join(dir, "bad")); code != 1 || !strings.Contains(errs, "not packing") {
		t.Errorf("packing broken content: exit %d %s", code, errs)
	}
	bund := filepath.Join(dir, "bundle")
	if code, out, errs := runOfficina(t, "content", "pack", "../../content/course/testdata/good", "--key", key, "--out", bund, "--version", "7"); code != 0 {
		t.Fatalf("pack: %d %s %s", code, out, errs)
	}
	// Not trusted yet: refused, and the kiosk keeps its built-in catalogue.
	if code, _, errs := runOfficina(t, "content", "install", bund, "--data", data); code != 1 || !strings.Contains(errs, "untrusted key") {
		t.Errorf("install with an untrusted key: exit %d %s", code, errs)
	}
	if code, out, _ := runOfficina(t, "content", "list", "--data", data); code != 0 || !strings.Contains(out, "built-in, 15 items") {
		t.Errorf("list after a refused install: %s", out)
	}
	trust := "content.trusted_keys=" + pub
	if code, out, errs := runOfficina(t, "content", "install", bund, "--data", data, "--set", trust); code != 0 || !strings.Contains(out, "version 7") {
		t.Fatalf("install: %d %s %s", code, out, errs)
	}
	code, out, _ = runOfficina(t, "content", "list", "--data", data, "--set", trust, "--lang", "en")
	if code != 0 || !strings.Contains(out, "bundle officina version 7") || !strings.Contains(out, "Sending a message") {
		t.Errorf("list after install: %s", out)
	}
}
