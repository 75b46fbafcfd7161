// Package printer drives the kiosk's ESC/POS receipt printer: the layouts
// it prints (queue ticket, receipt, course certificate), the transports a
// printer is reached by, its paper and cover status, and a small durable
// queue so that a job asked for while the paper is out prints once paper is
// back, or is cancelled with a clear message, and is never printed twice.
//
// A printer is named by one address string:
//
//	file:/var/lib/officina/printer.bin   append to a plain file (the simulator)
//	/dev/usb/lp0  or  usb:/dev/usb/lp0   a USB printer-class device file
//	serial:/dev/ttyUSB0?baud=19200       a serial port (default 9600 8N1)
//	tcp:192.168.1.50:9100                a network printer (raw port 9100)
package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.bug.st/serial"

	"github.com/officina-digitale/officina/hardware/escpos"
)

// Conn is an open connection to a printer.
type Conn interface {
	io.Writer
	// Status asks the printer for its paper and cover state (DLE EOT).
	// It returns ErrNoStatus when the transport cannot answer (a file, a
	// one-way device).
	Status(ctx context.Context) (escpos.Status, error)
	Close() error
	String() string
}

// ErrNoStatus means the transport cannot report the printer's state.
var ErrNoStatus = errors.New("printer: this transport reports no status")

// ErrNoAnswer means the printer did not answer a status request in time:
// it is off, unplugged or hung.
var ErrNoAnswer = errors.New("printer: no answer to the status request")

// StatusTimeout bounds how long a status request waits for its reply.
const StatusTimeout = 800 * time.Millisecond

// Dial opens the printer at address (see the package documentation).
func Dial(ctx context.Context, address string) (Conn, error) {
	kind, rest := splitAddress(address)
	switch kind {
	case "file":
		if rest == "" {
			return nil, fmt.Errorf("printer: %q names no file", address)
		}
		f, err := os.OpenFile(rest, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("printer: %w", err)
		}
		return &fileConn{f: f}, nil
	case "usb":
		f, err := os.OpenFile(rest, os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("printer: %w", err)
		}
		return &streamConn{rw: f, name: "usb:" + rest, deadline: f.SetReadDeadline, close: f.Close}, nil
	case "serial":
		path, baud, err := parseSerial(rest)
		if err != nil {
			return nil, err
		}
		p, err := serial.Open(path, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
		if err != nil {
			return nil, fmt.Errorf("printer: open serial %s: %w", path, err)
		}
		sc := &streamConn{rw: p, name: "serial:" + path, close: p.Close}
		sc.timeout = p.SetReadTimeout
		return sc, nil
	case "tcp":
		if _, _, err := net.SplitHostPort(rest); err != nil {
			rest = net.JoinHostPort(rest, "9100")
		}
		var d net.Dialer
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c, err := d.DialContext(dctx, "tcp", rest)
		if err != nil {
			return nil, fmt.Errorf("printer: connect %s: %w", rest, err)
		}
		return &streamConn{rw: c, name: "tcp:" + rest, deadline: c.SetReadDeadline, wdeadline: c.SetWriteDeadline, close: c.Close}, nil
	}
	return nil, fmt.Errorf("printer: address %q: use file:PATH, /dev/usb/lpN, serial:/dev/ttyX?baud=N or tcp:HOST:9100", address)
}

func splitAddress(a string) (kind, rest string) {
	a = strings.TrimSpace(a)
	switch {
	case strings.HasPrefix(a, "file:"):
		return "file", strings.TrimPrefix(a, "file:")
	case strings.HasPrefix(a, "usb:"):
		return "usb", strings.TrimPrefix(a, "usb:")
	case strings.HasPrefix(a, "serial:"):
		return "serial", strings.TrimPrefix(a, "serial:")
	case strings.HasPrefix(a, "tcp:"):
		return "tcp", strings.TrimPrefix(a, "tcp:")
	case strings.HasPrefix(a, "/dev/usb/") || strings.HasPrefix(a, "/dev/lp"):
		return "usb", a
	case strings.HasPrefix(a, "/dev/tty"):
		return "serial", a
	}
	return "", a
}

// CheckAddress reports whether address is well formed, without opening it.
func CheckAddress(address string) error {
	kind, rest := splitAddress(address)
	switch kind {
	case "":
		return fmt.Errorf("printer: address %q: use file:PATH, /dev/usb/lpN, serial:/dev/ttyX?baud=N or tcp:HOST:9100", address)
	case "serial":
		_, _, err := parseSerial(rest)
		return err
	}
	if rest == "" {
		return fmt.Errorf("printer: address %q names no device", address)
	}
	return nil
}

func parseSerial(rest string) (string, int, error) {
	path, query, _ := strings.Cut(rest, "?")
	baud := 9600
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return "", 0, fmt.Errorf("printer: serial options %q: %w", query, err)
		}
		if b := q.Get("baud"); b != "" {
			if baud, err = strconv.Atoi(b); err != nil || baud <= 0 {
				return "", 0, fmt.Errorf("printer: serial baud %q is not a positive number", b)
			}
		}
	}
	if path == "" {
		return "", 0, errors.New("printer: serial address names no port")
	}
	return path, baud, nil
}

type fileConn struct{ f *os.File }

func (c *fileConn) Write(b []byte) (int, error) {
	n, err := c.f.Write(b)
	if err == nil {
		err = c.f.Sync()
	}
	return n, err
}
func (c *fileConn) Status(context.Context) (escpos.Status, error) {
	return escpos.Status{}, ErrNoStatus
}
func (c *fileConn) Close() error   { return c.f.Close() }
func (c *fileConn) String() string { return "file:" + c.f.Name() }

// streamConn is a two-way byte stream: a device file, a serial port or a
// TCP connection. It asks DLE EOT 2 and 4 for status.
type streamConn struct {
	rw        io.ReadWriter
	name      string
	deadline  func(time.Time) error     // read deadline, for files and sockets
	wdeadline func(time.Time) error     // write deadline, for sockets
	timeout   func(time.Duration) error // read timeout, for serial ports
	close     func() error
}

func (c *streamConn) Write(b []byte) (int, error) {
	if c.wdeadline != nil {
		c.wdeadline(time.Now().Add(10 * time.Second))
	}
	return c.rw.Write(b)
}

func (c *streamConn) Close() error   { return c.close() }
func (c *streamConn) String() string { return c.name }

func (c *streamConn) Status(ctx context.Context) (escpos.Status, error) {
	off, err := c.ask(ctx, 2)
	if err != nil {
		return escpos.Status{}, err
	}
	o, err := escpos.ParseOffline(off)
	if err != nil {
		return escpos.Status{}, err
	}
	pb, err := c.ask(ctx, 4)
	if err != nil {
		return escpos.Status{}, err
	}
	p, err := escpos.ParsePaper(pb)
	if err != nil {
		return escpos.Status{}, err
	}
	return escpos.Status{PaperOut: o.PaperOut || p.PaperOut, PaperLow: p.PaperLow, CoverOpen: o.CoverOpen}, nil
}

func (c *streamConn) ask(ctx context.Context, n byte) (byte, error) {
	wait := StatusTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		wait = time.Until(dl)
	}
	switch {
	case c.deadline != nil:
		if err := c.deadline(time.Now().Add(wait)); err != nil {
			return 0, ErrNoStatus // not pollable: e.g. a one-way character device
		}
		defer c.deadline(time.Time{})
	case c.timeout != nil:
		if err := c.timeout(wait); err != nil {
			return 0, ErrNoStatus
		}
	default:
		return 0, ErrNoStatus
	}
	if _, err := c.Write(escpos.StatusRequest(n)); err != nil {
		return 0, fmt.Errorf("printer: %s: status request: %w", c.name, err)
	}
	var b [1]byte
	k, err := c.rw.Read(b[:])
	if k == 1 {
		return b[0], nil
	}
	if err == nil || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err) {
		return 0, fmt.Errorf("%w from %s within %s", ErrNoAnswer, c.name, wait)
	}
	return 0, fmt.Errorf("printer: %s: status reply: %w", c.name, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
