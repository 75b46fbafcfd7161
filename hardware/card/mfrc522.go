package card

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
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
	dev  *mfrc522.Dev
	port spi.PortCloser
	mu   sync.Mutex
}

// NewMFRC522 initialises the reader on port with its reset and IRQ pins.
func NewMFRC522(port spi.PortCloser, reset gpio.PinOut, irq gpio.PinIn) (*MFRC522, error) {
	d, err := mfrc522.NewSPI(port, reset, irq)
	if err != nil {
		return nil, fmt.Errorf("card: mfrc522: %w", err)
	}
	return &MFRC522{dev: d, port: port}, nil
}

// pollTimeout is how long one field poll waits; ReadUID loops over polls
// so it can notice ctx.
const pollTimeout = 500 * time.Millisecond

// ReadUID waits for a card.
func (m *MFRC522) ReadUID(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		uid, err := m.dev.ReadUID(pollTimeout)
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
	m.dev.Halt()
	return m.port.Close()
}

// AddUIDReader adds an RFID reader; each card it sees is delivered as a
// MifareUID tap with the UID in upper-case hex.
func (s *Service) AddUIDReader(name string, open func(ctx context.Context) (UIDReader, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources = append(s.sources, &source{name: name, kind: "mfrc522", openUID: open, h: Health{Name: name, Kind: "mfrc522"}})
}

func (s *Service) runUID(ctx context.Context, src *source) {
	backoff := s.opts.MinBackoff
	for ctx.Err() == nil {
		r, err := src.openUID(ctx)
		if err != nil {
			s.setHealth(src, func(h *Health) { h.Connected, h.Error = false, err.Error() })
			if s.opts.Wait(ctx, backoff) != nil {
				return
			}
			backoff = min(2*backoff, s.opts.MaxBackoff)
			continue
		}
		backoff = s.opts.MinBackoff
		s.setHealth(src, func(h *Health) { h.Connected, h.Error = true, "" })
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
		if s.opts.Wait(ctx, backoff) != nil {
			return
		}
	}
}
