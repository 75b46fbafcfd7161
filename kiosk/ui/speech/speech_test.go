package speech

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeTools writes shell scripts named like the real tools that record
// their arguments and standard input into out.
func fakeTools(t *testing.T, names ...string) (lookPath func(string) (string, error), out string) {
	t.Helper()
	dir := t.TempDir()
	out = filepath.Join(dir, "out")
	for _, n := range names {
		script := "#!/bin/sh\necho \"$0 $*\" > " + out + "\ncat >> " + out + "\n"
		if err := os.WriteFile(filepath.Join(dir, n), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return func(name string) (string, error) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", errors.New("not found")
		}
		return p, nil
	}, out
}

func TestEspeakReadsTextInTheLanguage(t *testing.T) {
	look, out := fakeTools(t, "espeak-ng")
	r := New(look)
	if !r.CanSpeak("uk", "") {
		t.Fatal("cannot speak Ukrainian with espeak-ng present")
	}
	if err := r.Speak(context.Background(), "uk", "Привіт", ""); err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	b, _ := os.ReadFile(out)
	if got := string(b); !strings.Contains(got, "-v uk") || !strings.Contains(got, "Привіт") {
		t.Fatalf("espeak-ng got %q", got)
	}
}

func TestRecordedAudioWinsOverSynthesis(t *testing.T) {
	look, out := fakeTools(t, "espeak-ng", "aplay")
	audio := filepath.Join(t.TempDir(), "lesson1.wav")
	os.WriteFile(audio, []byte("RIFF"), 0o644)
	r := New(look)
	if err := r.Speak(context.Background(), "it", "testo", audio); err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	b, _ := os.ReadFile(out)
	if got := string(b); !strings.Contains(got, "aplay "+audio) {
		t.Fatalf("player got %q", got)
	}
}

func TestNothingToSpeakWith(t *testing.T) {
	look, _ := fakeTools(t)
	r := New(look)
	if r.CanSpeak("it", "") || r.CanSpeak("it", "/no/such/file.wav") {
		t.Fatal("claims it can speak without espeak-ng or a player")
	}
	if err := r.Speak(context.Background(), "it", "x", ""); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestStopEndsAReadingInProgress(t *testing.T) {
	dir := t.TempDir()
	slow := filepath.Join(dir, "espeak-ng")
	os.WriteFile(slow, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755)
	r := New(func(n string) (string, error) {
		if n == "espeak-ng" {
			return slow, nil
		}
		return "", errors.New("no")
	})
	if err := r.Speak(context.Background(), "it", "x", ""); err != nil {
		t.Fatal(err)
	}
	done := r.Done()
	r.Stop() // returns only once the process is gone
	select {
	case <-done:
	default:
		t.Fatal("reading still running after Stop")
	}
}
