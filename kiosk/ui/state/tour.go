package state

import "fmt"

// Visit resets the session and puts it on screen s with representative
// demo content (an open lesson, a quiz answered wrongly, a taken ticket,
// a logged-in facilitator serving a ticket…). It is for the rendering
// tests, the screenshots and the UI benchmark, and expects DemoDeps.
func (a *App) Visit(s Screen) error {
	var err error
	a.Batch(func() { err = a.visit(s) })
	return err
}

func (a *App) visit(s Screen) error {
	a.Reset()
	a.touched = true
	switch s {
	case LessonView:
		a.OpenCourse("primo-spid")
	case QuizView:
		a.OpenCourse("primo-spid")
		for a.Lesson().Index+1 < a.Lesson().Count { // the quiz is at the last lesson
			a.NextLesson()
		}
		a.StartQuiz()
		a.Answer(1) // wrong: shows the verdict and the next button
	case CertView:
		a.OpenCourse("primo-spid")
		for a.Lesson().Index+1 < a.Lesson().Count { // the quiz is at the last lesson
			a.NextLesson()
		}
		a.StartQuiz()
		for range 2 {
			a.Answer(a.Quiz().Question.Correct)
			a.NextQuestion()
		}
		a.ShowCertificate()
	case GuideView:
		a.OpenGuide("spid")
	case TicketView:
		a.TakeTicket("spid")
	case StaffLogin:
		a.CardTapped(Card{Kind: CardStaff, ID: "unknown"})
		a.PressPIN("1")
	case StaffHome, QueueView, Record, Attendance, LoansView, Status:
		a.TakeTicket("cie-pin")
		a.TakeTicket("")
		a.Reset()
		a.CardTapped(Card{Kind: CardStaff, ID: DemoStaffCard})
		for _, d := range DemoStaffPIN {
			a.PressPIN(string(d))
		}
		a.ConfirmPIN()
		switch s {
		case QueueView:
			a.Go(QueueView)
			a.CallNext()
		case Record:
			a.CallNext()
			a.StartRecord()
			a.CardTapped(Card{Kind: CardHealth, ID: DemoHealthCF})
		case Attendance:
			a.Go(Attendance)
			a.OpenSession("primo-spid")
			a.CardTapped(Card{Kind: CardCitizen, ID: DemoCitizenCard})
			a.CardTapped(Card{Kind: CardCitizen, ID: "BIB-000043"})
		case Status, LoansView:
			a.Go(s)
		}
	default:
		a.Go(s)
	}
	if a.screen != s {
		return fmt.Errorf("ui: could not reach %s (at %s)", s, a.screen)
	}
	return nil
}
