package state

import (
	"fmt"
	"hash/fnv"

	"github.com/officina-digitale/officina/kiosk/i18n"
)

// PassMark is the share of right answers, in percent, that earns a
// certificate.
const PassMark = 60

// Passed reports whether the finished quiz earns a certificate.
func (a *App) Passed() bool {
	q := a.cit.quiz
	return q.done && len(q.questions) > 0 && q.score*100 >= PassMark*len(q.questions)
}

// ShowCertificate opens the certificate of a passed quiz.
func (a *App) ShowCertificate() {
	a.act()
	if !a.Passed() {
		a.changed()
		return
	}
	if a.cit.quiz.cert == nil {
		title := a.courseTitle(a.cit.lesson.CourseID)
		now := a.d.Clock.Now()
		h := fnv.New32a()
		fmt.Fprintf(h, "%s|%d", a.cit.lesson.CourseID, now.UnixNano())
		a.cit.quiz.cert = &Certificate{CourseTitle: title, Date: now, Code: fmt.Sprintf("%08X", h.Sum32())}
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
