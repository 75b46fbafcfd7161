package assistance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/facilita"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
)

// KindService is the event of one service delivered to one citizen.
const KindService = "service.recorded"

// ServiceEvent carries every field of the national record except the
// citizen's identity, which is sealed. It is self-contained, so the hub can
// export it without any other event but the sealing key.
type ServiceEvent struct {
	Citizen         string   `json:"citizen"`
	Sealed          string   `json:"sealed"` // people.Sealed, sealed to the export key; "" once erased
	FacilitatorID   string   `json:"facilitator_id"`
	FacilitatorName string   `json:"facilitator_name"`
	SiteID          string   `json:"site_id"`
	SiteName        string   `json:"site_name"`
	Gender          string   `json:"gender"`
	AgeBand         string   `json:"age_band"`
	Education       string   `json:"education"`
	Employment      string   `json:"employment"`
	Citizenship     string   `json:"citizenship"`
	Province        string   `json:"province"`
	FirstTime       bool     `json:"first_time"`
	UsedBefore      []string `json:"used_before,omitempty"`
	Date            string   `json:"date"` // YYYY-MM-DD
	Minutes         int      `json:"minutes"`
	ServiceTypes    []string `json:"service_types"`
	Competences     []int    `json:"competences"`
	Domains         []string `json:"domains"`
	Details         string   `json:"details,omitempty"`
	Guide           string   `json:"guide,omitempty"` // content guide used, if any
}

// EarliestServiceDate is the first date a service can have: the national
// facilitation programme (PNRR 1.7.2) started in 2022.
var EarliestServiceDate = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)

// ServiceInput is what a facilitator enters for one service.
type ServiceInput struct {
	Person  people.Person  // scanned or typed; dropped after sealing. A returning citizen may give only the card.
	Profile people.Profile // AN9–AN12; empty fields are remembered from the last visit
	Staff   string         // facilitator's national ID
	// Date of the service; zero means today.
	Date time.Time
	// Duration, usually from the session timer.
	Duration time.Duration
	// FirstTime is PR1; UsedBefore is PR2 (SE3 codes).
	FirstTime  bool
	UsedBefore []string
	// SE3, SE5, SE6 (SE4 follows from SE5). The guide used gives SE5 and SE6.
	ServiceTypes []string
	Competences  []int
	Domains      []string
	Details      string // SE7
	Guide        string
	// ConsentMethod is how the citizen acknowledged the privacy notice today
	// (screen, paper, verbal, phone); empty if they had acknowledged it before.
	ConsentMethod string
}

// ServiceRecord is what was recorded, for the confirmation screen.
type ServiceRecord struct {
	Seq       uint64
	Citizen   string
	Returning bool
	Gender    string
	AgeBand   string
	Date      string
	Duration  string // HH:MM
	Areas     []string
	Consent   string // "recorded now" or "already on file"
}

// RecordService validates the input against every rule of the national
// record, seals the identity and appends the service, the citizen's
// profile (when new or changed) and the consent in one transaction.
// Wrong input returns a *codicefiscale.Error, a *people.FieldError or an
// *InputError and records nothing.
//
// Everything, the staff member's check included, happens in that one
// transaction on the store's writer, so recording costs one commit (one
// fsync) and no read on another connection.
func (d *Desk) RecordService(ctx context.Context, in ServiceInput) (ServiceRecord, error) {
	if d.roster == nil {
		return ServiceRecord{}, errors.New("assistance: no staff roster")
	}
	if strings.TrimSpace(in.Staff) == "" {
		return ServiceRecord{}, inputErr("staff", "give the national ID of the staff member")
	}
	var rec ServiceRecord
	err := d.st.Write(ctx, func(tx *store.Tx) error {
		fac, err := d.activeStaffIn(tx, in.Staff, staff.Facilitator, staff.Volunteer, staff.Coordinator)
		if err != nil {
			return err
		}
		date := in.Date
		if date.IsZero() {
			if d.st.Clock().Now().Before(clock.Plausible) {
				return inputErr("SE1", "the kiosk's clock has not been set since it started: enter the service date")
			}
			date = d.today()
		}
		if date.Before(EarliestServiceDate) {
			return inputErr("SE1", "the service date %s is before the programme began (%s)", date.Format(time.DateOnly), EarliestServiceDate.Format(time.DateOnly))
		}
		if date.After(d.today()) && !d.st.Clock().Now().Before(clock.Plausible) {
			return inputErr("SE1", "the service date %s is in the future", date.Format(time.DateOnly))
		}
		id, err := d.people.Identify(in.Person, date)
		if err != nil {
			return err
		}
		if err := in.Profile.Validate(); err != nil {
			return err
		}
		in.Duration = in.Duration.Round(time.Minute)
		if in.Duration < time.Minute {
			in.Duration = time.Minute
		}
		cit, known, err := d.people.Record(tx, id, in.Profile)
		if err != nil {
			return err
		}
		if err := cit.Profile.Complete(); err != nil {
			return err
		}
		rec.Consent = "already on file"
		if in.ConsentMethod != "" {
			added, err := d.people.Acknowledge(tx, id.ID, d.notice, in.ConsentMethod)
			if err != nil {
				return err
			}
			if added {
				rec.Consent = "recorded now"
			}
		} else if ok, err := d.people.HasAcknowledged(tx, id.ID, d.notice); err != nil {
			return err
		} else if !ok {
			return inputErr("consent", "the citizen has not acknowledged privacy notice %s: show it and record how (screen, paper, verbal, phone)", d.notice)
		}
		row := facilita.Row{
			FacilitatorID: fac.ID, FacilitatorName: fac.Name, SiteID: d.site.ID, SiteName: d.site.Name,
			FirstName: in.Person.FirstName, Surname: in.Person.Surname,
			Gender: id.Gender, AgeBand: id.AgeBand,
			Education: cit.Profile.Education, Employment: cit.Profile.Employment, Citizenship: cit.Profile.Citizenship, Province: cit.Profile.Province,
			FirstTime: in.FirstTime, UsedBefore: in.UsedBefore,
			Date: date, Duration: in.Duration,
			ServiceTypes: in.ServiceTypes, Competences: in.Competences, Domains: in.Domains, Details: in.Details,
		}
		if strings.TrimSpace(in.Person.CF) != "" {
			row.CF = codicefiscale.Normalize(in.Person.CF)
		} else {
			row.NoCF, row.DocType, row.DocNumber = true, in.Person.DocType, in.Person.DocNumber
		}
		if id.Reuse { // names checked on the visit that sealed them
			row.FirstName, row.Surname = "on file", "on file"
		}
		if ps := row.Check(func(string) error { return nil }); len(ps) > 0 {
			return inputErr(ps[0].Column, "%s: %s", ps[0].Reason, ps[0].Fix)
		}
		ev := ServiceEvent{
			Citizen: id.ID, Sealed: cit.Sealed,
			FacilitatorID: fac.ID, FacilitatorName: fac.Name, SiteID: d.site.ID, SiteName: d.site.Name,
			Gender: id.Gender, AgeBand: id.AgeBand,
			Education: cit.Profile.Education, Employment: cit.Profile.Employment, Citizenship: cit.Profile.Citizenship, Province: cit.Profile.Province,
			FirstTime: in.FirstTime, UsedBefore: slices.Clone(in.UsedBefore),
			Date: date.Format(time.DateOnly), Minutes: int(in.Duration / time.Minute),
			ServiceTypes: slices.Clone(in.ServiceTypes), Competences: slices.Clone(in.Competences), Domains: slices.Clone(in.Domains),
			Details: in.Details, Guide: in.Guide,
		}
		e, err := tx.AppendJSON(KindService, 1, ev)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO services(seq, citizen, staff, day, minutes, types, competences, domains) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
			int64(e.Seq), id.ID, fac.ID, ev.Date, ev.Minutes, facilita.Join(ev.ServiceTypes), facilita.JoinInts(ev.Competences), facilita.Join(ev.Domains)); err != nil {
			return fmt.Errorf("assistance: record service: %w", err)
		}
		rec = ServiceRecord{Seq: e.Seq, Citizen: id.ID, Returning: known, Gender: id.Gender, AgeBand: id.AgeBand,
			Date: ev.Date, Duration: facilita.Duration(in.Duration), Areas: facilita.DeriveAreas(in.Competences), Consent: rec.Consent}
		return nil
	})
	if err != nil {
		return ServiceRecord{}, err
	}
	return rec, nil
}

// Totals are the two figures a coordinator's targets count, for a period.
type Totals struct {
	Services       int // services delivered
	UniqueCitizens int // distinct citizens served
	Minutes        int
}

// Totals counts services and unique citizens with dates in [from, to].
func (d *Desk) Totals(ctx context.Context, from, to time.Time) (Totals, error) {
	var t Totals
	err := d.st.DB().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT citizen), COALESCE(SUM(minutes), 0)
		FROM services WHERE day BETWEEN ? AND ?`, from.Format(time.DateOnly), to.Format(time.DateOnly)).
		Scan(&t.Services, &t.UniqueCitizens, &t.Minutes)
	if err != nil {
		return t, fmt.Errorf("assistance: count services: %w", err)
	}
	return t, nil
}
