// Package assistance records the help a facilitation point gives: one-to-one
// e-service sessions (the services the national monitoring counts),
// volunteer intergenerational sessions, queue tickets, device loans and group
// course sessions with attendance.
//
// Each is a small state machine over events: every change is one event
// appended in the same transaction as its view-table update, so the hub can
// rebuild every view from the log. The API is plain Go for the UI and the
// command line; it validates at entry with the same rules as the export.
package assistance

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the package's tables.
var Schema = store.MustSchemaFromFS("assistance", migrations, "migrations")

// Site is the facilitation point as registered nationally.
type Site struct {
	ID   string // IDSede
	Name string // NominativoSede
}

// Desk is the assistance API over one kiosk's store.
type Desk struct {
	st     *store.Store
	people *people.Registry
	roster *staff.Roster
	site   Site
	notice string
	loc    *time.Location
}

// Options configure a Desk.
type Options struct {
	Site Site
	// Notice is the version label of the privacy notice in force.
	Notice string
	// Location is the time zone of service dates (Europe/Rome by default).
	Location *time.Location
}

// New returns a desk.
func New(st *store.Store, reg *people.Registry, roster *staff.Roster, opts Options) (*Desk, error) {
	if opts.Notice == "" {
		return nil, errors.New("assistance: the privacy notice version is not set")
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("Europe/Rome")
		if err != nil {
			loc = time.UTC
		}
		opts.Location = loc
	}
	return &Desk{st: st, people: reg, roster: roster, site: opts.Site, notice: opts.Notice, loc: opts.Location}, nil
}

// InputError is a problem with what the facilitator entered, naming the
// field (a Facilita column such as "SE5", or a flag-like name).
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "assistance: " + e.Field + ": " + e.Reason }

func inputErr(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func (d *Desk) today() time.Time {
	n := d.st.Clock().Now().In(d.loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (d *Desk) dayOf(t time.Time) string { return t.In(d.loc).Format(time.DateOnly) }

func (d *Desk) activeStaff(ctx context.Context, id string, roles ...string) (staff.Member, error) {
	if d.roster == nil {
		return staff.Member{}, errors.New("assistance: no staff roster")
	}
	if strings.TrimSpace(id) == "" {
		return staff.Member{}, inputErr("staff", "give the national ID of the staff member")
	}
	return d.checkStaff(id, func() (staff.Member, error) { return d.roster.Get(ctx, id) }, roles...)
}

// activeStaffIn is activeStaff inside a write transaction.
func (d *Desk) activeStaffIn(tx *store.Tx, id string, roles ...string) (staff.Member, error) {
	if d.roster == nil {
		return staff.Member{}, errors.New("assistance: no staff roster")
	}
	if strings.TrimSpace(id) == "" {
		return staff.Member{}, inputErr("staff", "give the national ID of the staff member")
	}
	return d.checkStaff(id, func() (staff.Member, error) { return d.roster.GetIn(tx, id) }, roles...)
}

func (d *Desk) checkStaff(id string, get func() (staff.Member, error), roles ...string) (staff.Member, error) {
	m, err := get()
	if errors.Is(err, staff.ErrNotOnRoster) {
		return m, inputErr("staff", "%s is not on the staff roster", id)
	}
	if err != nil {
		return m, err
	}
	if !m.Active {
		return m, inputErr("staff", "%s is no longer active on the roster", id)
	}
	if len(roles) > 0 {
		for _, r := range roles {
			if m.Role == r {
				return m, nil
			}
		}
		return m, inputErr("staff", "%s is a %s; this needs a %v", m.Name, m.Role, roles)
	}
	return m, nil
}
