// Package learning records citizens' progress through courses as events
// in the kiosk's log: enrolment, lesson completed, quiz attempt (with the
// answers given) and course completed, plus the certificates issued.
//
// A learner is identified by a card (its number is kept only as an HMAC
// under a secret the kiosk holds) or by the short pseudonymous code
// printed on their first receipt, so that people without a card can take
// a course up again next week. No name is stored: a name printed on a
// certificate is given at printing time and not kept.
package learning

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/kiosk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the package's tables, to pass to store.Open.
func Schema() store.Schema { return store.MustSchemaFromFS("learning", migrations, "migrations") }

// Event kinds, each with payload version 1.
const (
	KindLearner     = "learning.learner_created"
	KindEnrolled    = "learning.enrolled"
	KindLesson      = "learning.lesson_completed"
	KindQuiz        = "learning.quiz_attempted"
	KindCompleted   = "learning.course_completed"
	KindCertificate = "learning.certificate_issued"
)

// Errors callers can test with errors.Is.
var (
	ErrUnknownLearner = errors.New("learning: no such learner")
	ErrNotEnrolled    = errors.New("learning: not enrolled in this course")
	ErrNotCompleted   = errors.New("learning: course not completed yet")
	ErrUnknownLesson  = errors.New("learning: the course has no such lesson")
	ErrAnswers        = errors.New("learning: answers do not match the quiz")
)

// Book is the learning record of one kiosk.
type Book struct {
	st       *store.Store
	secret   []byte
	previous []byte // an earlier card secret still recognised; nil if none
	random   io.Reader
}

// New returns a Book writing to st. secret keys the card hashes (the same
// secret must be used across restarts, or card holders are not
// recognised); random draws codes, nil meaning crypto/rand.
func New(st *store.Store, secret []byte, random io.Reader) (*Book, error) {
	if len(secret) < 16 {
		return nil, errors.New("learning: the card secret must be at least 16 bytes")
	}
	if random == nil {
		random = rand.Reader
	}
	return &Book{st: st, secret: secret, random: random}, nil
}

// Learner is someone taking courses.
type Learner struct {
	ID   string // random, stable; what events carry
	Code string // pseudonymous code as printed, "ABCD-EFGH"
}

func (b *Book) cardHash(card string) string { return cardHash(b.secret, card) }

func cardHash(secret []byte, card string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("card\x00" + strings.ToUpper(strings.TrimSpace(card))))
	return hex.EncodeToString(m.Sum(nil))
}

// AcceptPrevious makes cards registered under an earlier secret still
// recognised: the kiosk's device-local secret, replaced by the
// deployment's at enrolment. A card found under it is re-keyed to the
// current secret the first time it is used. Call it before the Book is
// used.
func (b *Book) AcceptPrevious(secret []byte) {
	if len(secret) > 0 && !hmac.Equal(secret, b.secret) {
		b.previous = secret
	}
}

// rekey finds a learner registered under the previous secret and moves
// the card to the current one, inside tx.
func (b *Book) rekey(tx *store.Tx, card string) (Learner, error) {
	var l Learner
	if b.previous == nil {
		return l, sql.ErrNoRows
	}
	if err := tx.QueryRow(`SELECT id, code FROM learning_learners WHERE card_hash = ?`, cardHash(b.previous, card)).Scan(&l.ID, &l.Code); err != nil {
		return l, err
	}
	_, err := tx.Exec(`UPDATE learning_learners SET card_hash = ? WHERE id = ?`, b.cardHash(card), l.ID)
	return l, err
}

// ByCard finds the learner who registered with this card.
func (b *Book) ByCard(ctx context.Context, card string) (Learner, error) {
	l, err := b.find(ctx, `SELECT id, code FROM learning_learners WHERE card_hash = ?`, b.cardHash(card))
	if !errors.Is(err, ErrUnknownLearner) || b.previous == nil {
		return l, err
	}
	err = b.st.Write(ctx, func(tx *store.Tx) error {
		var err error
		l, err = b.rekey(tx, card)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Learner{}, ErrUnknownLearner
	}
	if err != nil {
		return Learner{}, fmt.Errorf("learning: find learner: %w", err)
	}
	return l, nil
}

// ByCode finds the learner with this pseudonymous code, as typed.
func (b *Book) ByCode(ctx context.Context, code string) (Learner, error) {
	c, err := NormalizeCode(code)
	if err != nil {
		return Learner{}, err
	}
	return b.find(ctx, `SELECT id, code FROM learning_learners WHERE code = ?`, c)
}

func (b *Book) find(ctx context.Context, q string, arg string) (Learner, error) {
	var l Learner
	err := b.st.DB().QueryRowContext(ctx, q, arg).Scan(&l.ID, &l.Code)
	if errors.Is(err, sql.ErrNoRows) {
		return Learner{}, ErrUnknownLearner
	}
	if err != nil {
		return Learner{}, fmt.Errorf("learning: find learner: %w", err)
	}
	return l, nil
}

// Register creates a learner with a fresh pseudonymous code, tied to card
// if card is not "". A card already registered returns its learner.
func (b *Book) Register(ctx context.Context, card string) (Learner, error) {
	var l Learner
	err := b.st.Write(ctx, func(tx *store.Tx) error {
		var hash any
		if card != "" {
			h := b.cardHash(card)
			hash = h
			if err := tx.QueryRow(`SELECT id, code FROM learning_learners WHERE card_hash = ?`, h).Scan(&l.ID, &l.Code); err == nil {
				return nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if old, err := b.rekey(tx, card); err == nil {
				l = old
				return nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var raw [16]byte
		if _, err := io.ReadFull(b.random, raw[:]); err != nil {
			return fmt.Errorf("learning: draw id: %w", err)
		}
		l.ID = hex.EncodeToString(raw[:])
		for range 5 { // a collision among 31^7 codes is rare; retry a few times
			code, err := newCode(b.random)
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(`SELECT count(*) FROM learning_learners WHERE code = ?`, code).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				l.Code = code
				break
			}
		}
		if l.Code == "" {
			return errors.New("learning: could not draw a free code")
		}
		ev, err := tx.AppendJSON(KindLearner, 1, map[string]any{"learner": l.ID, "code": l.Code, "card": card != ""})
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO learning_learners(id, code, card_hash, created_ms) VALUES(?, ?, ?, ?)`, l.ID, l.Code, hash, ev.Time.UnixMilli())
		return err
	})
	if err != nil {
		return Learner{}, fmt.Errorf("learning: register: %w", err)
	}
	return l, nil
}

// Enrol enrols the learner in a course; enrolling again changes nothing.
func (b *Book) Enrol(ctx context.Context, l Learner, it *course.Item) error {
	err := b.st.Write(ctx, func(tx *store.Tx) error {
		if err := learnerExists(tx, l.ID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM learning_enrolments WHERE learner = ? AND course = ?`, l.ID, it.ID).Scan(&n); err != nil || n > 0 {
			return err
		}
		ev, err := tx.AppendJSON(KindEnrolled, 1, map[string]any{"learner": l.ID, "course": it.ID, "lessons": len(it.Lessons),
			"digcomp": it.DigComp, "level": it.Level, "se5": it.SE5, "se6": it.SE6})
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO learning_enrolments(learner, course, enrolled_ms, lessons, quiz_total) VALUES(?, ?, ?, ?, ?)`,
			l.ID, it.ID, ev.Time.UnixMilli(), len(it.Lessons), len(it.Quiz))
		return err
	})
	if err != nil {
		return fmt.Errorf("learning: enrol %s: %w", it.ID, err)
	}
	return nil
}

func learnerExists(tx *store.Tx, id string) error {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM learning_learners WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrUnknownLearner
	}
	return nil
}

func enrolled(tx *store.Tx, l Learner, courseID string) error {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM learning_enrolments WHERE learner = ? AND course = ?`, l.ID, courseID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotEnrolled
	}
	return nil
}

// CompleteLesson marks a lesson read. Marking it again changes nothing.
// If it completes the course (every lesson read, the quiz passed), the
// course-completed event is appended in the same transaction.
func (b *Book) CompleteLesson(ctx context.Context, l Learner, it *course.Item, lesson string) error {
	found := false
	for _, ls := range it.Lessons {
		found = found || ls.Name == lesson
	}
	if !found {
		return fmt.Errorf("%w: %s in %s", ErrUnknownLesson, lesson, it.ID)
	}
	err := b.st.Write(ctx, func(tx *store.Tx) error {
		if err := enrolled(tx, l, it.ID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM learning_lessons WHERE learner = ? AND course = ? AND lesson = ?`, l.ID, it.ID, lesson).Scan(&n); err != nil || n > 0 {
			return err
		}
		ev, err := tx.AppendJSON(KindLesson, 1, map[string]any{"learner": l.ID, "course": it.ID, "lesson": lesson})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO learning_lessons(learner, course, lesson, done_ms) VALUES(?, ?, ?, ?)`, l.ID, it.ID, lesson, ev.Time.UnixMilli()); err != nil {
			return err
		}
		return maybeComplete(tx, l, it)
	})
	if err != nil {
		return fmt.Errorf("learning: lesson %s/%s: %w", it.ID, lesson, err)
	}
	return nil
}

// QuizResult is the outcome of one attempt.
type QuizResult struct {
	Correct []bool // per question
	Score   int    // correct answers
	Total   int
	Passed  bool // at least half right
}

// Passed reports whether score out of total passes: at least half right.
// A quiz is for practice, not an exam; the explanations do the teaching.
func passed(score, total int) bool { return total > 0 && 2*score >= total }

// AttemptQuiz records the answers given (the index of the chosen choice
// for each question, -1 for a question left blank) and returns the result.
func (b *Book) AttemptQuiz(ctx context.Context, l Learner, it *course.Item, answers []int) (QuizResult, error) {
	if len(answers) != len(it.Quiz) {
		return QuizResult{}, fmt.Errorf("%w: %d answers for %d questions", ErrAnswers, len(answers), len(it.Quiz))
	}
	res := QuizResult{Total: len(it.Quiz), Correct: make([]bool, len(it.Quiz))}
	for i, a := range answers {
		if a < -1 || a >= len(it.Quiz[i].Choices) {
			return QuizResult{}, fmt.Errorf("%w: answer %d to question %d", ErrAnswers, a, i+1)
		}
		if a == it.Quiz[i].Answer {
			res.Correct[i] = true
			res.Score++
		}
	}
	res.Passed = passed(res.Score, res.Total)
	err := b.st.Write(ctx, func(tx *store.Tx) error {
		if err := enrolled(tx, l, it.ID); err != nil {
			return err
		}
		if _, err := tx.AppendJSON(KindQuiz, 1, map[string]any{"learner": l.ID, "course": it.ID, "answers": answers,
			"correct": res.Correct, "score": res.Score, "total": res.Total}); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE learning_enrolments SET best_correct = max(best_correct, ?), quiz_total = ? WHERE learner = ? AND course = ?`,
			res.Score, res.Total, l.ID, it.ID); err != nil {
			return err
		}
		return maybeComplete(tx, l, it)
	})
	if err != nil {
		return QuizResult{}, fmt.Errorf("learning: quiz %s: %w", it.ID, err)
	}
	return res, nil
}

func maybeComplete(tx *store.Tx, l Learner, it *course.Item) error {
	var done, best, total int
	var completed sql.NullInt64
	if err := tx.QueryRow(`SELECT (SELECT count(*) FROM learning_lessons WHERE learner = e.learner AND course = e.course), best_correct, quiz_total, completed_ms
		FROM learning_enrolments e WHERE learner = ? AND course = ?`, l.ID, it.ID).Scan(&done, &best, &total, &completed); err != nil {
		return err
	}
	if completed.Valid || done < len(it.Lessons) || (total > 0 && !passed(best, total)) {
		return nil
	}
	ev, err := tx.AppendJSON(KindCompleted, 1, map[string]any{"learner": l.ID, "course": it.ID, "digcomp": it.DigComp, "level": it.Level,
		"se5": it.SE5, "se6": it.SE6, "score": best, "total": total})
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE learning_enrolments SET completed_ms = ? WHERE learner = ? AND course = ?`, ev.Time.UnixMilli(), l.ID, it.ID)
	return err
}

// Progress is where a learner stands in one course.
type Progress struct {
	Course    string
	Enrolled  time.Time
	Done      map[string]bool // lesson names read
	BestScore int             // -1 before any quiz attempt
	QuizTotal int
	Completed time.Time // zero until completed
}

// Next returns the first lesson of it not yet read, or "" if all are: where
// a returning learner picks up.
func (p Progress) Next(it *course.Item) string {
	for _, l := range it.Lessons {
		if !p.Done[l.Name] {
			return l.Name
		}
	}
	return ""
}

// Progress returns the learner's courses, most recently enrolled first.
func (b *Book) Progress(ctx context.Context, l Learner) ([]Progress, error) {
	rows, err := b.st.DB().QueryContext(ctx, `SELECT course, enrolled_ms, best_correct, quiz_total, completed_ms
		FROM learning_enrolments WHERE learner = ? ORDER BY enrolled_ms DESC, course`, l.ID)
	if err != nil {
		return nil, fmt.Errorf("learning: progress: %w", err)
	}
	var out []Progress
	for rows.Next() {
		var p Progress
		var enr int64
		var comp sql.NullInt64
		if err := rows.Scan(&p.Course, &enr, &p.BestScore, &p.QuizTotal, &comp); err != nil {
			rows.Close()
			return nil, fmt.Errorf("learning: progress: %w", err)
		}
		p.Enrolled = time.UnixMilli(enr)
		if comp.Valid {
			p.Completed = time.UnixMilli(comp.Int64)
		}
		p.Done = map[string]bool{}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("learning: progress: %w", err)
	}
	for i := range out {
		ls, err := b.st.DB().QueryContext(ctx, `SELECT lesson FROM learning_lessons WHERE learner = ? AND course = ?`, l.ID, out[i].Course)
		if err != nil {
			return nil, fmt.Errorf("learning: progress: %w", err)
		}
		for ls.Next() {
			var name string
			if err := ls.Scan(&name); err != nil {
				ls.Close()
				return nil, err
			}
			out[i].Done[name] = true
		}
		ls.Close()
	}
	return out, nil
}

// Certificate is what a certificate of completion says. The printer
// prints it; the hub can confirm a Code against the event log.
type Certificate struct {
	Name        string // the name the citizen asked for, or their pseudonymous code
	Course      string
	Title       course.Text
	DigComp     []string
	Level       int
	Completed   time.Time
	Hub         string // the facilitation point's name
	Code        string // verification code, "OFC-XXXX-XXXX"
	ClockSynced bool   // false: the date came from an unsynced clock
}

// Certify issues a certificate for a completed course. name is printed
// but not stored; "" prints the learner's pseudonymous code instead.
func (b *Book) Certify(ctx context.Context, l Learner, it *course.Item, name, hub string) (Certificate, error) {
	c := Certificate{Name: name, Course: it.ID, Title: it.Title, DigComp: it.DigComp, Level: it.Level, Hub: hub}
	if c.Name == "" {
		c.Name = l.Code
	}
	err := b.st.Write(ctx, func(tx *store.Tx) error {
		var comp sql.NullInt64
		err := tx.QueryRow(`SELECT completed_ms FROM learning_enrolments WHERE learner = ? AND course = ?`, l.ID, it.ID).Scan(&comp)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotEnrolled
		} else if err != nil {
			return err
		}
		if !comp.Valid {
			return ErrNotCompleted
		}
		c.Completed = time.UnixMilli(comp.Int64)
		code, err := newCode(b.random)
		if err != nil {
			return err
		}
		c.Code = "OFC-" + code
		ev, err := tx.AppendJSON(KindCertificate, 1, map[string]any{"learner": l.ID, "course": it.ID, "code": c.Code,
			"completed_ms": comp.Int64, "digcomp": it.DigComp, "level": it.Level, "hub": hub, "named": name != ""})
		if err != nil {
			return err
		}
		c.ClockSynced = ev.ClockSynced
		_, err = tx.Exec(`INSERT INTO learning_certificates(code, learner, course, issued_ms, seq) VALUES(?, ?, ?, ?, ?)`,
			c.Code, l.ID, it.ID, ev.Time.UnixMilli(), int64(ev.Seq))
		return err
	})
	if err != nil {
		return Certificate{}, fmt.Errorf("learning: certificate %s: %w", it.ID, err)
	}
	return c, nil
}
