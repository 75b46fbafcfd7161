package main

import (
	"github.com/officina-digitale/officina/hardware/card"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// wedgeTaps turns the reads of keyboard-mode readers (state.Wedge, on the
// UI goroutine) into card taps for cardLoop, so a staff card typed by such
// a reader is looked up on the roster like one tapped on an NFC reader,
// off the UI goroutine. A read that finds the queue full is dropped, as a
// slow subscriber loses reader taps.
type wedgeTaps struct{ taps chan card.Tap }

func newWedgeTaps(buffer int) wedgeTaps { return wedgeTaps{taps: make(chan card.Tap, max(buffer, 1))} }

// Read queues a wedge read; it never blocks.
func (w wedgeTaps) Read(c state.Card) {
	t := card.Tap{Reader: "keyboard", Kind: card.Barcode, Text: c.ID}
	if c.Kind == state.CardHealth {
		t.Kind = card.HealthCard
	}
	select {
	case w.taps <- t:
	default:
	}
}
