package card

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

func TestKeyDecoderReplaysAScan(t *testing.T) {
	for _, size := range []int{24, 16} { // 64-bit and 32-bit recordings
		texts := []string{"RSSMRA85T10A562S", "PAGOPA|002|302123456789012356|01234567890|0000001550", "Lib-0042 x"}
		var stream []byte
		for _, s := range texts {
			b, err := EncodeKeys(s, size)
			if err != nil {
				t.Fatal(err)
			}
			stream = append(stream, b...)
		}
		d := NewKeyDecoderSize(bytes.NewReader(stream), size)
		for _, want := range texts {
			got, err := d.Next()
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("size %d: got %q, want %q", size, got, want)
			}
		}
		if _, err := d.Next(); !errors.Is(err, io.EOF) {
			t.Errorf("end: %v", err)
		}
	}
}

func TestTruncatedEventIsAnError(t *testing.T) {
	b, _ := EncodeKeys("123", 24)
	d := NewKeyDecoderSize(bytes.NewReader(b[:30]), 24)
	if _, err := d.Next(); err == nil || errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "truncated") {
		t.Errorf("got %v", err)
	}
}

func TestClassify(t *testing.T) {
	c := Classifier{}
	cases := map[string]Kind{
		"RSSMRA85T10A562S": HealthCard,
		"rssmra85t10a562s": HealthCard, // scanner in lower case
		"RSSMRA85T10A562X": Barcode,    // wrong check character
		"0012345678":       LibraryCard,
		"PAGOPA|002|302123456789012356|01234567890|0000001550": PagoPA,
		"https://example.org": Barcode,
	}
	for in, want := range cases {
		if got, _ := c.Classify(in); got != want {
			t.Errorf("Classify(%q) = %s, want %s", in, got, want)
		}
	}
	if _, norm := c.Classify("rssmra85t10a562s"); norm != "RSSMRA85T10A562S" {
		t.Errorf("CF not upper-cased: %q", norm)
	}
}

func TestDebounce(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	s := NewService(clk, Options{Debounce: 2 * time.Second})
	s.AddSimulator("sim")
	taps, cancel := s.Subscribe(8)
	defer cancel()
	if _, ok := s.Inject("sim", "0012345678"); !ok {
		t.Fatal("first tap dropped")
	}
	clk.Advance(500 * time.Millisecond)
	if _, ok := s.Inject("sim", "0012345678"); ok {
		t.Error("repeat within the debounce window delivered")
	}
	if _, ok := s.Inject("sim", "0099999999"); !ok {
		t.Error("a different card was debounced")
	}
	clk.Advance(3 * time.Second)
	if _, ok := s.Inject("sim", "0012345678"); !ok {
		t.Error("the same card later was dropped")
	}
	if n := len(taps); n != 3 {
		t.Errorf("%d taps delivered, want 3", n)
	}
	if h := s.Health()[0]; h.Taps != 3 {
		t.Errorf("health %+v", h)
	}
}

// unplugging is an event stream that ends the way an unplugged USB
// device's does: ENODEV after part of a scan.
type unplugging struct {
	r io.Reader
}

func (u *unplugging) Read(b []byte) (int, error) {
	n, err := u.r.Read(b)
	if errors.Is(err, io.EOF) {
		return n, syscall.ENODEV
	}
	return n, err
}
func (u *unplugging) Close() error { return nil }

func TestReaderUnpluggedAndBackIsPickedUpAgain(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	waits := make(chan time.Duration)
	release := make(chan struct{})
	s := NewService(clk, Options{Wait: func(ctx context.Context, d time.Duration) error {
		select {
		case waits <- d:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	first, _ := EncodeKeys("0012345678", EventSize)
	half, _ := EncodeKeys("RSSMRA85T10A562S", EventSize)
	whole := half
	half = half[:len(half)/2]
	opens := 0
	s.AddKeyboard("scanner", func(context.Context) (io.ReadCloser, error) {
		opens++
		switch opens {
		case 1:
			return &unplugging{bytes.NewReader(append(first, half...))}, nil
		case 2:
			return nil, errors.New("open /dev/input/by-id/usb-scanner: no such file or directory")
		}
		pr, pw := io.Pipe()
		go pw.Write(whole) // then stays plugged in, with nothing more to say
		return pr, nil
	})
	taps, cancel := s.Subscribe(8)
	defer cancel()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()

	if tap := <-taps; tap.Kind != LibraryCard || tap.Text != "0012345678" {
		t.Errorf("first tap %+v", tap)
	}
	<-waits // unplugged mid-scan
	if h := s.Health()[0]; h.Connected || !strings.Contains(h.Error, "no such device") {
		t.Errorf("health after unplug %+v", h)
	}
	release <- struct{}{}
	<-waits // still missing
	release <- struct{}{}
	tap := <-taps
	if tap.Kind != HealthCard || tap.Text != "RSSMRA85T10A562S" {
		t.Errorf("after re-plug %+v", tap)
	}
	if h := s.Health()[0]; !h.Connected || h.Error != "" {
		t.Errorf("health after re-plug %+v", h)
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

func TestOpenEvdevMissingDeviceIsAClearError(t *testing.T) {
	_, err := OpenEvdev("/dev/input/by-id/no-such-scanner")
	if err == nil || !strings.Contains(err.Error(), "no-such-scanner") {
		t.Errorf("got %v", err)
	}
}

// fakeRFID is a UID reader the test presents cards to.
type fakeRFID struct {
	cards chan []byte
	fail  chan error
}

func (f *fakeRFID) ReadUID(ctx context.Context) ([]byte, error) {
	select {
	case uid := <-f.cards:
		return uid, nil
	case err := <-f.fail:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
func (f *fakeRFID) Close() error { return nil }

func TestRFIDReaderUIDsAndReconnect(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	waits := make(chan time.Duration, 1)
	s := NewService(clk, Options{Wait: func(ctx context.Context, d time.Duration) error { waits <- d; return nil }})
	rf := &fakeRFID{cards: make(chan []byte), fail: make(chan error)}
	opens := make(chan struct{}, 4)
	s.AddUIDReader("rfid", func(context.Context) (UIDReader, error) { opens <- struct{}{}; return rf, nil })
	taps, cancel := s.Subscribe(4)
	defer cancel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go s.Run(ctx)
	<-opens
	rf.cards <- []byte{0x04, 0xA2, 0x3B, 0x1C}
	if tap := <-taps; tap.Kind != MifareUID || tap.Text != "04A23B1C" {
		t.Errorf("tap %+v", tap)
	}
	rf.fail <- errors.New("spi: transfer failed")
	<-waits
	<-opens // reopened without a restart
	clk.Advance(3 * time.Second)
	rf.cards <- []byte{0x04, 0xA2, 0x3B, 0x1C}
	if tap := <-taps; tap.Text != "04A23B1C" {
		t.Errorf("after reconnect %+v", tap)
	}
}
