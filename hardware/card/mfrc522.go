package card

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/devices/v3/mfrc522"
)

// UIDReader is an RFID reader that reports the UID of the card in its
// field. ReadUID blocks until a card is present (returning its UID), the
// reader fails, or ctx is done.
type UIDReader interface {
	ReadUID(ctx context.Context) ([]byte, error)
	Close() error
}

// MFRC522 is an NXP MFRC522 reader on SPI through periph's mfrc522
// driver (datasheet MFRC522 rev. 3.9), reading MIFARE card UIDs.
type MFRC522 struct {
	// Poll is how long one field poll waits for a card before ReadUID
	// checks its context and polls again (default 500 ms).
	Poll time.Duration

	dev     *mfrc522.Dev
	port    spi.PortCloser
	version byte
	mu      sync.Mutex
}

// versionReg is the MFRC522's VersionReg (datasheet §9.3.4.8): 0x91 for
// chip version 1.0, 0x92 for 2.0; common clones answer 0x88 or 0xB2.
const versionReg = 0x37

// NewMFRC522 checks that a chip answers on port (its version register),
// then lets the driver reset it, set its timer and turn the antenna on.
func NewMFRC522(port spi.PortCloser, reset gpio.PinOut, irq gpio.PinIn) (*MFRC522, error) {
	// The driver's own speed and mode, so it can share this connection.
	c, err := port.Connect(10*physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		return nil, fmt.Errorf("card: mfrc522: connect: %w", err)
	}
	r := make([]byte, 2)
	if err := c.Tx([]byte{0x80 | versionReg<<1, 0}, r); err != nil {
		return nil, fmt.Errorf("card: mfrc522: read version register: %w", err)
	}
	if r[1] == 0x00 || r[1] == 0xFF {
		// A floating or grounded MISO line: nothing is on the bus.
		return nil, fmt.Errorf("card: mfrc522: no reader answers on SPI (version register reads 0x%02X); check the wiring", r[1])
	}
	d, err := mfrc522.NewSPI(connected{port, c}, reset, irq)
	if err != nil {
		return nil, fmt.Errorf("card: mfrc522: %w", err)
	}
	return &MFRC522{Poll: pollTimeout, dev: d, port: port, version: r[1]}, nil
}

// connected is a port whose connection is already open, handed to the
// driver so the version check and the driver share one connection.
type connected struct {
	spi.PortCloser
	c spi.Conn
}

func (p connected) Connect(physic.Frequency, spi.Mode, int) (spi.Conn, error) { return p.c, nil }

// Version is what the chip's version register read (0x91, 0x92, …).
func (m *MFRC522) Version() byte { return m.version }

// pollTimeout is how long one field poll waits by default.
const pollTimeout = 500 * time.Millisecond

// ReadUID waits for a card.
func (m *MFRC522) ReadUID(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		uid, err := m.dev.ReadUID(m.Poll)
		if err == nil {
			return uid, nil
		}
		// The driver reports "no card in the field" only as an IRQ timeout.
		if !strings.Contains(err.Error(), "timeout waiting for IRQ") {
			return nil, fmt.Errorf("card: mfrc522: %w", err)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// Close powers the chip down and closes the port.
func (m *MFRC522) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var halt error
	if err := m.dev.Halt(); err != nil {
		halt = fmt.Errorf("card: mfrc522: power down: %w", err)
	}
	return errors.Join(halt, m.port.Close())
}

// AddUIDReader adds an RFID reader; each card it sees is delivered as a
// MifareUID tap with the UID in upper-case hex.
func (s *Service) AddUIDReader(name string, open func(ctx context.Context) (UIDReader, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, &source{name: name, kind: "mfrc522", openUID: open, h: Health{Name: name, Kind: "mfrc522"}})
}

func (s *Service) runUID(ctx context.Context, src *source) {
	for ctx.Err() == nil {
		r, ok := connect(ctx, s, src, src.openUID)
		if !ok {
			return
		}
		for {
			uid, err := r.ReadUID(ctx)
			if err != nil {
				r.Close()
				if ctx.Err() != nil {
					return
				}
				s.setHealth(src, func(h *Health) { h.Connected, h.Error = false, "reader disconnected: "+err.Error() })
				break
			}
			s.deliverKind(src.name, MifareUID, strings.ToUpper(hex.EncodeToString(uid)))
		}
		if s.opts.Wait(ctx, s.opts.MinBackoff) != nil {
			return
		}
	}
}
