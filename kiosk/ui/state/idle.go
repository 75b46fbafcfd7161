package state

import "time"

// Phase is where an idle countdown stands.
type Phase int

const (
	// Active: someone touched the screen recently.
	Active Phase = iota
	// Warning: the countdown is showing; a touch on "I need more time"
	// goes back to Active.
	Warning
	// Expired: the session must be cleared.
	Expired
)

// Idle decides when an unattended session is warned about and reset. It
// holds no timer: the caller asks it with the current time, so a fake clock
// drives it in tests.
type Idle struct {
	Timeout time.Duration // without a touch before the warning
	Warn    time.Duration // how long the warning shows before the reset
	last    time.Time
}

// Touch records activity at now.
func (i *Idle) Touch(now time.Time) { i.last = now }

// At returns the phase at now and, in Warning, the time left before reset.
func (i *Idle) At(now time.Time) (Phase, time.Duration) {
	quiet := now.Sub(i.last)
	switch {
	case quiet < i.Timeout:
		return Active, 0
	case quiet < i.Timeout+i.Warn:
		return Warning, i.Timeout + i.Warn - quiet
	default:
		return Expired, 0
	}
}
