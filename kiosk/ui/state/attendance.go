package state

import (
	"errors"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// SessionKind is the kind of session the logged-in member runs: a course
// session for a facilitator, an intergenerational session for a volunteer.
func (a *App) SessionKind() string {
	if m := a.staff.member; m != nil && m.Role == "volunteer" {
		return "intergenerational"
	}
	return "course"
}

// OpenSession opens a session of the course and shows attendance filling
// in as people tap their cards.
func (a *App) OpenSession(courseID string) {
	a.act()
	if a.staff.member == nil {
		return
	}
	ctx, cancel := a.ctx()
	s, err := a.d.Sessions.Open(ctx, a.staff.member.ID, courseID, a.SessionKind())
	cancel()
	if err != nil {
		a.fail(err)
	} else {
		a.staff.session = &s
		a.staff.present = nil
		a.notice = Notice{ID: i18n.ID("session.opened")}
	}
	a.changed()
}

// Session is the open session, nil when none.
func (a *App) Session() *Session { return a.staff.session }

// Present lists who has tapped in, in order.
func (a *App) Present() []Attendee { return a.staff.present }

func (a *App) attend(card string) {
	ctx, cancel := a.ctx()
	p, err := a.d.Sessions.Attend(ctx, a.staff.session.ID, card)
	cancel()
	switch {
	case errors.Is(err, ErrAlreadyIn):
		a.notice = Notice{ID: i18n.ID("session.already_in")}
	case err != nil:
		a.fail(err)
	default:
		a.staff.present = append(a.staff.present, p)
	}
}

// CloseSession ends the open session.
func (a *App) CloseSession() {
	a.act()
	if s := a.staff.session; s != nil {
		ctx, cancel := a.ctx()
		err := a.d.Sessions.Close(ctx, s.ID)
		cancel()
		if err != nil {
			a.fail(err)
			a.changed()
			return
		}
		a.notice = Notice{ID: i18n.ID("session.closed"), Args: []any{"Count", len(a.staff.present)}}
	}
	a.staff.session = nil
	a.staff.present = nil
	a.changed()
}
