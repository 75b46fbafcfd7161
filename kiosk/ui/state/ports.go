package state

import (
	"context"
	"errors"
	"time"
)

// The ports below are what the UI needs from the rest of the kiosk. Each is
// small and view-model shaped: text arrives already in the asked language
// (or in Italian with Fallback set), and errors are the sentinels at the end
// of this file so the UI can turn them into plain sentences.

// CourseItem is one course in the browser.
type CourseItem struct {
	ID      string
	Title   string
	Summary string
	// Level is the DigComp proficiency level, 1–8.
	Level int
	// Topics are short keywords a citizen can filter by ("SPID", "App IO").
	Topics  []string
	Lessons int
	// Fallback is true when the text is in Italian because the asked
	// language has no translation.
	Fallback bool
}

// Lesson is one lesson's text.
type Lesson struct {
	CourseID string
	Index    int // 0-based
	Count    int // lessons in the course
	Title    string
	// Body is Markdown.
	Body string
	// Audio is a recorded reading of Body in the shown language ("" if none).
	Audio    string
	Fallback bool
}

// Question is one multiple-choice quiz question.
type Question struct {
	Text    string
	Choices []string
	Correct int
}

// GuideItem is one e-service guide in the list.
type GuideItem struct {
	ID       string
	Title    string
	Fallback bool
}

// Guide is a step-by-step e-service guide with the documents to bring.
type Guide struct {
	ID        string
	Title     string
	Intro     string
	Steps     []string
	Checklist []string
	Audio     string
	// Domain is the Facilita SE6 code (e.g. "A" for App IO), used to
	// prefill the service record.
	Domain   string
	Fallback bool
}

// Catalog is the course and guide catalogue.
type Catalog interface {
	Courses(ctx context.Context, lang string) ([]CourseItem, error)
	Lesson(ctx context.Context, lang, courseID string, index int) (Lesson, error)
	Quiz(ctx context.Context, lang, courseID string) ([]Question, error)
	Guides(ctx context.Context, lang string) ([]GuideItem, error)
	Guide(ctx context.Context, lang, id string) (Guide, error)
}

// Place is where a citizen stopped in a course.
type Place struct {
	CourseID string
	Lesson   int
}

// Progress remembers a citizen's place by card or by a printed code.
type Progress interface {
	// SaveByCard records the place under a card ID.
	SaveByCard(ctx context.Context, card string, p Place) error
	// SaveWithCode records the place and returns a short code to print or
	// write down.
	SaveWithCode(ctx context.Context, p Place) (string, error)
	// Resume finds a place by card ID or code; ErrNotFound when none.
	Resume(ctx context.Context, cardOrCode string) (Place, error)
	// FinishQuiz records a finished quiz in the learning record and, when
	// it passes and completes the course, issues its certificate (nil
	// otherwise).
	FinishQuiz(ctx context.Context, q QuizAttempt) (*Certificate, error)
}

// QuizAttempt is a finished quiz.
type QuizAttempt struct {
	// Place is the course and the lesson the quiz was opened from (the
	// lessons up to it count as read).
	Place Place
	// Answers are the chosen choice per question.
	Answers []int
	// Learner is the card or code the citizen used in this visit; "" makes
	// a new pseudonymous learner, whose code the certificate carries.
	Learner string
}

// Ticket is a queue ticket.
type Ticket struct {
	ID     string
	Number string // shown, e.g. "A012"
	// Topic is the guide ID the citizen needs help with ("" for other).
	Topic string
	// Ahead is how many people wait before this ticket.
	Ahead    int
	IssuedAt time.Time
}

// Queue is the help queue.
type Queue interface {
	Take(ctx context.Context, topic string) (Ticket, error)
	Waiting(ctx context.Context) ([]Ticket, error)
	// CallNext takes the oldest waiting ticket; ErrQueueEmpty if none.
	CallNext(ctx context.Context, staffID string) (Ticket, error)
}

// Member is a logged-in facilitator or volunteer.
type Member struct {
	ID   string
	Name string
	// Role is "facilitator" or "volunteer".
	Role string
}

// LoginError is returned by Staff.Login for a wrong PIN.
type LoginError struct {
	// Left is how many attempts remain before the card locks.
	Left int
}

func (e *LoginError) Error() string { return "staff: wrong pin" }

// Is makes errors.Is(err, ErrWrongPIN) true.
func (e *LoginError) Is(target error) bool { return target == ErrWrongPIN }

// Staff checks card + PIN.
type Staff interface {
	// Login returns the member, a *LoginError (wrong PIN), ErrLocked or
	// ErrUnknownCard.
	Login(ctx context.Context, card, pin string) (Member, error)
}

// ServiceRecord is one service given, as the facilitator confirms it.
type ServiceRecord struct {
	StaffID  string
	TicketID string
	// CF is the codice fiscale read from the health card or typed.
	CF string
	// Type is the Facilita SE3 code (A individual facilitation, …).
	Type string
	// Domain is the SE6 code, prefilled from the guide in use.
	Domain  string
	Minutes int
	Notes   string
	// First carries the first-visit answers; nil for a returning citizen.
	First *FirstVisit
}

// Services records services given.
type Services interface {
	// Record stores r; ErrInvalidCF when the codice fiscale is wrong,
	// ErrFirstVisit when the citizen is new and r.First is nil.
	Record(ctx context.Context, r ServiceRecord) error
}

// Attendee is one person marked present at a session.
type Attendee struct {
	// Label is what the staff screen shows: a card's short form, never a
	// full name or codice fiscale.
	Label string
	At    time.Time
}

// Session is an open course or intergenerational session.
type Session struct {
	ID       string
	CourseID string
	// Kind is "course" (a facilitator's class) or "intergenerational"
	// (a volunteer's session).
	Kind string
}

// Sessions records course sessions and their attendance.
type Sessions interface {
	Open(ctx context.Context, staffID, courseID, kind string) (Session, error)
	// Attend marks a card present; ErrAlreadyPresent if it already is.
	Attend(ctx context.Context, sessionID, card string) (Attendee, error)
	Close(ctx context.Context, sessionID string) error
}

// Loan is a device lent to a citizen.
type Loan struct {
	Device string // e.g. "Tablet 3"
	// Borrower is a short label (card suffix), never a full name.
	Borrower string
	Due      time.Time
}

// Loans lists the devices out on loan.
type Loans interface {
	Open(ctx context.Context) ([]Loan, error)
}

// Certificate is what a citizen gets for passing a course's quiz.
type Certificate struct {
	CourseTitle string
	Date        time.Time
	// Code lets anyone check the certificate at the facilitation point;
	// the learning record issues it.
	Code string
	// Name is the citizen's pseudonymous code (no name is asked).
	Name string
	// DigComp are the competences ("2.3"), Level the DigComp level (1–8).
	DigComp []string
	Level   int
	// Hub is the facilitation point's name.
	Hub string
}

// Printer prints receipts: tickets, codes, certificates.
type Printer interface {
	PrintCertificate(ctx context.Context, c Certificate, lang string) error
}

// Reading is one live sensor value.
type Reading struct {
	// Quantity is one of "temperature", "humidity", "pressure", "co2",
	// "pm25", "pm10", "voc".
	Quantity string
	Value    float64
	Unit     string
	At       time.Time
}

// Point is one value of a series.
type Point struct {
	At    time.Time
	Value float64
}

// Sensors gives air-quality values.
type Sensors interface {
	Latest(ctx context.Context) ([]Reading, error)
	Series(ctx context.Context, quantity string, window time.Duration) ([]Point, error)
}

// DeviceState is one device's health on the status screen.
type DeviceState struct {
	Name   string
	OK     bool
	Detail string
}

// SyncState is what the status screen shows.
type SyncState struct {
	HubConfigured bool
	LastSync      time.Time // zero: never
	Backlog       int
	Devices       []DeviceState
	StorageFree   int64 // bytes
	Version       string
}

// SyncStatus reports the kiosk's sync and device state.
type SyncStatus interface {
	Status(ctx context.Context) (SyncState, error)
}

// NoticeBoard gives the hub's notices for this kiosk that are active now
// (closures, changed hours), as the coordinator wrote them.
type NoticeBoard interface {
	Notices(ctx context.Context) ([]string, error)
}

// Speaker reads text aloud.
type Speaker interface {
	// CanSpeak reports whether text in lang, or the recorded audio file,
	// can be played; the read-aloud button is hidden when it cannot.
	CanSpeak(lang, audio string) bool
	// Speak starts reading and returns at once; Stop ends it.
	Speak(ctx context.Context, lang, text, audio string) error
	Stop()
}

// Errors the UI explains in plain words.
var (
	ErrNotFound    = errors.New("not found")
	ErrQueueEmpty  = errors.New("queue: no one is waiting")
	ErrWrongPIN    = errors.New("staff: wrong pin")
	ErrLocked      = errors.New("staff: card locked after too many wrong pins")
	ErrUnknownCard = errors.New("staff: unknown card")
	ErrInvalidCF   = errors.New("codice fiscale is not valid")
	ErrOffline     = errors.New("device not available")
	ErrAlreadyIn   = errors.New("session: card already marked present")
)
