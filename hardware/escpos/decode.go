package escpos

import (
	"fmt"
	"strings"
)

// Op is one decoded command or run of text.
type Op struct {
	Name string // "init", "codepage", "bold", "size", "align", "text", "feed", "qr.model", "qr.size", "qr.ec", "qr.store", "qr.print", "barcode.height", "barcode.width", "barcode.hri", "code128", "raster", "cut", "status"
	Args []byte // the command's parameter bytes
	Text string // for "text" (decoded from PC858, ending at LF), "qr.store" and "code128" data
	// Raster dimensions for "raster".
	WidthBytes, Height int
}

// Decode parses a job produced by Encoder and checks its structure: every
// command complete, lengths matching their data, parameters in range.
// It knows only the commands this package writes; anything else is an
// error, which is what a test wants.
func Decode(b []byte) ([]Op, error) {
	var ops []Op
	var text []byte
	flush := func() {
		if len(text) > 0 {
			ops = append(ops, Op{Name: "text", Text: DecodePC858(text)})
			text = nil
		}
	}
	need := func(i, n int, what string) error {
		if i+n > len(b) {
			return fmt.Errorf("escpos: decode: %s at %d truncated", what, i)
		}
		return nil
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch c {
		case esc, gs, dle:
			flush()
		case lf:
			ops = append(ops, Op{Name: "text", Text: DecodePC858(text)})
			text = nil
			i++
			continue
		default:
			if c < 0x20 {
				return ops, fmt.Errorf("escpos: decode: stray control byte %#02x at %d", c, i)
			}
			text = append(text, c)
			i++
			continue
		}
		if err := need(i, 2, "command"); err != nil {
			return ops, err
		}
		cmd := string([]byte{c, b[i+1]})
		if s, ok := simpleCommands[cmd]; ok {
			if err := need(i, 2+s.n, s.name); err != nil {
				return ops, err
			}
			args := append([]byte(nil), b[i+2:i+2+s.n]...)
			if err := checkArgs(s.name, args); err != nil {
				return ops, fmt.Errorf("escpos: decode: at %d: %w", i, err)
			}
			ops = append(ops, Op{Name: s.name, Args: args})
			i += 2 + s.n
			continue
		}
		switch cmd {
		case "\x1d(":
			if err := need(i, 5, "GS ( k"); err != nil {
				return ops, err
			}
			if b[i+2] != 'k' {
				return ops, fmt.Errorf("escpos: decode: GS ( %q at %d not supported", b[i+2], i)
			}
			n := int(b[i+3]) | int(b[i+4])<<8
			if err := need(i+5, n, "GS ( k data"); err != nil {
				return ops, err
			}
			p := b[i+5 : i+5+n]
			if n < 3 || p[0] != '1' {
				return ops, fmt.Errorf("escpos: decode: GS ( k at %d is not a QR function", i)
			}
			op, err := qrOp(p)
			if err != nil {
				return ops, fmt.Errorf("escpos: decode: at %d: %w", i, err)
			}
			ops = append(ops, op)
			i += 5 + n
		case "\x1dk":
			if err := need(i, 4, "GS k"); err != nil {
				return ops, err
			}
			if b[i+2] != 73 {
				return ops, fmt.Errorf("escpos: decode: barcode system %d at %d not supported", b[i+2], i)
			}
			n := int(b[i+3])
			if err := need(i+4, n, "Code 128 data"); err != nil {
				return ops, err
			}
			d := b[i+4 : i+4+n]
			if n < 3 || d[0] != '{' || d[1] != 'B' {
				return ops, fmt.Errorf("escpos: decode: Code 128 at %d does not select code set B", i)
			}
			ops = append(ops, Op{Name: "code128", Text: string(d[2:])})
			i += 4 + n
		case "\x1dv":
			if err := need(i, 8, "GS v 0"); err != nil {
				return ops, err
			}
			if b[i+2] != '0' || b[i+3] > 3 {
				return ops, fmt.Errorf("escpos: decode: bad GS v 0 header at %d", i)
			}
			w := int(b[i+4]) | int(b[i+5])<<8
			h := int(b[i+6]) | int(b[i+7])<<8
			if err := need(i+8, w*h, "raster data"); err != nil {
				return ops, err
			}
			ops = append(ops, Op{Name: "raster", Args: []byte{b[i+3]}, WidthBytes: w, Height: h})
			i += 8 + w*h
		case "\x1dV":
			if err := need(i, 3, "GS V"); err != nil {
				return ops, err
			}
			m := b[i+2]
			switch m {
			case 0, 1, 48, 49:
				ops = append(ops, Op{Name: "cut", Args: []byte{m}})
				i += 3
			case 65, 66:
				if err := need(i, 4, "GS V m n"); err != nil {
					return ops, err
				}
				ops = append(ops, Op{Name: "cut", Args: []byte{m, b[i+3]}})
				i += 4
			default:
				return ops, fmt.Errorf("escpos: decode: bad cut mode %d at %d", m, i)
			}
		default:
			return ops, fmt.Errorf("escpos: decode: unknown command % x at %d", cmd, i)
		}
	}
	if len(text) > 0 {
		return ops, fmt.Errorf("escpos: decode: text %q not terminated by LF", DecodePC858(text))
	}
	return ops, nil
}

func checkArgs(name string, a []byte) error {
	switch name {
	case "bold":
		if a[0] > 1 {
			return fmt.Errorf("bold %d", a[0])
		}
	case "align":
		if a[0] > 2 {
			return fmt.Errorf("align %d", a[0])
		}
	case "size":
		if a[0]&0x88 != 0 {
			return fmt.Errorf("size %#02x", a[0])
		}
	case "status":
		if a[0] < 1 || a[0] > 4 {
			return fmt.Errorf("DLE EOT %d", a[0])
		}
	}
	return nil
}

func qrOp(p []byte) (Op, error) {
	switch p[1] {
	case 'A':
		if len(p) != 4 || (p[2] != '1' && p[2] != '2') {
			return Op{}, fmt.Errorf("QR model % x", p)
		}
		return Op{Name: "qr.model", Args: []byte{p[2]}}, nil
	case 'C':
		if len(p) != 3 || p[2] < 1 || p[2] > 16 {
			return Op{}, fmt.Errorf("QR module size % x", p)
		}
		return Op{Name: "qr.size", Args: []byte{p[2]}}, nil
	case 'E':
		if len(p) != 3 || p[2] < 48 || p[2] > 51 {
			return Op{}, fmt.Errorf("QR error correction % x", p)
		}
		return Op{Name: "qr.ec", Args: []byte{p[2]}}, nil
	case 'P':
		if len(p) < 4 || p[2] != '0' {
			return Op{}, fmt.Errorf("QR store % x", p[:min(len(p), 4)])
		}
		return Op{Name: "qr.store", Text: string(p[3:])}, nil
	case 'Q':
		if len(p) != 3 || p[2] != '0' {
			return Op{}, fmt.Errorf("QR print % x", p)
		}
		return Op{Name: "qr.print"}, nil
	}
	return Op{}, fmt.Errorf("QR function %q", p[1])
}

// simpleCommands are the fixed-length commands: name and parameter count.
var simpleCommands = map[string]struct {
	name string
	n    int
}{
	"\x1b@": {"init", 0}, "\x1bt": {"codepage", 1}, "\x1bE": {"bold", 1}, "\x1ba": {"align", 1},
	"\x1bd": {"feed", 1}, "\x1d!": {"size", 1}, "\x1dh": {"barcode.height", 1},
	"\x1dw": {"barcode.width", 1}, "\x1dH": {"barcode.hri", 1}, "\x10\x04": {"status", 1},
}

// Lines returns the text lines of a decoded job, for tests and previews.
func Lines(ops []Op) []string {
	var out []string
	for _, o := range ops {
		if o.Name == "text" {
			out = append(out, o.Text)
		}
	}
	return out
}

// Summary renders ops one per line, a readable form for golden files.
func Summary(ops []Op) string {
	var sb strings.Builder
	for _, o := range ops {
		switch o.Name {
		case "text":
			fmt.Fprintf(&sb, "text %q\n", o.Text)
		case "qr.store", "code128":
			fmt.Fprintf(&sb, "%s %q\n", o.Name, o.Text)
		case "raster":
			fmt.Fprintf(&sb, "raster %dx%d\n", o.WidthBytes*8, o.Height)
		default:
			fmt.Fprintf(&sb, "%s % x\n", o.Name, o.Args)
		}
	}
	return sb.String()
}
