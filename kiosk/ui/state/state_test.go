package state

import (
	"errors"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

func newDemo(t *testing.T) (*App, *clock.Fake, Deps) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC))
	d := DemoDeps(clk)
	d.Speech = &FakeSpeaker{Languages: []string{"it", "en"}}
	return New(d), clk, d
}

func TestTouchTargetIs9mmOn7InchPanel(t *testing.T) {
	// 800×480 on a 7" diagonal is 133 ppi, 5.25 px/mm.
	if got := PixelsFor(TouchTargetMM, 7, 800, 480); got != MinTouch {
		t.Fatalf("9 mm on the 7\" panel = %v px, MinTouch = %v", got, MinTouch)
	}
	// A 10" 1280×800 panel is denser: 9 mm needs more pixels there.
	if got := PixelsFor(TouchTargetMM, 10.1, 1280, 800); got <= MinTouch {
		t.Fatalf("10.1\" 1280×800: %v px, want more than %v", got, MinTouch)
	}
}

func TestIdleWarnsCountsDownAndClearsEverything(t *testing.T) {
	a, clk, _ := newDemo(t)
	a.SetLanguage("en")
	a.SetLargeText(true)
	a.Go(Courses)
	a.OpenCourse("primo-spid")
	a.TakeTicket("spid")

	clk.Advance(119 * time.Second)
	if v := a.Tick(); v.Warning {
		t.Fatal("warning before the 120 s timeout")
	}
	clk.Advance(2 * time.Second)
	v := a.Tick()
	if !v.Warning || v.Seconds != 29 {
		t.Fatalf("at 121 s: %+v, want a warning with 29 s left", v)
	}
	// "I need more time" restarts the countdown and keeps the session.
	a.Touch()
	if a.IdleView().Warning {
		t.Fatal("warning still shown after the touch")
	}
	clk.Advance(150 * time.Second)
	a.Tick()
	clk.Advance(1 * time.Second)
	a.Tick()
	if a.Screen() != Home || a.Prefs().Lang != "it" || a.Prefs().LargeText || a.Ticket() != nil || a.Lesson().CourseID != "" || a.CanGoBack() {
		t.Fatalf("after the reset: screen %s prefs %+v ticket %v lesson %q", a.Screen(), a.Prefs(), a.Ticket(), a.Lesson().CourseID)
	}
	// Nothing to clear: no warning at the untouched home screen.
	clk.Advance(time.Hour)
	if v := a.Tick(); v.Warning {
		t.Fatal("warning on an untouched home screen")
	}
}

func TestIdleResetLogsStaffOut(t *testing.T) {
	a, clk, _ := newDemo(t)
	login(t, a)
	clk.Advance(151 * time.Second)
	a.Tick()
	if a.Member() != nil || a.Screen() != Home {
		t.Fatalf("staff still logged in after idle reset: %v %s", a.Member(), a.Screen())
	}
}

func TestResumeByCardAndCode(t *testing.T) {
	a, _, _ := newDemo(t)
	a.OpenCourse("primo-spid")
	a.NextLesson()
	a.CardTapped(Card{Kind: CardCitizen, ID: DemoCitizenCard})
	if a.Notice().ID != "progress.saved_card" {
		t.Fatalf("notice %+v", a.Notice())
	}
	a.SaveWithCode()
	code := a.SavedCode()
	if len(code) != 6 {
		t.Fatalf("code %q", code)
	}
	a.Reset()

	a.CardTapped(Card{Kind: CardCitizen, ID: DemoCitizenCard})
	if a.Screen() != LessonView || a.Lesson().Index != 1 || a.Lesson().CourseID != "primo-spid" {
		t.Fatalf("resume by card: %s lesson %+v", a.Screen(), a.place())
	}
	a.Reset()
	a.Go(Resume)
	for _, c := range code {
		a.TypeCode(string(c))
	}
	a.ResumeWithCode()
	if a.Screen() != LessonView || a.Lesson().Index != 1 {
		t.Fatalf("resume by code: %s %+v", a.Screen(), a.place())
	}
	a.Reset()
	a.Go(Resume)
	a.TypeCode("9")
	a.ResumeWithCode()
	if a.Screen() != Resume || a.Notice().ID != "error.not_found" || !a.Notice().Error {
		t.Fatalf("unknown code: %s %+v", a.Screen(), a.Notice())
	}
}

func TestLanguageSwitchKeepsScreenAndReloadsContent(t *testing.T) {
	a, _, _ := newDemo(t)
	a.OpenCourse("primo-spid")
	a.Go(Languages)
	a.SetLanguage("en")
	if a.Screen() != LessonView || a.Lesson().Title != "What SPID is" || a.Lesson().Fallback {
		t.Fatalf("after switching to English: %s %q", a.Screen(), a.Lesson().Title)
	}
	a.SetLanguage("uk")
	if a.Lesson().Title != "Che cos'è SPID" || !a.Lesson().Fallback {
		t.Fatalf("Ukrainian has no translation: want Italian with the fallback note, got %q %v", a.Lesson().Title, a.Lesson().Fallback)
	}
}

func TestCourseFilters(t *testing.T) {
	a, _, _ := newDemo(t)
	if n := len(a.Courses()); n != 3 {
		t.Fatalf("%d courses", n)
	}
	a.SetTopic("SPID")
	if cs := a.Courses(); len(cs) != 1 || cs[0].ID != "primo-spid" {
		t.Fatalf("topic SPID: %+v", cs)
	}
	a.SetTopic("SPID") // again: clears
	a.SetLevel(2)
	if cs := a.Courses(); len(cs) != 1 || cs[0].ID != "password" {
		t.Fatalf("intermediate: %+v", cs)
	}
}

func TestQuizScores(t *testing.T) {
	a, _, _ := newDemo(t)
	a.OpenCourse("primo-spid")
	a.NextLesson()
	a.NextLesson()
	a.NextLesson() // after the last lesson: the quiz
	if a.Screen() != QuizView || a.Quiz().Count != 2 {
		t.Fatalf("%s %+v", a.Screen(), a.Quiz())
	}
	a.Answer(0) // right
	a.Answer(1) // a second tap changes nothing
	a.NextQuestion()
	a.Answer(0) // wrong
	a.NextQuestion()
	if q := a.Quiz(); !q.Done || q.Score != 1 {
		t.Fatalf("%+v", q)
	}
}

func login(t *testing.T, a *App) {
	t.Helper()
	a.CardTapped(Card{Kind: CardStaff, ID: DemoStaffCard})
	for _, d := range DemoStaffPIN {
		a.PressPIN(string(d))
	}
	a.ConfirmPIN()
	if a.Member() == nil || a.Screen() != StaffHome {
		t.Fatalf("login failed: %+v", a.Notice())
	}
}

func TestWrongPINFiveTimesLocksTheCard(t *testing.T) {
	a, _, _ := newDemo(t)
	a.CardTapped(Card{Kind: CardStaff, ID: DemoStaffCard})
	for i := 1; i <= 5; i++ {
		for range 6 {
			a.PressPIN("1")
		}
		a.ConfirmPIN()
		n := a.Notice()
		if i < 5 && (n.ID != "error.wrong_pin" || n.Args[1] != 5-i) {
			t.Fatalf("attempt %d: %+v", i, n)
		}
		if i == 5 && n.ID != "error.locked" {
			t.Fatalf("attempt 5: %+v", n)
		}
	}
	// The right PIN no longer opens it.
	a.CardTapped(Card{Kind: CardStaff, ID: DemoStaffCard})
	for _, d := range DemoStaffPIN {
		a.PressPIN(string(d))
	}
	a.ConfirmPIN()
	if a.Member() != nil || a.Notice().ID != "error.locked" {
		t.Fatalf("locked card logged in: %+v", a.Notice())
	}
}

func TestCallTicketAndRecordService(t *testing.T) {
	a, _, d := newDemo(t)
	a.Go(Help)
	a.TakeTicket("app-io")
	if a.Ticket().Number != "A001" {
		t.Fatalf("%+v", a.Ticket())
	}
	a.Reset()
	login(t, a)
	if n := len(a.Waiting()); n != 1 {
		t.Fatalf("%d waiting", n)
	}
	a.CallNext()
	if a.Current() == nil || a.Draft().Domain != "A" {
		t.Fatalf("draft not prefilled from the App IO guide: %+v", a.Draft())
	}
	a.StartRecord()
	a.SaveRecord()
	if a.Notice().ID != "record.need_card" || a.Screen() != Record {
		t.Fatalf("saved without a CF: %+v", a.Notice())
	}
	a.CardTapped(Card{Kind: CardHealth, ID: "RSSMRA80A01D969"}) // one character short
	a.SaveRecord()
	if a.Notice().ID != "error.invalid_cf" || a.Draft().CF == "" {
		t.Fatalf("bad CF: %+v, draft %+v", a.Notice(), a.Draft())
	}
	a.CardTapped(Card{Kind: CardHealth, ID: DemoHealthCF})
	a.AddMinutes(10)
	a.SaveRecord()
	recs := d.Services.(*FakeServices).Records
	if len(recs) != 1 || recs[0].CF != DemoHealthCF || recs[0].Minutes != 25 || recs[0].Domain != "A" || recs[0].StaffID != "fac-1" {
		t.Fatalf("records %+v", recs)
	}
	if a.Screen() != StaffHome || a.Current() != nil {
		t.Fatalf("%s %+v", a.Screen(), a.Current())
	}
	a.CallNext()
	if a.Notice().ID != "error.queue_empty" {
		t.Fatalf("%+v", a.Notice())
	}
}

func TestServiceRecordKeptWhenStoreFails(t *testing.T) {
	a, _, d := newDemo(t)
	login(t, a)
	a.StartRecord()
	a.SetDomain("B")
	a.CardTapped(Card{Kind: CardHealth, ID: DemoHealthCF})
	d.Services.(*FakeServices).Err = errors.New("disk full")
	a.SaveRecord()
	if a.Notice().ID != "error.generic" || a.Draft().CF != DemoHealthCF || a.Screen() != Record {
		t.Fatalf("%+v %+v", a.Notice(), a.Draft())
	}
	d.Services.(*FakeServices).Err = nil
	a.SaveRecord()
	if a.Notice().ID != "record.saved" {
		t.Fatalf("%+v", a.Notice())
	}
}

func TestStaffScreensNeedLogin(t *testing.T) {
	a, _, _ := newDemo(t)
	a.Go(QueueView)
	if a.Screen() != StaffLogin {
		t.Fatalf("%s", a.Screen())
	}
}

func TestAirAdvice(t *testing.T) {
	a, clk, d := newDemo(t)
	clk.Set(time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)) // busy afternoon
	rs, advice := a.Readings()
	if len(rs) != 4 || rs[0].Quantity != "co2" || rs[0].Value <= CO2Airing || advice != "air.open_window" {
		t.Fatalf("%+v %q", rs, advice)
	}
	a.Go(Air)
	a.ShowChart("co2", true)
	if n := len(a.Series()); n != 7*24+1 {
		t.Fatalf("week series has %d points", n)
	}
	d.Sensors.(*FakeSensors).Down = true
	if rs, advice := a.Readings(); rs != nil || advice != "error.device" {
		t.Fatalf("unplugged sensor: %v %q", rs, advice)
	}
}

func TestReadAloud(t *testing.T) {
	a, _, d := newDemo(t)
	sp := d.Speech.(*FakeSpeaker)
	a.OpenCourse("primo-spid")
	if !a.CanReadAloud() {
		t.Fatal("cannot read Italian aloud")
	}
	a.ToggleReadAloud()
	a.SetLanguage("sq") // no Albanian lesson: read the Italian text in Italian
	a.ToggleReadAloud() // stop
	a.ToggleReadAloud()
	if len(sp.Spoken) != 2 || sp.Spoken[1][:3] != "it:" || sp.Stopped != 1 {
		t.Fatalf("spoken %q stopped %d", sp.Spoken, sp.Stopped)
	}
	a.Home()
	if a.Reading() || sp.Stopped != 2 {
		t.Fatal("leaving the lesson did not stop the reading")
	}
	a.d.Speech = &FakeSpeaker{} // no voice, no recording
	a.OpenCourse("primo-spid")
	if a.CanReadAloud() {
		t.Fatal("read-aloud offered without a voice")
	}
}

func TestAttendanceFillsAsCardsTap(t *testing.T) {
	a, _, d := newDemo(t)
	login(t, a)
	a.Go(Attendance)
	a.OpenSession("primo-spid")
	a.CardTapped(Card{Kind: CardCitizen, ID: "BIB-1001"})
	a.CardTapped(Card{Kind: CardCitizen, ID: "BIB-1002"})
	a.CardTapped(Card{Kind: CardCitizen, ID: "BIB-1001"}) // again
	if n := len(a.Present()); n != 2 || a.Notice().ID != "session.already_in" {
		t.Fatalf("present %d, notice %+v", n, a.Notice())
	}
	a.CloseSession()
	fs := d.Sessions.(*FakeSessions)
	if len(fs.Closed) != 1 || len(fs.Attended["s1"]) != 2 || fs.Opened[0].Kind != "course" {
		t.Fatalf("%+v", fs)
	}
	if a.Notice().ID != "session.closed" || a.Notice().Args[1] != 2 {
		t.Fatalf("%+v", a.Notice())
	}
}

func TestVolunteerRunsAnIntergenerationalSession(t *testing.T) {
	a, _, d := newDemo(t)
	a.CardTapped(Card{Kind: CardStaff, ID: DemoVolunteerCard})
	for _, c := range DemoStaffPIN {
		a.PressPIN(string(c))
	}
	a.ConfirmPIN()
	a.Go(Attendance)
	a.OpenSession("password")
	a.CardTapped(Card{Kind: CardCitizen, ID: "BIB-2001"})
	a.CloseSession()
	if s := d.Sessions.(*FakeSessions).Opened; len(s) != 1 || s[0].Kind != "intergenerational" {
		t.Fatalf("%+v", s)
	}
}

func TestCertificateAfterPassingTheQuiz(t *testing.T) {
	a, _, d := newDemo(t)
	a.OpenCourse("primo-spid")
	a.StartQuiz()
	a.Answer(1) // wrong
	a.NextQuestion()
	a.Answer(0) // wrong
	a.NextQuestion()
	if a.Passed() {
		t.Fatal("0 of 2 passed")
	}
	a.ShowCertificate()
	if a.Screen() == CertView {
		t.Fatal("certificate without passing")
	}
	if err := a.Visit(CertView); err != nil {
		t.Fatal(err)
	}
	c := a.Certificate()
	if c == nil || c.CourseTitle != "Il tuo primo SPID" || c.Code == "" || c.Name == "" {
		t.Fatalf("%+v", c)
	}
	p := d.Printer.(*FakePrinter)
	p.Err = errors.New("out of paper")
	a.PrintCertificate()
	if !a.Notice().Error || a.Certificate() == nil {
		t.Fatalf("printer failure: %+v", a.Notice())
	}
	p.Err = nil
	a.PrintCertificate()
	if len(p.Printed) != 1 || a.Notice().ID != "cert.printed" {
		t.Fatalf("%+v %+v", p.Printed, a.Notice())
	}
}

func TestLoansFlagOverdue(t *testing.T) {
	a, _, _ := newDemo(t)
	login(t, a)
	ls, ok := a.Loans()
	if !ok || len(ls) != 2 || !a.Overdue(ls[0]) || a.Overdue(ls[1]) {
		t.Fatalf("%+v", ls)
	}
}

func TestCertificateFollowsTheLanguage(t *testing.T) {
	a, _, _ := newDemo(t)
	if err := a.Visit(CertView); err != nil {
		t.Fatal(err)
	}
	a.SetLanguage("en")
	if got := a.Certificate().CourseTitle; got != "Your first SPID" {
		t.Fatalf("%q", got)
	}
}

func TestWedgeTurnsScannerKeystrokesIntoCards(t *testing.T) {
	var w Wedge
	for _, r := range "rssmra80a01d969z" {
		w.Rune(r)
	}
	if c, ok := w.Enter(); !ok || c.Kind != CardHealth || c.ID != DemoHealthCF {
		t.Fatalf("%+v %v", c, ok)
	}
	for _, r := range "BIB-000042" {
		w.Rune(r)
	}
	if c, ok := w.Enter(); !ok || c.Kind != CardCitizen || c.ID != "BIB-000042" {
		t.Fatalf("%+v", c)
	}
	w.Rune('7')
	if _, ok := w.Enter(); ok {
		t.Fatal("a stray key became a card")
	}
}
