package state

import (
	"errors"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// MinPIN and MaxPIN bound a staff PIN's length, as kiosk/staff does.
const (
	MinPIN = 4
	MaxPIN = 8
)

// LoginCard is the staff card tapped on the login screen ("" before).
func (a *App) LoginCard() string { return a.staff.card }

// PINDigits is how many PIN digits have been entered (the digits are never
// shown).
func (a *App) PINDigits() int { return len(a.staff.pin) }

// PressPIN adds a digit (at most MaxPIN); "" deletes the last one. The PIN
// is checked only when ConfirmPIN is pressed, never on its own.
func (a *App) PressPIN(d string) {
	a.act()
	switch {
	case d == "":
		if n := len(a.staff.pin); n > 0 {
			a.staff.pin = a.staff.pin[:n-1]
		}
	case len(a.staff.pin) < MaxPIN && len(d) == 1 && d[0] >= '0' && d[0] <= '9':
		a.staff.pin += d
	}
	a.changed()
}

// ConfirmPIN checks the PIN typed so far; a PIN shorter than MinPIN is
// not sent (and costs no attempt).
func (a *App) ConfirmPIN() {
	a.act()
	if len(a.staff.pin) < MinPIN && a.staff.card != "" {
		a.notice = Notice{ID: i18n.ID("login.pin_short"), Args: []any{"Min", MinPIN, "Max", MaxPIN}, Error: true}
		a.changed()
		return
	}
	a.login()
	a.changed()
}

func (a *App) login() {
	pin := a.staff.pin
	a.staff.pin = ""
	if a.staff.card == "" {
		a.notice = Notice{ID: i18n.ID("login.tap_first"), Error: true}
		return
	}
	ctx, cancel := a.ctx()
	m, err := a.d.Staff.Login(ctx, a.staff.card, pin)
	cancel()
	var le *LoginError
	switch {
	case errors.As(err, &le):
		a.notice = Notice{ID: i18n.ID("error.wrong_pin"), Args: []any{"Count", le.Left}, Error: true}
	case err != nil:
		a.fail(err)
		if errors.Is(err, ErrLocked) || errors.Is(err, ErrUnknownCard) {
			a.staff.card = ""
		}
	default:
		a.staff.member = &m
		a.back = nil
		a.screen = StaffHome
	}
}

// Member is the logged-in staff member, nil when none.
func (a *App) Member() *Member { return a.staff.member }

// Logout ends the staff session and clears everything, as an idle reset
// does.
func (a *App) Logout() { a.Reset() }

// Waiting lists the waiting tickets.
func (a *App) Waiting() []Ticket {
	ctx, cancel := a.ctx()
	defer cancel()
	ts, err := a.d.Queue.Waiting(ctx)
	if err != nil {
		a.fail(err)
	}
	return ts
}

// CallNext calls the next ticket and starts a service record for it,
// prefilled from the guide the ticket asked about.
func (a *App) CallNext() {
	a.act()
	if a.staff.member == nil {
		return
	}
	ctx, cancel := a.ctx()
	t, err := a.d.Queue.CallNext(ctx, a.staff.member.ID)
	cancel()
	if err != nil {
		a.fail(err)
		a.changed()
		return
	}
	a.staff.current = &t
	a.staff.draft = ServiceRecord{StaffID: a.staff.member.ID, TicketID: t.ID, Type: "A", Minutes: 15}
	if t.Topic != "" {
		ctx, cancel := a.ctx()
		if g, err := a.d.Catalog.Guide(ctx, a.prefs.Lang, t.Topic); err == nil {
			a.staff.draft.Domain = g.Domain
		}
		cancel()
	}
	a.notice = Notice{ID: i18n.ID("queue.called"), Args: []any{"Number", t.Number}}
	a.changed()
}

// Current is the ticket being served, nil when none.
func (a *App) Current() *Ticket { return a.staff.current }

// Draft is the service record being filled in.
func (a *App) Draft() ServiceRecord { return a.staff.draft }

// StartRecord opens the record screen; without a called ticket it starts
// an empty record.
func (a *App) StartRecord() {
	a.act()
	if a.staff.member == nil {
		a.goTo(StaffLogin)
		a.changed()
		return
	}
	if a.staff.draft.StaffID == "" {
		a.staff.draft = ServiceRecord{StaffID: a.staff.member.ID, Type: "A", Minutes: 15}
	}
	a.goTo(Record)
	a.changed()
}

// ServiceTypes are the Facilita SE3 codes offered on the record screen:
// individual, group facilitation and in-person training.
func ServiceTypes() []string { return []string{"A", "B", "C"} }

// Domains are the SE6 codes offered, the most common first.
func Domains() []string { return []string{"A", "B", "C", "D", "L", "M", "F", "S"} }

// SetType sets the SE3 service type.
func (a *App) SetType(code string) { a.act(); a.staff.draft.Type = code; a.changed() }

// SetDomain sets the SE6 domain.
func (a *App) SetDomain(code string) { a.act(); a.staff.draft.Domain = code; a.changed() }

// AddMinutes changes the duration by delta minutes, between 5 and 240.
func (a *App) AddMinutes(delta int) {
	a.act()
	m := min(max(a.staff.draft.Minutes+delta, 5), 240)
	a.staff.draft.Minutes = m
	a.changed()
}

// SaveRecord stores the service. On success the draft and the current
// ticket are cleared and staff home shows; on error nothing is lost. When
// the register does not know the citizen, the first-visit questions start
// and the last one saves.
func (a *App) SaveRecord() {
	a.act()
	a.save()
	a.changed()
}

func (a *App) save() {
	d := a.staff.draft
	switch {
	case d.CF == "":
		a.notice = Notice{ID: i18n.ID("record.need_card"), Error: true}
	case d.Domain == "":
		a.notice = Notice{ID: i18n.ID("record.need_domain"), Error: true}
	default:
		if a.staff.first != nil {
			fv := a.staff.first.data
			d.First = &fv
		}
		ctx, cancel := a.ctx()
		err := a.d.Services.Record(ctx, d)
		cancel()
		if errors.Is(err, ErrFirstVisit) && a.staff.first == nil {
			a.staff.first = &firstVisit{}
			a.notice = Notice{ID: i18n.ID("first.intro")}
			return
		}
		if err != nil {
			a.fail(err)
			return
		}
		a.staff.draft = ServiceRecord{}
		a.staff.first = nil
		a.staff.current = nil
		a.back = nil
		a.screen = StaffHome
		a.notice = Notice{ID: i18n.ID("record.saved")}
	}
}

// Sync returns the status screen's state.
func (a *App) Sync() (SyncState, bool) {
	ctx, cancel := a.ctx()
	defer cancel()
	s, err := a.d.Sync.Status(ctx)
	if err != nil {
		a.fail(err)
		return s, false
	}
	return s, true
}
