package assistance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/facilita"
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
	Course      uint64   `json:"course,omitempty"` // seq of course.opened
	Title       string   `json:"title,omitempty"`
	Staff       string   `json:"staff,omitempty"`
	Competences []int    `json:"competences,omitempty"`
	Domains     []string `json:"domains,omitempty"`
	Citizen     string   `json:"citizen,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	AgeBand     string   `json:"age_band,omitempty"`
}

// CourseInput opens a course session. With Competences and Domains (from
// the course's content), closing the session records an in-person training
// service (SE3 C) for every attendee the register knows.
type CourseInput struct {
	Title       string
	Staff       string
	Competences []int    // SE5
	Domains     []string // SE6
}

// Course is an open or closed group session.
type Course struct {
	ID        uint64
	Title     string
	Staff     string
	Opened    time.Time
	Closed    time.Time
	Attendees int
	// Services is how many attendees got a service record at closing;
	// Unrecorded says, for the others, why not and what to do.
	Services   int
	Unrecorded []string
}

// Course errors.
var (
	ErrNoCourse     = errors.New("assistance: no such course session")
	ErrCourseClosed = errors.New("assistance: the course session is closed")
)

// OpenCourse starts a group course session.
func (d *Desk) OpenCourse(ctx context.Context, in CourseInput) (Course, error) {
	title := strings.TrimSpace(in.Title)
	staffID := in.Staff
	if title == "" {
		return Course{}, inputErr("title", "give the course title")
	}
	if _, err := d.activeStaff(ctx, staffID); err != nil {
		return Course{}, err
	}
	if len(in.Competences) > 0 || len(in.Domains) > 0 {
		probe := facilita.Row{ServiceTypes: []string{"C"}, Competences: in.Competences, Domains: in.Domains}
		for _, p := range probe.Check(nil) {
			if p.Column == "SE5" || p.Column == "SE6" {
				return Course{}, inputErr(p.Column, "%s: %s", p.Reason, p.Fix)
			}
		}
	}
	var c Course
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		ev, err := tx.AppendJSON(KindCourseOpened, 1, CourseEvent{Title: title, Staff: staffID, Competences: in.Competences, Domains: in.Domains})
		if err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(`INSERT INTO courses(seq, title, staff, competences, domains, opened_ms) VALUES(?, ?, ?, ?, ?, ?)`,
			int64(ev.Seq), title, staffID, facilita.JoinInts(in.Competences), facilita.Join(in.Domains), now.UnixMilli()); err != nil {
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
	var gender, band string
	if id, err := d.people.Identify(people.Person{CF: p.CF}, d.today()); err == nil {
		gender, band = id.Gender, id.AgeBand // only with a CF; no names needed
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
		if _, err := tx.AppendJSON(KindCourseAttended, 1, CourseEvent{Course: course, Citizen: citizen, Gender: gender, AgeBand: band}); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO attendance(course, citizen, gender, age_band, at_ms) VALUES(?, ?, ?, ?, ?)`,
			int64(course), citizen, gender, band, tx.Now().UnixMilli()); err != nil {
			return err
		}
		added = true
		return nil
	})
	return added, err
}

// CloseCourse ends a course session. If the course has SE5 and SE6 codes,
// every attendee whose identity, profile and privacy acknowledgement are on
// file gets an in-person training service (SE3 C) lasting the session; the
// others are listed in Unrecorded with the reason.
func (d *Desk) CloseCourse(ctx context.Context, course uint64) (Course, error) {
	var c Course
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		var opened, closed int64
		var comps, domains string
		err := tx.QueryRow(`SELECT title, staff, competences, domains, opened_ms, closed_ms FROM courses WHERE seq = ?`, int64(course)).
			Scan(&c.Title, &c.Staff, &comps, &domains, &opened, &closed)
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
		if err := tx.QueryRow(`SELECT COUNT(*) FROM attendance WHERE course = ?`, int64(course)).Scan(&c.Attendees); err != nil {
			return err
		}
		if comps == "" || domains == "" {
			return nil
		}
		return d.courseServices(ctx, tx, &c, comps, domains)
	})
	return c, err
}

type attendee struct {
	citizen, gender, band, sealed string
	profile                       people.Profile
	prior                         string // SE3 codes of earlier services, joined
}

func (d *Desk) courseServices(ctx context.Context, tx *store.Tx, c *Course, comps, domains string) error {
	fac, err := d.activeStaff(ctx, c.Staff)
	if err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT a.citizen, a.gender, a.age_band, COALESCE(p.sealed, ''), COALESCE(p.education, ''),
			COALESCE(p.employment, ''), COALESCE(p.citizenship, ''), COALESCE(p.province, ''),
			COALESCE((SELECT group_concat(types, ':') FROM services s WHERE s.citizen = a.citizen), '')
		FROM attendance a LEFT JOIN citizens p ON p.id = a.citizen WHERE a.course = ? ORDER BY a.at_ms`, int64(c.ID))
	if err != nil {
		return err
	}
	var as []attendee
	for rows.Next() {
		var a attendee
		if err := rows.Scan(&a.citizen, &a.gender, &a.band, &a.sealed, &a.profile.Education, &a.profile.Employment,
			&a.profile.Citizenship, &a.profile.Province, &a.prior); err != nil {
			rows.Close()
			return err
		}
		as = append(as, a)
	}
	rows.Close()
	var competences []int
	for _, s := range facilita.Split(comps) {
		n, _ := strconv.Atoi(s)
		competences = append(competences, n)
	}
	minutes := int(c.Closed.Sub(c.Opened).Round(time.Minute) / time.Minute)
	date := c.Opened.In(d.loc)
	for i, a := range as {
		why := ""
		consented, err := d.people.HasAcknowledged(tx, a.citizen, d.notice)
		switch {
		case err != nil:
			return err
		case a.sealed == "":
			why = "not registered at the desk (or data erased): record one service for them with their details"
		case a.band == "":
			why = "tapped without a codice fiscale, so the age band is unknown"
		case a.profile.Complete() != nil:
			why = a.profile.Complete().Error()
		case !consented:
			why = "has not acknowledged privacy notice " + d.notice
		case minutes < 1:
			why = "the session lasted less than a minute"
		}
		if why != "" {
			c.Unrecorded = append(c.Unrecorded, fmt.Sprintf("attendee %d: %s", i+1, why))
			continue
		}
		var prior []string
		for _, t := range facilita.Split(a.prior) {
			if !slices.Contains(prior, t) {
				prior = append(prior, t)
			}
		}
		slices.Sort(prior)
		ev := ServiceEvent{
			Citizen: a.citizen, Sealed: a.sealed,
			FacilitatorID: fac.ID, FacilitatorName: fac.Name, SiteID: d.site.ID, SiteName: d.site.Name,
			Gender: a.gender, AgeBand: a.band, Education: a.profile.Education, Employment: a.profile.Employment,
			Citizenship: a.profile.Citizenship, Province: a.profile.Province,
			FirstTime: len(prior) == 0, UsedBefore: prior,
			Date: date.Format(time.DateOnly), Minutes: minutes,
			ServiceTypes: []string{"C"}, Competences: competences, Domains: facilita.Split(domains),
			Details: c.Title,
		}
		row := facilita.Row{FacilitatorID: ev.FacilitatorID, FacilitatorName: ev.FacilitatorName, SiteID: ev.SiteID, SiteName: ev.SiteName,
			FirstName: "on file", Surname: "on file", CF: "on file", Gender: ev.Gender, AgeBand: ev.AgeBand,
			Education: ev.Education, Employment: ev.Employment, Citizenship: ev.Citizenship, Province: ev.Province,
			FirstTime: ev.FirstTime, UsedBefore: ev.UsedBefore, Date: time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC),
			Duration: time.Duration(minutes) * time.Minute, ServiceTypes: ev.ServiceTypes, Competences: ev.Competences, Domains: ev.Domains, Details: ev.Details}
		if ps := row.Check(func(string) error { return nil }); len(ps) > 0 {
			c.Unrecorded = append(c.Unrecorded, fmt.Sprintf("attendee %d: %s", i+1, ps[0]))
			continue
		}
		e, err := tx.AppendJSON(KindService, 1, ev)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO services(seq, citizen, staff, day, minutes, types, competences, domains) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
			int64(e.Seq), a.citizen, fac.ID, ev.Date, minutes, "C", comps, domains); err != nil {
			return err
		}
		c.Services++
	}
	return nil
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
