// Package speech reads lesson and guide text aloud: a recorded file from
// the content when there is one (played with aplay, paplay or ffplay),
// otherwise espeak-ng's synthetic voice. With neither installed it says so,
// and the UI hides the read-aloud button.
package speech

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Reader plays one reading at a time.
type Reader struct {
	espeak string // path of espeak-ng, "" if absent
	player string // path of an audio player, "" if absent

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// ErrUnavailable is returned when there is nothing to read with.
var ErrUnavailable = errors.New("speech: no espeak-ng and no recorded audio")

// New looks up espeak-ng and an audio player with lookPath (exec.LookPath
// in production).
func New(lookPath func(string) (string, error)) *Reader {
	r := &Reader{}
	if p, err := lookPath("espeak-ng"); err == nil {
		r.espeak = p
	}
	for _, name := range []string{"aplay", "paplay", "ffplay"} {
		if p, err := lookPath(name); err == nil {
			r.player = p
			break
		}
	}
	return r
}

// voices maps our locales to espeak-ng voice names.
var voices = map[string]string{"it": "it", "en": "en-gb", "ro": "ro", "uk": "uk", "sq": "sq"}

// CanSpeak reports whether Speak would play something.
func (r *Reader) CanSpeak(lang, audio string) bool {
	if r.canPlay(audio) {
		return true
	}
	_, ok := voices[lang]
	return r.espeak != "" && ok
}

func (r *Reader) canPlay(audio string) bool {
	if audio == "" || r.player == "" {
		return false
	}
	_, err := os.Stat(audio)
	return err == nil
}

func (r *Reader) command(ctx context.Context, lang, text, audio string) (*exec.Cmd, error) {
	if r.canPlay(audio) {
		args := []string{audio}
		if strings.HasSuffix(r.player, "ffplay") {
			args = []string{"-nodisp", "-autoexit", "-loglevel", "quiet", audio}
		}
		return exec.CommandContext(ctx, r.player, args...), nil
	}
	v, ok := voices[lang]
	if r.espeak == "" || !ok {
		return nil, ErrUnavailable
	}
	// Slower than the default 175 words a minute, for first-time listeners.
	cmd := exec.CommandContext(ctx, r.espeak, "-v", v, "-s", "140", "--stdin")
	cmd.Stdin = strings.NewReader(text)
	return cmd, nil
}

// Speak stops any reading in progress and starts this one; it returns once
// the player has started.
func (r *Reader) Speak(ctx context.Context, lang, text, audio string) error {
	r.Stop()
	ctx, cancel := context.WithCancel(ctx)
	cmd, err := r.command(ctx, lang, text, audio)
	if err != nil {
		cancel()
		return err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return fmt.Errorf("speech: start %s: %w", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait() // a killed or failed player just stops talking
		close(done)
	}()
	r.mu.Lock()
	r.cancel, r.done = cancel, done
	r.mu.Unlock()
	return nil
}

// Stop ends the reading in progress and waits for the player to exit.
func (r *Reader) Stop() {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.cancel, r.done = nil, nil
	r.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// Done is closed when the current reading ends (nil when none).
func (r *Reader) Done() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done
}
