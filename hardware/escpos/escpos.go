// Package escpos encodes documents for ESC/POS thermal receipt printers
// (Epson TM series and the many compatible 58 and 80 mm printers).
//
// It covers what the kiosk prints: initialisation, the PC858 code page (the
// Latin-1 page with €, so Italian accents print), bold, double size,
// alignment, word wrapping to the paper width, QR codes (GS ( k, model 2),
// Code 128 barcodes (GS k 73), raster images (GS v 0) and the cut.
//
// Reference: Epson "ESC/POS Application Programming Guide" and the command
// reference at download4.epson.biz (ESC @, ESC t, ESC E, GS !, ESC a,
// GS ( k fn 165/167/169/180/181, GS k, GS v 0, GS V, DLE EOT).
package escpos

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Paper is a roll width: how many Font A characters fit on a line and how
// many dots the head has.
type Paper struct {
	Name    string
	Columns int
	Dots    int
}

// The two roll widths kiosks use. Font A is 12×24 dots.
var (
	Paper58 = Paper{Name: "58mm", Columns: 32, Dots: 384}
	Paper80 = Paper{Name: "80mm", Columns: 48, Dots: 576}
)

// PaperByName returns Paper58 or Paper80 for "58mm" or "80mm".
func PaperByName(name string) (Paper, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "58mm", "58":
		return Paper58, nil
	case "80mm", "80":
		return Paper80, nil
	}
	return Paper{}, fmt.Errorf("escpos: unknown paper width %q: use 58mm or 80mm", name)
}

// Align is a line alignment.
type Align byte

// Alignments for ESC a.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// QRLevel is the QR error-correction level.
type QRLevel byte

// Error-correction levels, as the byte GS ( k fn 169 takes.
const (
	QRLow      QRLevel = 48 // L, 7 %
	QRMedium   QRLevel = 49 // M, 15 %
	QRQuartile QRLevel = 50 // Q, 25 %
	QRHigh     QRLevel = 51 // H, 30 %
)

// Command bytes.
const (
	esc = 0x1B
	gs  = 0x1D
	dle = 0x10
	eot = 0x04
	lf  = 0x0A
)

// CodePagePC858 is the ESC t number of PC858 (Multilingual Latin I + Euro)
// on Epson-compatible printers.
const CodePagePC858 = 19

// Encoder builds the bytes of one print job. Methods record the first
// error; Bytes returns it. An Encoder is not safe for concurrent use.
type Encoder struct {
	paper  Paper
	buf    []byte
	width  int // current character width multiplier (1–8)
	height int
	err    error
}

// NewEncoder returns an encoder for the given paper.
func NewEncoder(p Paper) *Encoder {
	if p.Columns <= 0 {
		p = Paper80
	}
	return &Encoder{paper: p, width: 1, height: 1}
}

// Paper returns the paper the encoder wraps to.
func (e *Encoder) Paper() Paper { return e.paper }

// Columns returns how many characters fit on a line at the current size.
func (e *Encoder) Columns() int { return e.paper.Columns / e.width }

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *Encoder) raw(b ...byte) { e.buf = append(e.buf, b...) }

// Init resets the printer (ESC @) and selects the PC858 code page (ESC t).
func (e *Encoder) Init() *Encoder {
	e.raw(esc, '@', esc, 't', CodePagePC858)
	e.width, e.height = 1, 1
	return e
}

// Bold turns emphasised printing on or off (ESC E).
func (e *Encoder) Bold(on bool) *Encoder {
	e.raw(esc, 'E', boolByte(on))
	return e
}

// Size sets the character width and height multipliers, 1–8 each (GS !).
func (e *Encoder) Size(w, h int) *Encoder {
	if w < 1 || w > 8 || h < 1 || h > 8 {
		e.fail(fmt.Errorf("escpos: size %d×%d out of range 1–8", w, h))
		return e
	}
	e.width, e.height = w, h
	e.raw(gs, '!', byte((w-1)<<4|(h-1)))
	return e
}

// Align sets the alignment of the following lines (ESC a).
func (e *Encoder) Align(a Align) *Encoder {
	if a > Right {
		e.fail(fmt.Errorf("escpos: alignment %d out of range", a))
		return e
	}
	e.raw(esc, 'a', byte(a))
	return e
}

// Text writes s word-wrapped to the current line width, each line ending in
// LF. Newlines in s start new paragraphs; an empty s prints an empty line.
// Characters outside PC858 print as close equivalents or '?'.
func (e *Encoder) Text(s string) *Encoder {
	for _, line := range Wrap(s, e.Columns()) {
		e.buf = AppendPC858(e.buf, line)
		e.raw(lf)
	}
	return e
}

// Columns2 writes left and right on one line, right-aligned to the edge,
// wrapping left if both do not fit (a receipt's "item ……… €1,50").
func (e *Encoder) Columns2(left, right string) *Encoder {
	cols := e.Columns()
	rw := utf8.RuneCountInString(right)
	lines := Wrap(left, max(cols-rw-1, 1))
	for i, l := range lines {
		if i == len(lines)-1 {
			pad := cols - utf8.RuneCountInString(l) - rw
			if pad < 1 {
				e.buf = AppendPC858(e.buf, l)
				e.raw(lf)
				l, pad = "", cols-rw
			}
			e.buf = AppendPC858(e.buf, l+strings.Repeat(" ", pad)+right)
		} else {
			e.buf = AppendPC858(e.buf, l)
		}
		e.raw(lf)
	}
	return e
}

// Rule prints a full-width line of c.
func (e *Encoder) Rule(c rune) *Encoder {
	e.buf = AppendPC858(e.buf, strings.Repeat(string(c), e.Columns()))
	e.raw(lf)
	return e
}

// Feed advances the paper n lines (ESC d).
func (e *Encoder) Feed(n int) *Encoder {
	if n < 0 || n > 255 {
		e.fail(fmt.Errorf("escpos: feed %d out of range 0–255", n))
		return e
	}
	e.raw(esc, 'd', byte(n))
	return e
}

// MaxQRData is the most a model 2 QR code holds in byte mode at level L.
const MaxQRData = 2953

// QR prints data as a model 2 QR code with the given error correction and
// module size in dots (1–16), using GS ( k functions 165, 167, 169, 180
// and 181.
func (e *Encoder) QR(data string, level QRLevel, module int) *Encoder {
	switch {
	case data == "":
		e.fail(errors.New("escpos: empty QR code"))
		return e
	case len(data) > MaxQRData:
		e.fail(fmt.Errorf("escpos: QR data of %d bytes exceeds %d", len(data), MaxQRData))
		return e
	case level < QRLow || level > QRHigh:
		e.fail(fmt.Errorf("escpos: QR error-correction byte %d is not 48–51", level))
		return e
	case module < 1 || module > 16:
		e.fail(fmt.Errorf("escpos: QR module size %d out of range 1–16", module))
		return e
	}
	e.raw(gs, '(', 'k', 4, 0, '1', 'A', '2', 0)       // fn 165: model 2
	e.raw(gs, '(', 'k', 3, 0, '1', 'C', byte(module)) // fn 167: module size
	e.raw(gs, '(', 'k', 3, 0, '1', 'E', byte(level))  // fn 169: error correction
	n := len(data) + 3                                // fn 180: store
	e.raw(gs, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
	e.buf = append(e.buf, data...)
	e.raw(gs, '(', 'k', 3, 0, '1', 'Q', '0') // fn 181: print
	return e
}

// Code128 prints data as a Code 128 barcode (code set B, printable ASCII)
// with its text below, height in dots (1–255).
func (e *Encoder) Code128(data string, height int) *Encoder {
	if data == "" || len(data) > 253 {
		e.fail(fmt.Errorf("escpos: Code 128 data must be 1–253 characters, got %d", len(data)))
		return e
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7E {
			e.fail(fmt.Errorf("escpos: Code 128 set B cannot encode byte %#x at %d", data[i], i))
			return e
		}
	}
	if height < 1 || height > 255 {
		e.fail(fmt.Errorf("escpos: barcode height %d out of range 1–255", height))
		return e
	}
	e.raw(gs, 'h', byte(height), gs, 'w', 2, gs, 'H', 2)
	e.raw(gs, 'k', 73, byte(len(data)+2), '{', 'B')
	e.buf = append(e.buf, data...)
	e.raw(lf)
	return e
}

// Bitmap is a 1-bit image, rows of WidthBytes bytes, most significant bit
// leftmost, 1 = black.
type Bitmap struct {
	WidthBytes int
	Height     int
	Data       []byte
}

// Raster prints b as a raster image at normal density (GS v 0).
func (e *Encoder) Raster(b Bitmap) *Encoder {
	switch {
	case b.WidthBytes < 1 || b.Height < 1:
		e.fail(errors.New("escpos: empty raster image"))
		return e
	case len(b.Data) != b.WidthBytes*b.Height:
		e.fail(fmt.Errorf("escpos: raster image has %d bytes, want %d×%d", len(b.Data), b.WidthBytes, b.Height))
		return e
	case b.WidthBytes*8 > e.paper.Dots:
		e.fail(fmt.Errorf("escpos: raster image %d dots wide exceeds the %d-dot head", b.WidthBytes*8, e.paper.Dots))
		return e
	case b.Height > 2303:
		e.fail(fmt.Errorf("escpos: raster image %d dots high exceeds 2303", b.Height))
		return e
	}
	e.raw(gs, 'v', '0', 0, byte(b.WidthBytes), byte(b.WidthBytes>>8), byte(b.Height), byte(b.Height>>8))
	e.buf = append(e.buf, b.Data...)
	return e
}

// Cut feeds the paper to the cutter and makes a partial cut (GS V 66 n).
func (e *Encoder) Cut() *Encoder {
	e.raw(gs, 'V', 66, 3)
	return e
}

// Bytes returns the encoded job, or the first error met while building it.
func (e *Encoder) Bytes() ([]byte, error) {
	if e.err != nil {
		return nil, e.err
	}
	return e.buf, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// StatusRequest is DLE EOT n: n=1 printer, 2 offline cause, 4 paper roll.
func StatusRequest(n byte) []byte { return []byte{dle, eot, n} }

// Status is what the printer said about itself.
type Status struct {
	PaperOut  bool
	PaperLow  bool
	CoverOpen bool
}

// ErrBadStatus means a status byte did not have the fixed bits of a DLE
// EOT reply: the device is not an ESC/POS printer or the line is garbled.
var ErrBadStatus = errors.New("escpos: malformed status byte")

// ParseOffline reads the reply to DLE EOT 2 (offline cause).
func ParseOffline(b byte) (Status, error) {
	if b&0x93 != 0x12 {
		return Status{}, fmt.Errorf("%w %#02x", ErrBadStatus, b)
	}
	return Status{CoverOpen: b&0x04 != 0, PaperOut: b&0x20 != 0}, nil
}

// ParsePaper reads the reply to DLE EOT 4 (paper roll sensor).
func ParsePaper(b byte) (Status, error) {
	if b&0x93 != 0x12 {
		return Status{}, fmt.Errorf("%w %#02x", ErrBadStatus, b)
	}
	return Status{PaperLow: b&0x0C != 0, PaperOut: b&0x60 != 0}, nil
}
