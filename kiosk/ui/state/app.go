// Package state is the kiosk UI's state and view models: which screen is
// showing, the citizen's session, the staff session, the language and the
// accessibility preferences, and the idle reset. It imports no fyne
// package, so every flow is tested without widgets; kiosk/ui renders it.
//
// The ports the UI needs from the rest of the kiosk (catalogue, queue,
// staff login, services, sensors, sync) are small interfaces declared in
// ports.go, with in-memory fakes in fakes.go for tests and demo mode.
package state

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/i18n"
)

// Screen names a screen.
type Screen string

// The screens. Staff screens need a logged-in member.
const (
	Home       Screen = "home"
	Languages  Screen = "languages"
	Access     Screen = "access"
	Courses    Screen = "courses"
	LessonView Screen = "lesson"
	QuizView   Screen = "quiz"
	Resume     Screen = "resume"
	Guides     Screen = "guides"
	GuideView  Screen = "guide"
	Help       Screen = "help" // pick a topic, take a ticket
	TicketView Screen = "ticket"
	Air        Screen = "air"
	StaffLogin Screen = "staff-login"
	StaffHome  Screen = "staff"
	QueueView  Screen = "queue"
	Attendance Screen = "attendance"
	LoansView  Screen = "loans"
	CertView   Screen = "certificate"
	Record     Screen = "record"
	Status     Screen = "status"
)

// CitizenScreens are the citizens' screens, in the order the rendering
// tests and the screenshots visit them.
func CitizenScreens() []Screen {
	return []Screen{Home, Languages, Access, Courses, LessonView, QuizView, CertView, Resume, Guides, GuideView, Help, TicketView, Air}
}

// StaffScreens are the staff screens, the login first.
func StaffScreens() []Screen {
	return []Screen{StaffLogin, StaffHome, QueueView, Record, Attendance, LoansView, Status}
}

// staff reports whether s needs a logged-in member.
func (s Screen) staff() bool { return s != StaffLogin && slices.Contains(StaffScreens(), s) }

// Prefs are the citizen's display choices; the idle reset restores the
// defaults.
type Prefs struct {
	Lang         string
	LargeText    bool
	HighContrast bool
}

// CardKind says what a tapped card is.
type CardKind int

const (
	// CardCitizen is a library card or CIE used to keep a course place.
	CardCitizen CardKind = iota
	// CardHealth is a Tessera Sanitaria: its barcode is the codice fiscale.
	CardHealth
	// CardStaff is a facilitator's or volunteer's card.
	CardStaff
)

// Card is one card tap from a reader.
type Card struct {
	Kind CardKind
	// ID is the card's identifier (for CardHealth, the codice fiscale).
	ID string
}

// Notice is a message shown in a banner: a confirmation or a plain-words
// error with what to do next.
type Notice struct {
	ID    i18n.ID
	Args  []any
	Error bool
}

// IdleView is what the idle overlay shows.
type IdleView struct {
	Warning bool
	// Seconds left before the reset, while Warning.
	Seconds int
}

// Deps are the ports and settings App needs.
type Deps struct {
	Catalog  Catalog
	Progress Progress
	Queue    Queue
	Staff    Staff
	Services Services
	Sessions Sessions
	Loans    Loans
	Printer  Printer
	Sensors  Sensors
	Sync     SyncStatus
	// Notices may be nil: no notice banner is shown.
	Notices NoticeBoard
	// Speech may be nil: the read-aloud button is then hidden.
	Speech Speaker
	Clock  clock.Clock
	// Lang is the language at start and after a reset.
	Lang        string
	IdleTimeout time.Duration
	IdleWarning time.Duration
	// CallTimeout bounds each call to a port (default 5 s).
	CallTimeout time.Duration
}

// App is the whole UI state. Its methods are called from the UI goroutine
// only (fyne callbacks, or fyne.Do from background loops).
type App struct {
	d         Deps
	defaults  Prefs
	prefs     Prefs
	screen    Screen
	back      []Screen
	idle      Idle
	touched   bool
	lastPhase Phase
	listeners []func()
	batch     int
	pending   bool

	notice  Notice
	cit     citizen
	staff   staffSession
	air     airState
	reading bool
}

type citizen struct {
	topic     string
	level     int
	lesson    Lesson
	quiz      quizState
	guide     Guide
	checked   map[int]bool
	ticket    *Ticket
	savedCode string
	code      string // typed resume code
	learner   string // the card or code the citizen used in this visit
}

type quizState struct {
	cert      *Certificate
	answers   []int
	questions []Question
	index     int
	chosen    int // -1 until answered
	score     int
	done      bool
}

type staffSession struct {
	card    string
	pin     string
	member  *Member
	current *Ticket
	draft   ServiceRecord
	first   *firstVisit // the first-visit questions, once Record asked for them
	// typingCF is set while the codice fiscale keyboard is shown.
	typingCF bool
	session  *Session
	present  []Attendee
}

type airState struct {
	quantity string
	week     bool
}

// New returns the state at the home screen.
func New(d Deps) *App {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if !i18n.Supported(d.Lang) {
		d.Lang = i18n.Source
	}
	if d.IdleTimeout <= 0 {
		d.IdleTimeout = 120 * time.Second
	}
	if d.IdleWarning <= 0 {
		d.IdleWarning = 30 * time.Second
	}
	if d.CallTimeout <= 0 {
		d.CallTimeout = 5 * time.Second
	}
	a := &App{d: d, defaults: Prefs{Lang: d.Lang}, idle: Idle{Timeout: d.IdleTimeout, Warn: d.IdleWarning}}
	a.reset()
	return a
}

// Subscribe registers fn to run after every change of state.
func (a *App) Subscribe(fn func()) { a.listeners = append(a.listeners, fn) }

// Batch runs fn and notifies the listeners once at the end, however many
// changes fn makes (used to set up a screen in one step).
func (a *App) Batch(fn func()) {
	a.batch++
	fn()
	a.batch--
	if a.batch == 0 && a.pending {
		a.pending = false
		a.changed()
	}
}

func (a *App) changed() {
	if a.batch > 0 {
		a.pending = true
		return
	}
	for _, fn := range a.listeners {
		fn()
	}
}

// act marks user activity: it restarts the idle countdown and clears the
// previous notice.
func (a *App) act() {
	a.touched = true
	a.idle.Touch(a.d.Clock.Now())
	a.lastPhase = Active
	a.notice = Notice{}
}

func (a *App) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), a.d.CallTimeout)
}

func (a *App) fail(err error) {
	a.notice = Notice{ID: ErrorMessage(err), Error: true}
}

// ErrorMessage maps an error to the message ID of a plain sentence that
// says what happened and what to do next. No raw error reaches the screen.
func ErrorMessage(err error) i18n.ID {
	switch {
	case errors.Is(err, ErrLocked):
		return i18n.ID("error.locked")
	case errors.Is(err, ErrWrongPIN):
		return i18n.ID("error.wrong_pin_again")
	case errors.Is(err, ErrUnknownCard):
		return i18n.ID("error.unknown_card")
	case errors.Is(err, ErrQueueEmpty):
		return i18n.ID("error.queue_empty")
	case errors.Is(err, ErrInvalidCF):
		return i18n.ID("error.invalid_cf")
	case errors.Is(err, ErrNotFound):
		return i18n.ID("error.not_found")
	case errors.Is(err, ErrOffline):
		return i18n.ID("error.device")
	case errors.Is(err, context.DeadlineExceeded):
		return i18n.ID("error.slow")
	default:
		return i18n.ID("error.generic")
	}
}

// Screen is the screen showing.
func (a *App) Screen() Screen { return a.screen }

// CanGoBack reports whether Back has somewhere to go.
func (a *App) CanGoBack() bool { return len(a.back) > 0 }

// Prefs are the current display preferences.
func (a *App) Prefs() Prefs { return a.prefs }

// Notice is the banner to show, if its ID is not empty.
func (a *App) Notice() Notice { return a.notice }

// Go shows screen s, remembering the current one for Back. Staff screens
// without a login go to the login screen.
func (a *App) Go(s Screen) {
	a.act()
	a.goTo(s)
	a.changed()
}

func (a *App) goTo(s Screen) {
	if s.staff() && a.staff.member == nil {
		s = StaffLogin
	}
	if s == a.screen {
		return
	}
	a.stopReading()
	if s == Home {
		a.back = nil
	} else {
		a.back = append(a.back, a.screen)
	}
	a.screen = s
	switch s {
	case Air:
		if a.air.quantity == "" {
			a.air.quantity = "co2"
		}
	case StaffLogin:
		a.staff.pin = ""
	}
}

// Back returns to the previous screen.
func (a *App) Back() {
	a.act()
	a.stopReading()
	if n := len(a.back); n > 0 {
		a.screen = a.back[n-1]
		a.back = a.back[:n-1]
	} else {
		a.screen = Home
	}
	if a.screen.staff() && a.staff.member == nil {
		a.screen = StaffLogin
	}
	a.changed()
}

// Home goes to the home screen (citizen or staff, for a logged-in member).
func (a *App) Home() {
	a.act()
	if a.staff.member != nil {
		a.goTo(StaffHome)
		a.back = nil
	} else {
		a.goTo(Home)
	}
	a.changed()
}

// SetLanguage switches the language at once; the screen stays.
func (a *App) SetLanguage(tag string) {
	if !i18n.Supported(tag) {
		return
	}
	a.act()
	a.prefs.Lang = tag
	a.reloadContent()
	if a.screen == Languages {
		a.screen = a.popOr(Home)
	}
	a.changed()
}

func (a *App) popOr(s Screen) Screen {
	if n := len(a.back); n > 0 {
		p := a.back[n-1]
		a.back = a.back[:n-1]
		return p
	}
	return s
}

// reloadContent fetches the open lesson and guide again in the new
// language.
func (a *App) reloadContent() {
	ctx, cancel := a.ctx()
	defer cancel()
	if a.cit.lesson.CourseID != "" {
		if l, err := a.d.Catalog.Lesson(ctx, a.prefs.Lang, a.cit.lesson.CourseID, a.cit.lesson.Index); err == nil {
			a.cit.lesson = l
		}
	}
	if a.cit.guide.ID != "" {
		if g, err := a.d.Catalog.Guide(ctx, a.prefs.Lang, a.cit.guide.ID); err == nil {
			a.cit.guide = g
		}
	}
	if c := a.cit.quiz.cert; c != nil {
		c.CourseTitle = a.courseTitle(a.cit.lesson.CourseID)
	}
	if len(a.cit.quiz.questions) > 0 {
		if q, err := a.d.Catalog.Quiz(ctx, a.prefs.Lang, a.cit.lesson.CourseID); err == nil && len(q) == len(a.cit.quiz.questions) {
			a.cit.quiz.questions = q
		}
	}
}

// SetLargeText turns the large-text theme on or off.
func (a *App) SetLargeText(on bool) { a.act(); a.prefs.LargeText = on; a.changed() }

// SetHighContrast turns the high-contrast theme on or off.
func (a *App) SetHighContrast(on bool) { a.act(); a.prefs.HighContrast = on; a.changed() }

// Touch records a touch anywhere on the screen (it restarts the idle
// countdown, which is what "I need more time" does).
func (a *App) Touch() {
	was := a.lastPhase
	a.idle.Touch(a.d.Clock.Now())
	a.lastPhase = Active
	if was != Active {
		a.changed()
	}
}

// Tick is called about once a second. It shows the idle warning, counts
// down and finally resets the session to the home screen.
func (a *App) Tick() IdleView {
	if !a.touched {
		return IdleView{}
	}
	phase, _ := a.idle.At(a.d.Clock.Now())
	switch phase {
	case Expired:
		a.Reset()
		return IdleView{}
	case Warning:
		a.lastPhase = Warning
		a.changed()
		return a.IdleView()
	}
	return IdleView{}
}

// IdleView is the idle overlay's state now.
func (a *App) IdleView() IdleView {
	if !a.touched {
		return IdleView{}
	}
	phase, left := a.idle.At(a.d.Clock.Now())
	if phase != Warning {
		return IdleView{}
	}
	return IdleView{Warning: true, Seconds: int((left + time.Second - 1) / time.Second)}
}

// Reset clears every personal thing, logs staff out, restores the default
// language and display, and shows the home screen.
func (a *App) Reset() {
	a.reset()
	a.changed()
}

func (a *App) reset() {
	a.stopReading()
	a.prefs = a.defaults
	a.screen = Home
	a.back = nil
	a.notice = Notice{}
	a.cit = citizen{checked: map[int]bool{}, quiz: quizState{chosen: -1}}
	a.staff = staffSession{}
	a.air = airState{}
	a.touched = false
	a.lastPhase = Active
	a.idle.Touch(a.d.Clock.Now())
}

// Courses returns the courses matching the topic and level filters.
func (a *App) Courses() []CourseItem {
	ctx, cancel := a.ctx()
	defer cancel()
	all, err := a.d.Catalog.Courses(ctx, a.prefs.Lang)
	if err != nil {
		a.fail(err)
		return nil
	}
	var out []CourseItem
	for _, c := range all {
		if a.cit.level != 0 && levelBand(c.Level) != a.cit.level {
			continue
		}
		if a.cit.topic != "" && !slices.ContainsFunc(c.Topics, func(t string) bool { return strings.EqualFold(t, a.cit.topic) }) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// levelBand groups DigComp levels 1–8 into 1 foundation, 2 intermediate,
// 3 advanced (5–8).
func levelBand(level int) int {
	switch {
	case level <= 2:
		return 1
	case level <= 4:
		return 2
	default:
		return 3
	}
}

// Topics returns every topic of every course, sorted, for the filter chips.
func (a *App) Topics() []string {
	ctx, cancel := a.ctx()
	defer cancel()
	all, err := a.d.Catalog.Courses(ctx, a.prefs.Lang)
	if err != nil {
		return nil
	}
	var ts []string
	for _, c := range all {
		for _, t := range c.Topics {
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
	}
	slices.Sort(ts)
	return ts
}

// Filter returns the topic ("" any) and level band (0 any, 1–3).
func (a *App) Filter() (topic string, level int) { return a.cit.topic, a.cit.level }

// SetTopic filters courses by topic; the same topic again clears it.
func (a *App) SetTopic(t string) {
	a.act()
	if a.cit.topic == t {
		t = ""
	}
	a.cit.topic = t
	a.changed()
}

// SetLevel filters by level band (0 clears).
func (a *App) SetLevel(l int) { a.act(); a.cit.level = l; a.changed() }

// OpenCourse opens a course at its first lesson.
func (a *App) OpenCourse(id string) { a.act(); a.openLesson(id, 0); a.changed() }

func (a *App) openLesson(id string, index int) bool {
	ctx, cancel := a.ctx()
	defer cancel()
	l, err := a.d.Catalog.Lesson(ctx, a.prefs.Lang, id, index)
	if err != nil {
		a.fail(err)
		return false
	}
	a.stopReading()
	a.cit.lesson = l
	a.cit.savedCode = ""
	a.goTo(LessonView)
	return true
}

// Lesson is the open lesson.
func (a *App) Lesson() Lesson { return a.cit.lesson }

// NextLesson moves to the next lesson, or to the quiz after the last.
func (a *App) NextLesson() {
	a.act()
	l := a.cit.lesson
	if l.Index+1 < l.Count {
		a.openLessonInPlace(l.CourseID, l.Index+1)
	} else {
		a.startQuiz()
	}
	a.changed()
}

// PrevLesson moves to the previous lesson.
func (a *App) PrevLesson() {
	a.act()
	if l := a.cit.lesson; l.Index > 0 {
		a.openLessonInPlace(l.CourseID, l.Index-1)
	}
	a.changed()
}

func (a *App) openLessonInPlace(id string, index int) {
	ctx, cancel := a.ctx()
	defer cancel()
	l, err := a.d.Catalog.Lesson(ctx, a.prefs.Lang, id, index)
	if err != nil {
		a.fail(err)
		return
	}
	a.stopReading()
	a.cit.lesson = l
	a.cit.savedCode = ""
}

// SaveWithCode keeps the citizen's place and shows a code to resume with.
func (a *App) SaveWithCode() {
	a.act()
	ctx, cancel := a.ctx()
	defer cancel()
	code, err := a.d.Progress.SaveWithCode(ctx, a.place())
	if err != nil {
		a.fail(err)
	} else {
		a.cit.savedCode = code
		a.cit.learner = code
		a.notice = Notice{ID: i18n.ID("progress.saved_code"), Args: []any{"Code", code}}
	}
	a.changed()
}

// SavedCode is the code shown after SaveWithCode.
func (a *App) SavedCode() string { return a.cit.savedCode }

func (a *App) place() Place {
	return Place{CourseID: a.cit.lesson.CourseID, Lesson: a.cit.lesson.Index}
}

// ResumeCode is the code typed so far on the resume screen.
func (a *App) ResumeCode() string { return a.cit.code }

// TypeCode adds a character to the resume code ("" deletes the last one).
func (a *App) TypeCode(ch string) {
	a.act()
	switch {
	case ch == "":
		if n := len(a.cit.code); n > 0 {
			a.cit.code = a.cit.code[:n-1]
		}
	case len(a.cit.code) < 8:
		a.cit.code += ch
	}
	a.changed()
}

// ResumeWithCode opens the lesson saved under the typed code.
func (a *App) ResumeWithCode() {
	a.act()
	a.resume(a.cit.code)
	a.changed()
}

func (a *App) resume(key string) {
	ctx, cancel := a.ctx()
	p, err := a.d.Progress.Resume(ctx, key)
	cancel()
	if err != nil {
		a.fail(err)
		return
	}
	a.cit.learner = key
	if a.openLesson(p.CourseID, p.Lesson) {
		a.cit.code = ""
		a.notice = Notice{ID: i18n.ID("progress.resumed")}
	}
}

// CardTapped handles a card read on any screen: a staff card starts the
// login, a health card fills the service record, a citizen card saves the
// place in a lesson or resumes it elsewhere.
func (a *App) CardTapped(c Card) {
	a.act()
	switch {
	case c.Kind == CardStaff:
		if a.staff.member == nil {
			a.goTo(StaffLogin)
			a.staff.card = c.ID
			a.staff.pin = ""
		}
	case c.Kind == CardHealth && a.screen == Record:
		if a.staff.draft.CF != c.ID {
			a.staff.first = nil
		}
		a.staff.draft.CF = c.ID
		a.notice = Notice{ID: i18n.ID("record.card_read")}
	case c.Kind == CardHealth:
		// A health card identifies a person only for a service record.
	case a.screen == Attendance && a.staff.session != nil:
		a.attend(c.ID)
	case a.screen == LessonView:
		ctx, cancel := a.ctx()
		err := a.d.Progress.SaveByCard(ctx, c.ID, a.place())
		cancel()
		if err != nil {
			a.fail(err)
		} else {
			a.cit.learner = c.ID
			a.notice = Notice{ID: i18n.ID("progress.saved_card")}
		}
	case a.staff.member == nil:
		a.resume(c.ID)
	}
	a.changed()
}

// StartQuiz opens the open course's quiz.
func (a *App) StartQuiz() { a.act(); a.startQuiz(); a.changed() }

func (a *App) startQuiz() {
	ctx, cancel := a.ctx()
	defer cancel()
	q, err := a.d.Catalog.Quiz(ctx, a.prefs.Lang, a.cit.lesson.CourseID)
	if err != nil {
		a.fail(err)
		return
	}
	if len(q) == 0 {
		a.notice = Notice{ID: i18n.ID("quiz.none")}
		return
	}
	a.cit.quiz = quizState{questions: q, chosen: -1}
	a.goTo(QuizView)
}

// Quiz is the quiz's view model.
type Quiz struct {
	Index, Count int
	Question     Question
	// Chosen is the answer picked for this question, -1 before.
	Chosen int
	Done   bool
	Score  int
}

// Quiz returns the quiz's state.
func (a *App) Quiz() Quiz {
	q := a.cit.quiz
	v := Quiz{Index: q.index, Count: len(q.questions), Chosen: q.chosen, Done: q.done, Score: q.score}
	if q.index < len(q.questions) {
		v.Question = q.questions[q.index]
	}
	return v
}

// Answer picks choice i for the current question; a second tap changes
// nothing.
func (a *App) Answer(i int) {
	a.act()
	q := &a.cit.quiz
	if q.done || q.chosen >= 0 || q.index >= len(q.questions) || i < 0 || i >= len(q.questions[q.index].Choices) {
		return
	}
	q.chosen = i
	q.answers = append(q.answers, i)
	if i == q.questions[q.index].Correct {
		q.score++
	}
	a.changed()
}

// NextQuestion moves on after an answer.
func (a *App) NextQuestion() {
	a.act()
	q := &a.cit.quiz
	if q.chosen < 0 {
		return
	}
	q.chosen = -1
	if q.index+1 < len(q.questions) {
		q.index++
	} else {
		q.done = true
		a.finishQuiz()
	}
	a.changed()
}

// Guides lists the e-service guides.
func (a *App) Guides() []GuideItem {
	ctx, cancel := a.ctx()
	defer cancel()
	gs, err := a.d.Catalog.Guides(ctx, a.prefs.Lang)
	if err != nil {
		a.fail(err)
	}
	return gs
}

// OpenGuide opens a guide with an empty checklist.
func (a *App) OpenGuide(id string) {
	a.act()
	ctx, cancel := a.ctx()
	g, err := a.d.Catalog.Guide(ctx, a.prefs.Lang, id)
	cancel()
	if err != nil {
		a.fail(err)
	} else {
		a.stopReading()
		a.cit.guide = g
		a.cit.checked = map[int]bool{}
		a.goTo(GuideView)
	}
	a.changed()
}

// Guide is the open guide.
func (a *App) Guide() Guide { return a.cit.guide }

// Checked reports whether checklist item i is ticked.
func (a *App) Checked(i int) bool { return a.cit.checked[i] }

// ToggleCheck ticks or unticks checklist item i.
func (a *App) ToggleCheck(i int) { a.act(); a.cit.checked[i] = !a.cit.checked[i]; a.changed() }

// TakeTicket takes a queue ticket for topic (a guide ID or "").
func (a *App) TakeTicket(topic string) {
	a.act()
	ctx, cancel := a.ctx()
	t, err := a.d.Queue.Take(ctx, topic)
	cancel()
	if err != nil {
		a.fail(err)
	} else {
		a.cit.ticket = &t
		a.goTo(TicketView)
	}
	a.changed()
}

// Ticket is the citizen's ticket, nil before one is taken.
func (a *App) Ticket() *Ticket { return a.cit.ticket }

// CanReadAloud reports whether the open lesson or guide can be read aloud.
func (a *App) CanReadAloud() bool {
	if a.d.Speech == nil {
		return false
	}
	text, audio := a.readable()
	return text != "" && a.d.Speech.CanSpeak(a.speakLang(), audio)
}

// speakLang is the language of the text being read: Italian when the
// content fell back to it.
func (a *App) speakLang() string {
	if a.screen == LessonView && a.cit.lesson.Fallback || a.screen == GuideView && a.cit.guide.Fallback {
		return i18n.Source
	}
	return a.prefs.Lang
}

// Reading reports whether read-aloud is playing.
func (a *App) Reading() bool { return a.reading }

func (a *App) readable() (text, audio string) {
	switch a.screen {
	case LessonView:
		return a.cit.lesson.Title + ".\n" + a.cit.lesson.Body, a.cit.lesson.Audio
	case GuideView:
		g := a.cit.guide
		return g.Title + ".\n" + g.Intro + "\n" + strings.Join(g.Steps, "\n"), g.Audio
	}
	return "", ""
}

// ToggleReadAloud starts or stops reading the open lesson or guide.
func (a *App) ToggleReadAloud() {
	a.act()
	if a.reading {
		a.stopReading()
	} else if a.CanReadAloud() {
		text, audio := a.readable()
		if err := a.d.Speech.Speak(context.Background(), a.speakLang(), text, audio); err != nil {
			a.fail(err)
		} else {
			a.reading = true
		}
	}
	a.changed()
}

func (a *App) stopReading() {
	if a.reading && a.d.Speech != nil {
		a.d.Speech.Stop()
	}
	a.reading = false
}
