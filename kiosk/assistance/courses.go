package assistance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/store"
)

// Course and volunteer-session event kinds.
const (
	KindCourseOpened   = "course.opened"
	KindCourseAttended = "course.attended"
	KindCourseClosed   = "course.closed"
	KindSession        = "session.recorded"
)

// CourseEvent is the payload of course events.
type CourseEvent struct {
	Course  uint64 `json:"course,omitempty"` // seq of course.opened
	Title   string `json:"title,omitempty"`
	Staff   string `json:"staff,omitempty"`
	Citizen string `json:"citizen,omitempty"`
}

// Course is an open or closed group session.
type Course struct {
	ID        uint64
	Title     string
	Staff     string
	Opened    time.Time
	Closed    time.Time
	Attendees int
}

// Course errors.
var (
	ErrNoCourse     = errors.New("assistance: no such course session")
	ErrCourseClosed = errors.New("assistance: the course session is closed")
)

// OpenCourse starts a group course session run by staffID.
func (d *Desk) OpenCourse(ctx context.Context, title, staffID string) (Course, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return Course{}, inputErr("title", "give the course title")
	}
	if _, err := d.activeStaff(ctx, staffID); err != nil {
		return Course{}, err
	}
	var c Course
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.AppendJSON(KindCourseOpened, 1, CourseEvent{Title: title, Staff: staffID})
		if err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(`INSERT INTO courses(seq, title, staff, opened_ms) VALUES(?, ?, ?, ?)`, int64(ev.Seq), title, staffID, now.UnixMilli()); err != nil {
			return err
		}
		c = Course{ID: ev.Seq, Title: title, Staff: staffID, Opened: now}
		return nil
	})
	return c, err
}

// Attend marks the citizen whose card was tapped as present. A second tap
// is harmless and returns false.
func (d *Desk) Attend(ctx context.Context, course uint64, p people.Person) (bool, error) {
	citizen, err := d.people.PseudonymOnly(p)
	if err != nil {
		return false, err
	}
	var added bool
	err = d.st.Write(ctx, func(tx *store.Tx) error {
		var closed int64
		err := tx.QueryRow(`SELECT closed_ms FROM courses WHERE seq = ?`, int64(course)).Scan(&closed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w %d", ErrNoCourse, course)
		}
		if err != nil {
			return err
		}
		if closed != 0 {
			return ErrCourseClosed
		}
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM attendance WHERE course = ? AND citizen = ?`, int64(course), citizen).Scan(&one); err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.AppendJSON(KindCourseAttended, 1, CourseEvent{Course: course, Citizen: citizen}); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO attendance(course, citizen, at_ms) VALUES(?, ?, ?)`, int64(course), citizen, tx.Now().UnixMilli()); err != nil {
			return err
		}
		added = true
		return nil
	})
	return added, err
}

// CloseCourse ends a course session and returns it with its attendance.
func (d *Desk) CloseCourse(ctx context.Context, course uint64) (Course, error) {
	var c Course
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		var opened, closed int64
		err := tx.QueryRow(`SELECT title, staff, opened_ms, closed_ms, (SELECT COUNT(*) FROM attendance WHERE course = seq)
			FROM courses WHERE seq = ?`, int64(course)).Scan(&c.Title, &c.Staff, &opened, &closed, &c.Attendees)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w %d", ErrNoCourse, course)
		}
		if err != nil {
			return err
		}
		if closed != 0 {
			return ErrCourseClosed
		}
		if _, err := tx.AppendJSON(KindCourseClosed, 1, CourseEvent{Course: course}); err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(`UPDATE courses SET closed_ms = ? WHERE seq = ?`, now.UnixMilli(), int64(course)); err != nil {
			return err
		}
		c.ID, c.Opened, c.Closed = course, time.UnixMilli(opened), now
		return nil
	})
	return c, err
}

// SessionEvent is a volunteer's intergenerational session.
type SessionEvent struct {
	Volunteer    string   `json:"volunteer"`
	Participants []string `json:"participants"` // citizen pseudonyms
	Topics       []string `json:"topics"`
	Date         string   `json:"date"`
	Minutes      int      `json:"minutes"`
}

// SessionInput is what a volunteer records after a session.
type SessionInput struct {
	Volunteer    string
	Participants []people.Person // cards scanned or documents typed
	Topics       []string        // free words, e.g. "videochiamate", "SPID"
	Date         time.Time       // zero means today
	Duration     time.Duration
}

// RecordSession records a volunteer session: who took part (as
// pseudonyms), the topics and the time spent.
func (d *Desk) RecordSession(ctx context.Context, in SessionInput) (SessionEvent, error) {
	if _, err := d.activeStaff(ctx, in.Volunteer); err != nil {
		return SessionEvent{}, err
	}
	if len(in.Participants) == 0 {
		return SessionEvent{}, inputErr("participants", "who took part? scan at least one card")
	}
	var topics []string
	for _, t := range in.Topics {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	if len(topics) == 0 {
		return SessionEvent{}, inputErr("topics", "which topics were covered?")
	}
	if in.Duration < time.Minute || in.Duration > 12*time.Hour {
		return SessionEvent{}, inputErr("duration", "a session lasts from a minute to 12 hours")
	}
	date := in.Date
	if date.IsZero() {
		date = d.today()
	}
	if date.After(d.today()) {
		return SessionEvent{}, inputErr("date", "%s is in the future", date.Format(time.DateOnly))
	}
	ev := SessionEvent{Volunteer: in.Volunteer, Topics: topics, Date: date.Format(time.DateOnly), Minutes: int(in.Duration.Round(time.Minute) / time.Minute)}
	seen := map[string]bool{}
	for i, p := range in.Participants {
		id, err := d.people.PseudonymOnly(p)
		if err != nil {
			return SessionEvent{}, fmt.Errorf("participant %d: %w", i+1, err)
		}
		if !seen[id] {
			ev.Participants = append(ev.Participants, id)
			seen[id] = true
		}
	}
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		e, err := tx.AppendJSON(KindSession, 1, ev)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO volunteer_sessions(seq, volunteer, day, minutes, topics, participants) VALUES(?, ?, ?, ?, ?, ?)`,
			int64(e.Seq), ev.Volunteer, ev.Date, ev.Minutes, strings.Join(ev.Topics, ", "), len(ev.Participants))
		return err
	})
	return ev, err
}
