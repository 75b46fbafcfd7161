package main

// The real-kiosk tour: `officina screenshots --kiosk` draws every screen
// over a fresh kiosk's real areas (the built-in catalogue, the desk, the
// roster, the simulated hardware), to check that they render with real
// data and not only with the demo fakes.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/people"

	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// Tour data: a course, a guide and a facilitator of the fresh kiosk.
const (
	tourCourse    = "pagopa-con-io"
	tourGuide     = "inps-delega"
	tourStaffID   = "FAC-TOUR-001"
	tourStaffCard = "04A2197C"
	tourCitizenCF = "RSSMRA80A01D969Z"
)

// seedTourStaff puts a facilitator on a fresh kiosk's roster for the tour,
// with a PIN only the tour knows, and lends a tablet.
func seedTourStaff(ctx context.Context, k *kiosk, pin string) error {
	h, err := staff.HashPIN(pin, 1000)
	if err != nil {
		return err
	}
	if err := k.records.roster.Put(ctx, staff.Member{ID: tourStaffID, Name: "Giulia D'Amico", Role: staff.Facilitator, Card: tourStaffCard, Active: true}, h); err != nil {
		return err
	}
	_, err = k.records.desk.LendDevice(ctx, "Tablet 3", people.Person{CF: tourCitizenCF}, tourStaffID, 7*24*time.Hour)
	return err
}

// realVisit resets a and puts it on screen s with real content: an open
// lesson, a quiz answered, a guide, a taken ticket, the facilitator
// logged in serving it. a must run on uiDeps of a kiosk seeded with
// seedTourStaff(pin); the desk's queue is emptied first.
func realVisit(ctx context.Context, k *kiosk, a *state.App, s state.Screen, pin string) error {
	if err := clearQueue(ctx, k); err != nil {
		return err
	}
	var err error
	a.Batch(func() { err = realVisitBatch(a, s, pin) })
	return err
}

// clearQueue serves everyone waiting, so each screen of the tour starts
// from an empty queue, as a kiosk does in the morning.
func clearQueue(ctx context.Context, k *kiosk) error {
	for {
		_, err := k.records.desk.CallNext(ctx, tourStaffID)
		if errors.Is(err, assistance.ErrQueueEmpty) {
			break
		}
		if err != nil {
			return err
		}
	}
	return k.records.desk.FinishTicket(ctx, tourStaffID)
}

func realVisitBatch(a *state.App, s state.Screen, pin string) error {
	a.Reset()
	switch s {
	case state.LessonView:
		a.OpenCourse(tourCourse)
		a.NextLesson()
	case state.QuizView:
		a.OpenCourse(tourCourse)
		for a.Lesson().Index+1 < a.Lesson().Count { // the quiz is at the last lesson
			a.NextLesson()
		}
		a.StartQuiz()
		a.Answer(0)
	case state.CertView:
		a.OpenCourse(tourCourse)
		for a.Lesson().Index+1 < a.Lesson().Count { // the quiz is at the last lesson
			a.NextLesson()
		}
		a.StartQuiz()
		for i := 0; i < 50 && !a.Passed(); i++ {
			a.Answer(a.Quiz().Question.Correct)
			a.NextQuestion()
		}
		a.ShowCertificate()
	case state.GuideView:
		a.OpenGuide(tourGuide)
	case state.TicketView:
		a.TakeTicket(tourGuide)
	case state.StaffLogin:
		a.CardTapped(state.Card{Kind: state.CardStaff, ID: tourStaffCard})
		a.PressPIN("1")
	case state.StaffHome, state.QueueView, state.Record, state.Attendance, state.LoansView, state.Status:
		a.TakeTicket(tourGuide)
		a.Reset()
		a.TakeTicket("")
		a.Reset()
		a.CardTapped(state.Card{Kind: state.CardStaff, ID: tourStaffCard})
		for _, d := range pin {
			a.PressPIN(string(d))
		}
		a.ConfirmPIN()
		switch s {
		case state.QueueView:
			a.Go(state.QueueView)
		case state.Record:
			a.CallNext()
			a.StartRecord()
			a.CardTapped(state.Card{Kind: state.CardHealth, ID: tourCitizenCF})
		case state.Attendance:
			a.Go(state.Attendance)
			a.OpenSession(tourCourse)
			a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000042"})
			a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000043"})
		case state.LoansView:
			a.Go(state.LoansView)
		case state.Status:
			a.Go(state.Status)
		}
	default:
		a.Go(s)
	}
	if a.Screen() != s {
		return fmt.Errorf("ui: could not reach %s (at %s, %s)", s, a.Screen(), a.Notice().ID)
	}
	return nil
}
