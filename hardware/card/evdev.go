package card

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux input event constants (linux/input-event-codes.h).
const (
	evKey       = 0x01
	keyEnter    = 28
	keyKPEnter  = 96
	keyTab      = 15
	keyLShift   = 42
	keyRShift   = 54
	keyCapsLock = 58
)

// EventSize is the size of struct input_event on this machine: a struct
// timeval (16 bytes on 64-bit, 8 on 32-bit ARM) plus type, code and value.
const EventSize = int(unsafe.Sizeof(unix.Timeval{})) + 8

// keymap is a US keyboard, the layout keyboard-mode scanners emulate by
// default: key code → unshifted, shifted.
var keymap = func() map[uint16][2]rune {
	m := map[uint16][2]rune{}
	row := func(first uint16, plain, shifted string) {
		p, s := []rune(plain), []rune(shifted)
		for i := range p {
			m[first+uint16(i)] = [2]rune{p[i], s[i]}
		}
	}
	row(2, "1234567890-=", "!@#$%^&*()_+")
	row(16, "qwertyuiop[]", "QWERTYUIOP{}")
	row(30, "asdfghjkl;'`", "ASDFGHJKL:\"~")
	row(43, "\\zxcvbnm,./", "|ZXCVBNM<>?")
	row(55, "*", "*")
	row(57, " ", " ")
	row(71, "789-456+1230.", "789-456+1230.")
	row(98, "/", "/")
	return m
}()

// KeyDecoder turns a stream of Linux input events from a keyboard-mode
// reader into lines of text, one per scan (the reader ends each with Enter
// or Tab).
type KeyDecoder struct {
	r     io.Reader
	size  int
	buf   []byte
	shift int
	caps  bool
	line  strings.Builder
}

// NewKeyDecoder reads events of EventSize bytes from r.
func NewKeyDecoder(r io.Reader) *KeyDecoder { return NewKeyDecoderSize(r, EventSize) }

// NewKeyDecoderSize reads events of the given size (24 on 64-bit Linux, 16
// on 32-bit), for replaying a recording made on another machine.
func NewKeyDecoderSize(r io.Reader, size int) *KeyDecoder {
	return &KeyDecoder{r: r, size: size, buf: make([]byte, size)}
}

// Next returns the next scanned line, without its terminator.
func (d *KeyDecoder) Next() (string, error) {
	for {
		if _, err := io.ReadFull(d.r, d.buf); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("truncated input event: %w", err)
			}
			return "", err
		}
		tail := d.buf[d.size-8:]
		typ := binary.NativeEndian.Uint16(tail[0:])
		code := binary.NativeEndian.Uint16(tail[2:])
		value := int32(binary.NativeEndian.Uint32(tail[4:]))
		if typ != evKey {
			continue
		}
		switch code {
		case keyLShift, keyRShift:
			if value == 1 {
				d.shift++
			} else if value == 0 && d.shift > 0 {
				d.shift--
			}
			continue
		}
		if value != 1 { // releases and autorepeat
			continue
		}
		switch code {
		case keyCapsLock:
			d.caps = !d.caps
		case keyEnter, keyKPEnter, keyTab:
			s := d.line.String()
			d.line.Reset()
			if s != "" {
				return s, nil
			}
		default:
			k, ok := keymap[code]
			if !ok {
				continue
			}
			r := k[0]
			if d.shift > 0 {
				r = k[1]
			}
			if d.caps && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			} else if d.caps && r >= 'A' && r <= 'Z' && d.shift > 0 {
				r += 'a' - 'A'
			}
			if d.line.Len() < 4096 {
				d.line.WriteRune(r)
			}
		}
	}
}

// EncodeKeys writes text followed by Enter as input events of the given
// size, the way a keyboard-mode scanner types it. Tests and the benchmark
// use it to play a reader.
func EncodeKeys(text string, size int) ([]byte, error) {
	rev := map[rune][2]uint16{} // rune → code, shifted
	for code, k := range keymap {
		if _, ok := rev[k[0]]; !ok || code < rev[k[0]][0] {
			rev[k[0]] = [2]uint16{code, 0}
		}
		if k[1] != k[0] {
			rev[k[1]] = [2]uint16{code, 1}
		}
	}
	var out []byte
	ev := func(code uint16, value int32) {
		b := make([]byte, size)
		binary.NativeEndian.PutUint16(b[size-8:], evKey)
		binary.NativeEndian.PutUint16(b[size-6:], code)
		binary.NativeEndian.PutUint32(b[size-4:], uint32(value))
		out = append(out, b...)
		syn := make([]byte, size) // EV_SYN SYN_REPORT
		out = append(out, syn...)
	}
	for _, r := range text {
		k, ok := rev[r]
		if !ok {
			return nil, fmt.Errorf("card: %q cannot be typed on a US keyboard", r)
		}
		if k[1] == 1 {
			ev(keyLShift, 1)
		}
		ev(k[0], 1)
		ev(k[0], 0)
		if k[1] == 1 {
			ev(keyLShift, 0)
		}
	}
	ev(keyEnter, 1)
	ev(keyEnter, 0)
	return out, nil
}

// eviocgrab is EVIOCGRAB, _IOW('E', 0x90, int).
const eviocgrab = 0x40044590

// OpenEvdev opens a keyboard-mode reader's event device and grabs it, so
// its keystrokes reach only the kiosk's card service and never the UI.
// Closing the file releases the grab.
func OpenEvdev(path string) (io.ReadCloser, error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("card: open %s: %w", path, err)
	}
	// Through SyscallConn, not Fd: Fd would switch the file to blocking
	// mode, and Close could then no longer interrupt a pending Read.
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("card: %s: %w", path, err)
	}
	var ioErr error
	if err := rc.Control(func(fd uintptr) { ioErr = unix.IoctlSetInt(int(fd), eviocgrab, 1) }); err != nil {
		ioErr = err
	}
	if ioErr != nil {
		f.Close()
		return nil, fmt.Errorf("card: grab %s (another program holds it?): %w", path, ioErr)
	}
	return f, nil
}
