// Package card reads the cards and barcodes citizens and staff carry: the
// Tessera Sanitaria's Code 39 barcode (the codice fiscale), library cards
// (barcode or RFID in keyboard mode), pagoPA notice QR codes, and typed
// text from the simulator.
//
// Keyboard-mode (HID wedge) readers are read through Linux evdev and
// grabbed exclusively (EVIOCGRAB), so a scan never leaks into the UI as
// keystrokes. A reader that is unplugged and plugged back is opened again
// by itself. Taps are classified, debounced and delivered to subscribers.
//
// Reference: linux/input.h and input-event-codes.h (struct input_event,
// EV_KEY, KEY_*); USB HID Usage Tables §10 for what wedge scanners type.
package card

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/fanout"
)

// Kind is what a tap turned out to be.
type Kind string

// Tap kinds.
const (
	// HealthCard is a codice fiscale from a health card's barcode, with a
	// correct check character. The records area validates it fully.
	HealthCard Kind = "health_card"
	// LibraryCard is a number matching the library's card pattern.
	LibraryCard Kind = "library_card"
	// MifareUID is the UID of a MIFARE card, as hex.
	MifareUID Kind = "mifare_uid"
	// PagoPA is the text of a pagoPA notice's QR code.
	PagoPA Kind = "pagopa"
	// Barcode is any other scanned text.
	Barcode Kind = "barcode"
)

// Tap is one card or code presented to a reader.
type Tap struct {
	Kind   Kind      `json:"kind"`
	Text   string    `json:"text"` // as read (a CF is upper-cased)
	Reader string    `json:"reader"`
	Time   time.Time `json:"time"`
}

var (
	cfShape = regexp.MustCompile(`^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$`)
)

// cfCheckOdd is the value of each character in odd positions (1st, 3rd…).
var cfCheckOdd = map[byte]int{
	'0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
	'A': 1, 'B': 0, 'C': 5, 'D': 7, 'E': 9, 'F': 13, 'G': 15, 'H': 17, 'I': 19, 'J': 21,
	'K': 2, 'L': 4, 'M': 18, 'N': 20, 'O': 11, 'P': 3, 'Q': 6, 'R': 8, 'S': 12, 'T': 14,
	'U': 16, 'V': 10, 'W': 22, 'X': 25, 'Y': 24, 'Z': 23,
}

// cfCheckOK reports whether the 16th character of an upper-case CF-shaped
// string is its check character.
func cfCheckOK(cf string) bool {
	sum := 0
	for i := 0; i < 15; i++ {
		c := cf[i]
		if i%2 == 0 {
			sum += cfCheckOdd[c]
		} else if c >= '0' && c <= '9' {
			sum += int(c - '0')
		} else {
			sum += int(c - 'A')
		}
	}
	return cf[15] == byte('A'+sum%26)
}

// Classifier decides what a scanned text is.
type Classifier struct {
	// Library matches library card numbers; nil means 6–14 digits.
	Library *regexp.Regexp
}

var defaultLibrary = regexp.MustCompile(`^[0-9]{6,14}$`)

// Classify returns the tap kind and the normalised text.
func (c Classifier) Classify(text string) (Kind, string) {
	t := strings.TrimSpace(text)
	up := strings.ToUpper(t)
	lib := c.Library
	if lib == nil {
		lib = defaultLibrary
	}
	switch {
	case cfShape.MatchString(up) && cfCheckOK(up):
		return HealthCard, up
	case strings.HasPrefix(up, "PAGOPA|"):
		return PagoPA, t
	case lib.MatchString(t):
		return LibraryCard, t
	}
	return Barcode, t
}

// Options tune a Service.
type Options struct {
	// Debounce drops a repeat of the same tap within this window (a card
	// held on the reader, a scanner triggered twice). 0 means 2 s.
	Debounce time.Duration
	Classifier
	// MinBackoff and MaxBackoff bound the wait before reopening a reader
	// that failed or is missing (default 1 s doubling to 30 s).
	MinBackoff, MaxBackoff time.Duration
	// Wait sleeps; nil means a real timer.
	Wait func(ctx context.Context, d time.Duration) error
}

// Health is one reader's state for the status screen.
type Health struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"` // "evdev", "simulator"
	Connected bool      `json:"connected"`
	Error     string    `json:"error,omitempty"`
	LastTap   time.Time `json:"last_tap,omitzero"`
	Taps      int       `json:"taps"`
}

type source struct {
	name, kind string
	open       func(ctx context.Context) (io.ReadCloser, error)
	openUID    func(ctx context.Context) (UIDReader, error)
	size       int
	h          Health
}

// Service reads every configured reader and delivers taps to subscribers.
type Service struct {
	clk  clock.Clock
	opts Options

	mu      sync.Mutex
	sources []*source
	last    map[string]time.Time // debounce: kind+text → time
	fan     fanout.Fanout[Tap]
}

// NewService returns a service with no readers; add them before Run.
func NewService(clk clock.Clock, opts Options) *Service {
	if opts.Debounce <= 0 {
		opts.Debounce = 2 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.Wait == nil {
		opts.Wait = clock.Sleep
	}
	return &Service{clk: clk, opts: opts, last: map[string]time.Time{}}
}

// AddKeyboard adds a keyboard-mode reader. open returns its event stream
// (OpenEvdev for a device path; a recording in tests).
func (s *Service) AddKeyboard(name string, open func(ctx context.Context) (io.ReadCloser, error)) {
	s.addSource(name, "evdev", open, EventSize)
}

func (s *Service) addSource(name, kind string, open func(ctx context.Context) (io.ReadCloser, error), size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, &source{name: name, kind: kind, open: open, size: size, h: Health{Name: name, Kind: kind}})
}

// AddSimulator adds the simulated reader: Inject feeds it.
func (s *Service) AddSimulator(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, &source{name: name, kind: "simulator", h: Health{Name: name, Kind: "simulator", Connected: true}})
}

// Inject delivers text as if the named reader had read it: the simulator
// (`officina card tap`, a key in the UI) and tests use it. It returns the
// tap, or false if it was a debounced repeat.
func (s *Service) Inject(reader, text string) (Tap, bool) {
	return s.deliver(reader, text)
}

// Subscribe returns a channel of taps and a function that ends the
// subscription. A subscriber that does not keep up loses taps (counted in
// Dropped) rather than stall the readers.
func (s *Service) Subscribe(buffer int) (<-chan Tap, func()) {
	return s.fan.Subscribe(buffer)
}

// Dropped counts taps a slow subscriber missed.
func (s *Service) Dropped() int { return int(s.fan.Dropped()) }

func (s *Service) deliver(reader, text string) (Tap, bool) {
	kind, norm := s.opts.Classify(text)
	return s.deliverKind(reader, kind, norm)
}

func (s *Service) deliverKind(reader string, kind Kind, norm string) (Tap, bool) {
	if norm == "" {
		return Tap{}, false
	}
	now := s.clk.Now()
	tap := Tap{Kind: kind, Text: norm, Reader: reader, Time: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := string(kind) + "\x00" + norm
	if t, ok := s.last[k]; ok && now.Sub(t) < s.opts.Debounce {
		return Tap{}, false
	}
	s.last[k] = now
	for k, t := range s.last {
		if now.Sub(t) >= s.opts.Debounce {
			delete(s.last, k)
		}
	}
	for _, src := range s.sources {
		if src.name == reader {
			src.h.Taps++
			src.h.LastTap = now
		}
	}
	s.fan.Send(tap)
	return tap, true
}

// Health returns every reader's state.
func (s *Service) Health() []Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Health, len(s.sources))
	for i, src := range s.sources {
		out[i] = src.h
	}
	return out
}

func (s *Service) setHealth(src *source, fn func(h *Health)) {
	s.mu.Lock()
	fn(&src.h)
	s.mu.Unlock()
}

// Run reads every reader until ctx is done. A reader that fails or is
// missing is retried with backoff; the others carry on.
func (s *Service) Run(ctx context.Context) error {
	s.mu.Lock()
	srcs := append([]*source(nil), s.sources...)
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, src := range srcs {
		switch {
		case src.open != nil:
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.runSource(ctx, src)
			}()
		case src.openUID != nil:
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.runUID(ctx, src)
			}()
		}
	}
	wg.Wait()
	<-ctx.Done() // a simulator-only service has nothing to read but stays up
	return ctx.Err()
}

// connect opens a reader with open, retrying with doubling waits while it
// fails (the reader is unplugged, say), and marks it connected. It returns
// false when ctx ends first.
func connect[T any](ctx context.Context, s *Service, src *source, open func(context.Context) (T, error)) (T, bool) {
	backoff := s.opts.MinBackoff
	for {
		r, err := open(ctx)
		if err == nil {
			s.setHealth(src, func(h *Health) { h.Connected, h.Error = true, "" })
			return r, true
		}
		s.setHealth(src, func(h *Health) { h.Connected, h.Error = false, err.Error() })
		if s.opts.Wait(ctx, backoff) != nil {
			var zero T
			return zero, false
		}
		backoff = min(2*backoff, s.opts.MaxBackoff)
	}
}

func (s *Service) runSource(ctx context.Context, src *source) {
	for ctx.Err() == nil {
		rc, ok := connect(ctx, s, src, src.open)
		if !ok {
			return
		}
		stop := context.AfterFunc(ctx, func() { rc.Close() })
		err := s.read(src, rc)
		stop()
		rc.Close()
		if ctx.Err() != nil {
			return
		}
		msg := "reader disconnected"
		if err != nil && !errors.Is(err, io.EOF) {
			msg = fmt.Sprintf("reader disconnected: %v", err)
		}
		s.setHealth(src, func(h *Health) { h.Connected, h.Error = false, msg })
		if s.opts.Wait(ctx, s.opts.MinBackoff) != nil {
			return
		}
	}
}

func (s *Service) read(src *source, r io.Reader) error {
	d := NewKeyDecoderSize(r, src.size)
	for {
		line, err := d.Next()
		if err != nil {
			return err
		}
		s.deliver(src.name, line)
	}
}
