package state

import (
	"slices"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// Passed reports whether the finished quiz earned a certificate, as the
// learning record judged it.
func (a *App) Passed() bool {
	q := a.cit.quiz
	return q.done && q.cert != nil
}

// finishQuiz records the finished quiz; a pass brings the certificate.
func (a *App) finishQuiz() {
	q := &a.cit.quiz
	ctx, cancel := a.ctx()
	defer cancel()
	cert, err := a.d.Progress.FinishQuiz(ctx, QuizAttempt{Place: a.place(), Answers: slices.Clone(q.answers), Learner: a.cit.learner})
	if err != nil {
		a.fail(err)
		return
	}
	if cert != nil && cert.CourseTitle == "" {
		cert.CourseTitle = a.courseTitle(a.cit.lesson.CourseID)
	}
	q.cert = cert
}

// ShowCertificate opens the certificate of a passed quiz.
func (a *App) ShowCertificate() {
	a.act()
	if !a.Passed() {
		a.changed()
		return
	}
	a.goTo(CertView)
	a.changed()
}

// courseTitle is the course's title in the current language.
func (a *App) courseTitle(id string) string {
	ctx, cancel := a.ctx()
	defer cancel()
	if cs, err := a.d.Catalog.Courses(ctx, a.prefs.Lang); err == nil {
		for _, c := range cs {
			if c.ID == id {
				return c.Title
			}
		}
	}
	return id
}

// Certificate is the shown certificate, nil before ShowCertificate.
func (a *App) Certificate() *Certificate { return a.cit.quiz.cert }

// PrintCertificate prints the shown certificate.
func (a *App) PrintCertificate() {
	a.act()
	if c := a.cit.quiz.cert; c != nil {
		ctx, cancel := a.ctx()
		err := a.d.Printer.PrintCertificate(ctx, *c, a.prefs.Lang)
		cancel()
		if err != nil {
			a.fail(err)
		} else {
			a.notice = Notice{ID: i18n.ID("cert.printed")}
		}
	}
	a.changed()
}

// Loans lists devices out on loan, overdue ones flagged by the caller
// against the clock.
func (a *App) Loans() ([]Loan, bool) {
	ctx, cancel := a.ctx()
	defer cancel()
	ls, err := a.d.Loans.Open(ctx)
	if err != nil {
		a.fail(err)
		return nil, false
	}
	return ls, true
}

// Overdue reports whether l is past its due date.
func (a *App) Overdue(l Loan) bool { return a.d.Clock.Now().After(l.Due) }
