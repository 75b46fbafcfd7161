package main

// UI adapters over the records area: the help queue (with its printed
// ticket), staff login, service records and course or volunteer sessions.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/officina-digitale/officina/hardware/printer"
	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// uiQueue issues tickets through the assistance desk and prints each one.
// The desk keeps the guide a citizen asked about with the ticket, so a
// ticket called after a restart still prefills the service record.
type uiQueue struct {
	desk    *assistance.Desk
	printer *printer.Printer
	content *contentArea
	place   string
	log     *slog.Logger
}

var _ state.Queue = (*uiQueue)(nil)

func newUIQueue(desk *assistance.Desk, p *printer.Printer, content *contentArea, place string, log *slog.Logger) *uiQueue {
	return &uiQueue{desk: desk, printer: p, content: content, place: place, log: log}
}

func ticketID(t assistance.Ticket) string { return t.Day + "/" + strconv.Itoa(t.Number) }

func (q *uiQueue) view(t assistance.Ticket) state.Ticket {
	return state.Ticket{ID: ticketID(t), Number: strconv.Itoa(t.Number), Topic: t.Topic, Ahead: t.Ahead, IssuedAt: t.Taken}
}

// Take issues the next number and queues its printout. The ticket is
// taken even if the printer cannot queue the job: the number is on the
// screen, and the failure is logged for staff.
func (q *uiQueue) Take(ctx context.Context, topic string) (state.Ticket, error) {
	t, err := q.desk.TakeTicketAbout(ctx, topic)
	if err != nil {
		return state.Ticket{}, err
	}
	if q.printer != nil {
		if _, err := q.printer.Print(ctx, q.printout(t, topic)); err != nil {
			q.log.Warn("ticket not printed", "ticket", t.Number, "err", err)
		}
	}
	return q.view(t), nil
}

// printout is the paper ticket: the number, the people ahead and the
// estimated wait (on the service line, which the layout prints as is).
func (q *uiQueue) printout(t assistance.Ticket, topic string) printer.Ticket {
	service := "Assistenza digitale"
	if cat := q.content.Catalog(); cat != nil && topic != "" {
		if it, ok := cat.Item(topic); ok {
			service = it.Title.String()
		}
	}
	if m := int(t.Wait.Round(time.Minute) / time.Minute); m > 0 {
		service += fmt.Sprintf(" · attesa circa %d min", m)
	}
	return printer.Ticket{Place: q.place, Number: strconv.Itoa(t.Number), Service: service, Waiting: t.Ahead, Issued: t.Taken}
}

func (q *uiQueue) Waiting(ctx context.Context) ([]state.Ticket, error) {
	ts, err := q.desk.Queue(ctx)
	if err != nil {
		return nil, err
	}
	var out []state.Ticket
	for _, t := range ts {
		if t.State == assistance.Waiting {
			out = append(out, q.view(t))
		}
	}
	return out, nil
}

func (q *uiQueue) CallNext(ctx context.Context, staffID string) (state.Ticket, error) {
	t, err := q.desk.CallNext(ctx, staffID)
	if errors.Is(err, assistance.ErrQueueEmpty) {
		return state.Ticket{}, fmt.Errorf("%w: %w", state.ErrQueueEmpty, err)
	}
	if err != nil {
		return state.Ticket{}, err
	}
	return q.view(t), nil
}

// topic is the guide a ticket of today's queue asked about ("" if none
// or unknown).
func (q *uiQueue) topic(ctx context.Context, ticketID string) string {
	ts, err := q.desk.Queue(ctx)
	if err != nil {
		return ""
	}
	for _, t := range ts {
		if q.view(t).ID == ticketID {
			return t.Topic
		}
	}
	return ""
}

// uiStaff logs staff in through the roster, whose lockout (five wrong
// PINs lock the card for five minutes) is the real one.
type uiStaff struct{ roster *staff.Roster }

var _ state.Staff = uiStaff{}

func (s uiStaff) Login(ctx context.Context, card, pin string) (state.Member, error) {
	m, err := s.roster.Login(ctx, card, pin)
	var le *staff.LoginError
	switch {
	case errors.Is(err, staff.ErrUnknownCard), errors.Is(err, staff.ErrNotOnRoster):
		return state.Member{}, fmt.Errorf("%w: %w", state.ErrUnknownCard, err)
	case errors.Is(err, staff.ErrLocked):
		return state.Member{}, fmt.Errorf("%w: %w", state.ErrLocked, err)
	case errors.As(err, &le) && errors.Is(err, staff.ErrWrongPIN):
		return state.Member{}, &state.LoginError{Left: le.AttemptsLeft}
	case err != nil:
		return state.Member{}, err
	}
	role := "facilitator"
	if m.Role == staff.Volunteer {
		role = "volunteer"
	}
	return state.Member{ID: m.ID, Name: m.Name, Role: role}, nil
}

// uiServices records a service through the desk, with the SE5 competences
// and the guide of the ticket being served. The desk checks every national
// rule: a citizen the register does not know needs names, a profile and a
// privacy acknowledgement; without the touch form's first-visit answers
// such a record is refused as state.ErrFirstVisit and nothing is stored.
// A returning citizen gives only the card: the register remembers the rest.
type uiServices struct {
	desk    *assistance.Desk
	content *contentArea
	queue   *uiQueue
}

var _ state.Services = uiServices{}

func (s uiServices) Record(ctx context.Context, r state.ServiceRecord) error {
	in := assistance.ServiceInput{
		Person:   people.Person{CF: r.CF},
		Staff:    r.StaffID,
		Duration: time.Duration(r.Minutes) * time.Minute,
		Details:  strings.TrimSpace(r.Notes),
	}
	if f := r.First; f != nil {
		in.Person.FirstName, in.Person.Surname = f.FirstName, f.Surname
		in.Profile = people.Profile{Education: f.Profile.Education, Employment: f.Profile.Employment,
			Citizenship: f.Profile.Citizenship, Province: f.Profile.Province}
		in.ConsentMethod = f.Consent
	}
	if r.Type != "" {
		in.ServiceTypes = []string{r.Type}
	}
	if r.Domain != "" {
		in.Domains = []string{r.Domain}
	}
	if guide := s.queue.topic(ctx, r.TicketID); guide != "" {
		if cat := s.content.Catalog(); cat != nil {
			if _, se5, se6, ok := cat.Monitoring(guide); ok {
				in.Guide, in.Competences = guide, se5
				if len(in.Domains) == 0 {
					in.Domains = se6
				}
			}
		}
	}
	_, err := s.desk.RecordService(ctx, in)
	var cfErr *codicefiscale.Error
	if errors.As(err, &cfErr) {
		return fmt.Errorf("%w: %w", state.ErrInvalidCF, err)
	}
	if r.First == nil && needsFirstVisit(err) {
		return fmt.Errorf("%w: %w", state.ErrFirstVisit, err)
	}
	return err
}

// needsFirstVisit reports whether the desk refused a record for what a
// first visit asks: names (AN1, AN2), profile (AN9–AN12) or the privacy
// notice.
func needsFirstVisit(err error) bool {
	var fe *people.FieldError
	if errors.As(err, &fe) {
		switch fe.Field {
		case "AN1", "AN2", "AN9", "AN10", "AN11", "AN12":
			return true
		}
	}
	var ie *assistance.InputError
	return errors.As(err, &ie) && ie.Field == "consent"
}

// uiSessions runs course sessions through the desk (a facilitator's class:
// attendance is recorded as each card is tapped, and closing records a
// training service for each attendee the register knows) and volunteer
// intergenerational sessions (recorded once, at closing, with everyone who
// tapped in and the time it lasted).
type uiSessions struct {
	desk    *assistance.Desk
	content *contentArea
	clock   clock.Clock

	mu       sync.Mutex
	next     int
	sessions map[string]*volunteerSession
}

type volunteerSession struct {
	staff, topic string
	opened       time.Time
	people       []people.Person
	seen         map[string]bool
}

var _ state.Sessions = (*uiSessions)(nil)

func newUISessions(desk *assistance.Desk, content *contentArea, clk clock.Clock) *uiSessions {
	return &uiSessions{desk: desk, content: content, clock: clk, sessions: map[string]*volunteerSession{}}
}

const volunteerPrefix = "volunteer-"

func (s *uiSessions) Open(ctx context.Context, staffID, courseID, kind string) (state.Session, error) {
	in := assistance.CourseInput{Title: courseID, Staff: staffID}
	if cat := s.content.Catalog(); cat != nil {
		if it, ok := cat.Item(courseID); ok {
			in.Title = it.Title.String()
		}
		if _, se5, se6, ok := cat.Monitoring(courseID); ok {
			in.Competences, in.Domains = se5, se6
		}
	}
	if kind == "intergenerational" {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.next++
		id := volunteerPrefix + strconv.Itoa(s.next)
		s.sessions[id] = &volunteerSession{staff: staffID, topic: in.Title, opened: s.clock.Now(), seen: map[string]bool{}}
		return state.Session{ID: id, CourseID: courseID, Kind: kind}, nil
	}
	c, err := s.desk.OpenCourse(ctx, in)
	if err != nil {
		return state.Session{}, err
	}
	return state.Session{ID: strconv.FormatUint(c.ID, 10), CourseID: courseID, Kind: "course"}, nil
}

// cardPerson is the citizen behind a library card: the card number as an
// "other" identity document (facilita AN5 E), so the register keeps only
// its keyed hash.
func cardPerson(card string) people.Person {
	return people.Person{DocType: "E", DocNumber: card}
}

// cardLabel is what the staff screen shows of a card: its last four
// characters.
func cardLabel(card string) string {
	card = strings.TrimSpace(card)
	if len(card) <= 4 {
		return card
	}
	return "…" + card[len(card)-4:]
}

func (s *uiSessions) Attend(ctx context.Context, sessionID, card string) (state.Attendee, error) {
	p := cardPerson(card)
	at := s.clock.Now()
	if strings.HasPrefix(sessionID, volunteerPrefix) {
		s.mu.Lock()
		defer s.mu.Unlock()
		v, ok := s.sessions[sessionID]
		if !ok {
			return state.Attendee{}, fmt.Errorf("session %s: %w", sessionID, state.ErrNotFound)
		}
		key := strings.ToUpper(strings.TrimSpace(card))
		if v.seen[key] {
			return state.Attendee{}, state.ErrAlreadyIn
		}
		v.seen[key] = true
		v.people = append(v.people, p)
		return state.Attendee{Label: cardLabel(card), At: at}, nil
	}
	id, err := strconv.ParseUint(sessionID, 10, 64)
	if err != nil {
		return state.Attendee{}, fmt.Errorf("session %q: %w", sessionID, state.ErrNotFound)
	}
	added, err := s.desk.Attend(ctx, id, p)
	if err != nil {
		return state.Attendee{}, err
	}
	if !added {
		return state.Attendee{}, state.ErrAlreadyIn
	}
	return state.Attendee{Label: cardLabel(card), At: at}, nil
}

func (s *uiSessions) Close(ctx context.Context, sessionID string) error {
	if strings.HasPrefix(sessionID, volunteerPrefix) {
		s.mu.Lock()
		v, ok := s.sessions[sessionID]
		s.mu.Unlock()
		if !ok {
			return fmt.Errorf("session %s: %w", sessionID, state.ErrNotFound)
		}
		if len(v.people) > 0 {
			d := max(s.clock.Now().Sub(v.opened), time.Minute)
			if _, err := s.desk.RecordSession(ctx, assistance.SessionInput{
				Volunteer: v.staff, Participants: v.people, Topics: []string{v.topic}, Duration: d,
			}); err != nil {
				return err // the session stays open: closing again retries
			}
		}
		s.mu.Lock()
		delete(s.sessions, sessionID)
		s.mu.Unlock()
		return nil
	}
	id, err := strconv.ParseUint(sessionID, 10, 64)
	if err != nil {
		return fmt.Errorf("session %q: %w", sessionID, state.ErrNotFound)
	}
	_, err = s.desk.CloseCourse(ctx, id)
	return err
}

// uiLoans lists the desk's devices out on loan. The borrower is shown by
// the last characters of their pseudonym: the desk keeps no name.
type uiLoans struct{ desk *assistance.Desk }

var _ state.Loans = uiLoans{}

func (l uiLoans) Open(ctx context.Context) ([]state.Loan, error) {
	ls, err := l.desk.Loans(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]state.Loan, 0, len(ls))
	for _, x := range ls {
		out = append(out, state.Loan{Device: x.Device, Borrower: cardLabel(x.Citizen), Due: x.Due})
	}
	return out, nil
}
