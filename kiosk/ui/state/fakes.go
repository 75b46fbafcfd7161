package state

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
)

// The fakes below back the UI tests and `officina run --demo` until the
// lead wires the real packages to the ports. Their fields are exported so a
// test can set them up or look inside.

// FakeCourse is one course of FakeCatalog, with text per language.
type FakeCourse struct {
	ID      string
	Level   int
	Topics  []string
	Title   map[string]string
	Summary map[string]string
	Lessons []FakeLesson
	Quiz    map[string][]Question
}

// FakeLesson is one lesson of a FakeCourse.
type FakeLesson struct {
	Title, Body map[string]string
	Audio       string
}

// FakeGuide is one guide of FakeCatalog.
type FakeGuide struct {
	ID        string
	Domain    string
	Title     map[string]string
	Intro     map[string]string
	Steps     map[string][]string
	Checklist map[string][]string
}

// FakeCatalog is an in-memory catalogue. Text missing in a language falls
// back to Italian with Fallback set, as the real catalogue does.
type FakeCatalog struct {
	CourseList []FakeCourse
	GuideList  []FakeGuide
	// Err, when set, is returned by every call.
	Err error
}

func pick(m map[string]string, lang string) (string, bool) {
	if s, ok := m[lang]; ok {
		return s, false
	}
	return m["it"], lang != "it"
}

func (f *FakeCatalog) course(id string) (FakeCourse, error) {
	for _, c := range f.CourseList {
		if c.ID == id {
			return c, nil
		}
	}
	return FakeCourse{}, fmt.Errorf("course %q: %w", id, ErrNotFound)
}

// Courses implements Catalog.
func (f *FakeCatalog) Courses(ctx context.Context, lang string) ([]CourseItem, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	var out []CourseItem
	for _, c := range f.CourseList {
		t, fb := pick(c.Title, lang)
		s, fb2 := pick(c.Summary, lang)
		out = append(out, CourseItem{ID: c.ID, Title: t, Summary: s, Level: c.Level, Topics: c.Topics, Lessons: len(c.Lessons), Fallback: fb || fb2})
	}
	return out, nil
}

// Lesson implements Catalog.
func (f *FakeCatalog) Lesson(ctx context.Context, lang, courseID string, index int) (Lesson, error) {
	if f.Err != nil {
		return Lesson{}, f.Err
	}
	c, err := f.course(courseID)
	if err != nil {
		return Lesson{}, err
	}
	if index < 0 || index >= len(c.Lessons) {
		return Lesson{}, fmt.Errorf("lesson %d of %s: %w", index, courseID, ErrNotFound)
	}
	l := c.Lessons[index]
	t, fb := pick(l.Title, lang)
	b, fb2 := pick(l.Body, lang)
	audio := ""
	if !fb2 {
		audio = l.Audio
	}
	return Lesson{CourseID: courseID, Index: index, Count: len(c.Lessons), Title: t, Body: b, Audio: audio, Fallback: fb || fb2}, nil
}

// Quiz implements Catalog.
func (f *FakeCatalog) Quiz(ctx context.Context, lang, courseID string) ([]Question, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	c, err := f.course(courseID)
	if err != nil {
		return nil, err
	}
	if q, ok := c.Quiz[lang]; ok {
		return q, nil
	}
	return c.Quiz["it"], nil
}

// Guides implements Catalog.
func (f *FakeCatalog) Guides(ctx context.Context, lang string) ([]GuideItem, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	var out []GuideItem
	for _, g := range f.GuideList {
		t, fb := pick(g.Title, lang)
		out = append(out, GuideItem{ID: g.ID, Title: t, Fallback: fb})
	}
	return out, nil
}

// Guide implements Catalog.
func (f *FakeCatalog) Guide(ctx context.Context, lang, id string) (Guide, error) {
	if f.Err != nil {
		return Guide{}, f.Err
	}
	for _, g := range f.GuideList {
		if g.ID != id {
			continue
		}
		t, fb := pick(g.Title, lang)
		in, fb2 := pick(g.Intro, lang)
		steps, ok := g.Steps[lang]
		if !ok {
			steps = g.Steps["it"]
		}
		check, ok2 := g.Checklist[lang]
		if !ok2 {
			check = g.Checklist["it"]
		}
		return Guide{ID: id, Title: t, Intro: in, Steps: steps, Checklist: check, Domain: g.Domain, Fallback: fb || fb2 || !ok || !ok2}, nil
	}
	return Guide{}, fmt.Errorf("guide %q: %w", id, ErrNotFound)
}

// FakeProgress keeps places in memory.
type FakeProgress struct {
	mu     sync.Mutex
	Places map[string]Place
	next   int
	// Catalog has the questions FinishQuiz marks against (nil: no quiz
	// passes); Attempts are the quizzes finished.
	Catalog  Catalog
	Clock    clock.Clock
	Attempts []QuizAttempt
}

// SaveByCard implements Progress.
func (f *FakeProgress) SaveByCard(ctx context.Context, card string, p Place) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Places == nil {
		f.Places = map[string]Place{}
	}
	f.Places[card] = p
	return nil
}

// SaveWithCode implements Progress; codes are 6 digits.
func (f *FakeProgress) SaveWithCode(ctx context.Context, p Place) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Places == nil {
		f.Places = map[string]Place{}
	}
	f.next++
	code := fmt.Sprintf("%06d", (f.next*7919+104729)%1000000)
	f.Places[code] = p
	return code, nil
}

// FinishQuiz implements Progress: at least half right passes, and the
// certificate's code is numbered in order.
func (f *FakeProgress) FinishQuiz(ctx context.Context, q QuizAttempt) (*Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Attempts = append(f.Attempts, q)
	if f.Catalog == nil {
		return nil, nil
	}
	qs, err := f.Catalog.Quiz(ctx, "it", q.Place.CourseID)
	if err != nil {
		return nil, err
	}
	score := 0
	for i, a := range q.Answers {
		if i < len(qs) && a == qs[i].Correct {
			score++
		}
	}
	if 2*score < len(qs) {
		return nil, nil
	}
	name := q.Learner
	if name == "" {
		name = "OFC-ANON"
	}
	return &Certificate{Code: fmt.Sprintf("OFC-%04d-TEST", len(f.Attempts)), Name: name, Date: f.Clock.Now(), Hub: "Demo"}, nil
}

// Resume implements Progress.
func (f *FakeProgress) Resume(ctx context.Context, key string) (Place, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.Places[key]
	if !ok {
		return Place{}, ErrNotFound
	}
	return p, nil
}

// FakeQueue is an in-memory queue numbering tickets A001, A002, ….
type FakeQueue struct {
	mu      sync.Mutex
	Clock   clock.Clock
	Tickets []Ticket // waiting, oldest first
	Called  []Ticket
	n       int
}

// Take implements Queue.
func (f *FakeQueue) Take(ctx context.Context, topic string) (Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	t := Ticket{ID: fmt.Sprintf("t%d", f.n), Number: fmt.Sprintf("A%03d", f.n), Topic: topic, Ahead: len(f.Tickets)}
	if f.Clock != nil {
		t.IssuedAt = f.Clock.Now()
	}
	f.Tickets = append(f.Tickets, t)
	return t, nil
}

// Waiting implements Queue.
func (f *FakeQueue) Waiting(ctx context.Context) ([]Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Ticket, len(f.Tickets))
	for i, t := range f.Tickets {
		t.Ahead = i
		out[i] = t
	}
	return out, nil
}

// CallNext implements Queue.
func (f *FakeQueue) CallNext(ctx context.Context, staffID string) (Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.Tickets) == 0 {
		return Ticket{}, ErrQueueEmpty
	}
	t := f.Tickets[0]
	f.Tickets = f.Tickets[1:]
	f.Called = append(f.Called, t)
	return t, nil
}

// FakeStaff checks PINs in memory and locks a card after MaxFailures wrong
// PINs in a row, as kiosk/staff does.
type FakeStaff struct {
	mu          sync.Mutex
	Members     map[string]FakeMember // by card
	MaxFailures int                   // 0 means 5
	failures    map[string]int
}

// FakeMember is a card's holder and PIN.
type FakeMember struct {
	Member
	PIN string
}

// Login implements Staff.
func (f *FakeStaff) Login(ctx context.Context, card, pin string) (Member, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.Members[card]
	if !ok {
		return Member{}, ErrUnknownCard
	}
	limit := f.MaxFailures
	if limit == 0 {
		limit = 5
	}
	if f.failures == nil {
		f.failures = map[string]int{}
	}
	if f.failures[card] >= limit {
		return Member{}, ErrLocked
	}
	if pin != m.PIN {
		f.failures[card]++
		if f.failures[card] >= limit {
			return Member{}, ErrLocked
		}
		return Member{}, &LoginError{Left: limit - f.failures[card]}
	}
	f.failures[card] = 0
	return m.Member, nil
}

// FakeServices keeps records in memory. It accepts a codice fiscale of 16
// letters and digits in the right places; the real check (check character,
// omocodia) is kiosk/codicefiscale's.
type FakeServices struct {
	mu      sync.Mutex
	Records []ServiceRecord
	Err     error
	// Register, when set, makes Record act as the citizen register: a
	// codice fiscale not in it needs the first-visit answers, which add it.
	Register map[string]FirstVisit
}

var cfShape = regexp.MustCompile(`^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$`)

// Record implements Services.
func (f *FakeServices) Record(ctx context.Context, r ServiceRecord) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	if !cfShape.MatchString(strings.ToUpper(r.CF)) {
		return ErrInvalidCF
	}
	if f.Register != nil {
		if _, known := f.Register[r.CF]; !known {
			if r.First == nil {
				return ErrFirstVisit
			}
			f.Register[r.CF] = *r.First
		}
	}
	f.Records = append(f.Records, r)
	return nil
}

// FakeSensors makes smooth daily curves from the clock, like a room that
// fills up during opening hours.
type FakeSensors struct {
	Clock clock.Clock
	// Down, when set, makes every call fail as an unplugged sensor does.
	Down bool
}

func (f *FakeSensors) value(q string, t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	day := math.Max(0, math.Sin((h-8)/12*math.Pi)) // 0 at night, 1 mid-afternoon
	switch q {
	case "co2":
		return math.Round(450 + 750*day)
	case "pm25":
		return math.Round((6+5*day)*10) / 10
	case "temperature":
		return math.Round((19+3*day)*10) / 10
	case "humidity":
		return math.Round(45 + 10*day)
	}
	return 0
}

var units = map[string]string{"co2": "ppm", "pm25": "µg/m³", "temperature": "°C", "humidity": "%"}

// Latest implements Sensors.
func (f *FakeSensors) Latest(ctx context.Context) ([]Reading, error) {
	if f.Down {
		return nil, ErrOffline
	}
	now := f.Clock.Now()
	var out []Reading
	for _, q := range Quantities() {
		out = append(out, Reading{Quantity: q, Value: f.value(q, now), Unit: units[q], At: now})
	}
	return out, nil
}

// Series implements Sensors: one point an hour.
func (f *FakeSensors) Series(ctx context.Context, q string, window time.Duration) ([]Point, error) {
	if f.Down {
		return nil, ErrOffline
	}
	now := f.Clock.Now().Truncate(time.Hour)
	var out []Point
	for t := now.Add(-window); !t.After(now); t = t.Add(time.Hour) {
		out = append(out, Point{At: t, Value: f.value(q, t)})
	}
	return out, nil
}

// FakeSessions keeps sessions and attendance in memory.
type FakeSessions struct {
	mu       sync.Mutex
	Clock    clock.Clock
	Opened   []Session
	Closed   []string
	Attended map[string][]string // session → cards
}

// Open implements Sessions.
func (f *FakeSessions) Open(ctx context.Context, staffID, courseID, kind string) (Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := Session{ID: fmt.Sprintf("s%d", len(f.Opened)+1), CourseID: courseID, Kind: kind}
	f.Opened = append(f.Opened, s)
	return s, nil
}

// Attend implements Sessions.
func (f *FakeSessions) Attend(ctx context.Context, sessionID, card string) (Attendee, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Attended == nil {
		f.Attended = map[string][]string{}
	}
	for _, c := range f.Attended[sessionID] {
		if c == card {
			return Attendee{}, ErrAlreadyIn
		}
	}
	f.Attended[sessionID] = append(f.Attended[sessionID], card)
	label := card
	if len(label) > 4 {
		label = "…" + label[len(label)-4:]
	}
	return Attendee{Label: label, At: f.Clock.Now()}, nil
}

// Close implements Sessions.
func (f *FakeSessions) Close(ctx context.Context, sessionID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Closed = append(f.Closed, sessionID)
	return nil
}

// FakeLoans returns List.
type FakeLoans struct {
	List []Loan
	Err  error
}

// Open implements Loans.
func (f *FakeLoans) Open(ctx context.Context) ([]Loan, error) { return f.List, f.Err }

// FakePrinter keeps what it printed; Err simulates a printer out of paper.
type FakePrinter struct {
	Printed []Certificate
	Err     error
}

// PrintCertificate implements Printer.
func (f *FakePrinter) PrintCertificate(ctx context.Context, c Certificate, lang string) error {
	if f.Err != nil {
		return f.Err
	}
	f.Printed = append(f.Printed, c)
	return nil
}

// FakeSync returns State.
type FakeSync struct{ State SyncState }

// Status implements SyncStatus.
func (f *FakeSync) Status(ctx context.Context) (SyncState, error) { return f.State, nil }

// FakeSpeaker records what it was asked to read.
type FakeSpeaker struct {
	Languages []string // those it can speak; empty means none
	Spoken    []string
	Stopped   int
}

// CanSpeak implements Speaker.
func (f *FakeSpeaker) CanSpeak(lang, audio string) bool {
	if audio != "" {
		return true
	}
	for _, l := range f.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Speak implements Speaker.
func (f *FakeSpeaker) Speak(ctx context.Context, lang, text, audio string) error {
	f.Spoken = append(f.Spoken, lang+": "+text)
	return nil
}

// Stop implements Speaker.
func (f *FakeSpeaker) Stop() { f.Stopped++ }

var (
	_ Catalog    = (*FakeCatalog)(nil)
	_ Progress   = (*FakeProgress)(nil)
	_ Queue      = (*FakeQueue)(nil)
	_ Staff      = (*FakeStaff)(nil)
	_ Services   = (*FakeServices)(nil)
	_ Sensors    = (*FakeSensors)(nil)
	_ SyncStatus = (*FakeSync)(nil)
	_ Sessions   = (*FakeSessions)(nil)
	_ Loans      = (*FakeLoans)(nil)
	_ Printer    = (*FakePrinter)(nil)
	_ Speaker    = (*FakeSpeaker)(nil)
)
