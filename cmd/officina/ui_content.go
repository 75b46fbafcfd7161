package main

// UI adapters over the content area: the catalogue and the learners'
// progress, as the ports of kiosk/ui/state.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/officina-digitale/officina/content/catalog"
	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/kiosk/atomicfile"
	"github.com/officina-digitale/officina/kiosk/facilita"
	"github.com/officina-digitale/officina/kiosk/learning"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// uiCatalog shows the catalogue the content area has loaded. It asks for
// the catalogue on every call, so a bundle activated by sync is shown
// from the next screen on.
type uiCatalog struct {
	content *contentArea
	// audioDir is where lesson recordings are copied out of the catalogue
	// for the speech player, which plays files; "" leaves Audio empty.
	audioDir string
}

var _ state.Catalog = uiCatalog{}

func (c uiCatalog) catalog() (*catalog.Catalog, error) {
	cat := c.content.Catalog()
	if cat == nil {
		return nil, fmt.Errorf("catalogue not loaded: %w", state.ErrNotFound)
	}
	return cat, nil
}

// item returns the course or guide id of the wanted kind.
func (c uiCatalog) item(id string, kind course.Kind) (*course.Item, error) {
	cat, err := c.catalog()
	if err != nil {
		return nil, err
	}
	it, ok := cat.Item(id)
	if !ok || it.Kind != kind {
		return nil, fmt.Errorf("%s %q: %w", kind, id, state.ErrNotFound)
	}
	return it, nil
}

func (c uiCatalog) Courses(ctx context.Context, lang string) ([]state.CourseItem, error) {
	cat, err := c.catalog()
	if err != nil {
		return nil, err
	}
	var out []state.CourseItem
	for _, e := range cat.List(lang) {
		if e.Kind != course.KindCourse {
			continue
		}
		it, _ := cat.Item(e.ID)
		out = append(out, state.CourseItem{
			ID: e.ID, Title: e.Title, Summary: e.Summary, Level: e.Level,
			Topics: domainTopics(e.SE6), Lessons: len(it.Lessons), Fallback: e.Fallback,
		})
	}
	return out, nil
}

// domainTopics names a course's public-service domains (SE6) as the short
// keywords the course browser filters by ("App IO", "pagoPA"); S, "none
// of these", is left out.
func domainTopics(se6 []string) []string {
	var out []string
	for _, d := range se6 {
		if name, ok := facilita.Domains[d]; ok && d != "S" {
			out = append(out, name)
		}
	}
	return out
}

func (c uiCatalog) Lesson(ctx context.Context, lang, courseID string, index int) (state.Lesson, error) {
	it, err := c.item(courseID, course.KindCourse)
	if err != nil {
		return state.Lesson{}, err
	}
	if index < 0 || index >= len(it.Lessons) {
		return state.Lesson{}, fmt.Errorf("lesson %d of %q: %w", index+1, courseID, state.ErrNotFound)
	}
	l := it.Lessons[index]
	title, fb1 := l.Title.Get(lang)
	body, fb2 := l.Body.Get(lang)
	out := state.Lesson{
		CourseID: courseID, Index: index, Count: len(it.Lessons),
		Title: title, Body: withoutTitle(body), Fallback: fb1 || fb2,
	}
	spoken := lang
	if fb2 {
		spoken = course.Source // the Italian text shown is read in Italian
	}
	if rec := l.Audio[spoken]; rec != "" && c.audioDir != "" {
		cat, _ := c.catalog()
		// Without the file the button reads the text with espeak-ng, so
		// a recording that cannot be copied out is not the citizen's
		// problem: the lesson shows without it.
		out.Audio, _ = audioFile(cat, c.audioDir, courseID, rec)
	}
	return out, nil
}

// audioFile copies a recording out of the catalogue into dir, once per
// catalogue version, and returns its path. Copies of other versions are
// removed.
func audioFile(cat *catalog.Catalog, dir, itemID, rec string) (string, error) {
	sum := sha256.Sum256([]byte(cat.Source))
	version := hex.EncodeToString(sum[:6])
	dst := filepath.Join(dir, version, itemID, filepath.Base(rec))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	f, err := cat.Media(itemID, rec)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return "", fmt.Errorf("audio %s/%s: %w", itemID, rec, err)
	}
	if olds, err := os.ReadDir(dir); err == nil {
		for _, o := range olds {
			if o.Name() != version {
				os.RemoveAll(filepath.Join(dir, o.Name()))
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
		return "", err
	}
	return dst, nil
}

// withoutTitle drops a lesson's first "# " heading, which the content
// format makes its title and the lesson screen already shows as such.
func withoutTitle(body string) string {
	rest := strings.TrimLeft(body, " \t\r\n")
	if !strings.HasPrefix(rest, "# ") {
		return body
	}
	_, after, _ := strings.Cut(rest, "\n")
	return strings.TrimLeft(after, "\r\n")
}

func (c uiCatalog) Quiz(ctx context.Context, lang, courseID string) ([]state.Question, error) {
	it, err := c.item(courseID, course.KindCourse)
	if err != nil {
		return nil, err
	}
	if len(it.Quiz) == 0 {
		return nil, fmt.Errorf("quiz of %q: %w", courseID, state.ErrNotFound)
	}
	out := make([]state.Question, 0, len(it.Quiz))
	for _, q := range it.Quiz {
		text, _ := q.Text.Get(lang)
		sq := state.Question{Text: text, Correct: q.Answer}
		for _, ch := range q.Choices {
			s, _ := ch.Get(lang)
			sq.Choices = append(sq.Choices, s)
		}
		out = append(out, sq)
	}
	return out, nil
}

func (c uiCatalog) Guides(ctx context.Context, lang string) ([]state.GuideItem, error) {
	cat, err := c.catalog()
	if err != nil {
		return nil, err
	}
	var out []state.GuideItem
	for _, e := range cat.List(lang) {
		if e.Kind == course.KindGuide {
			out = append(out, state.GuideItem{ID: e.ID, Title: e.Title, Fallback: e.Fallback})
		}
	}
	return out, nil
}

func (c uiCatalog) Guide(ctx context.Context, lang, id string) (state.Guide, error) {
	it, err := c.item(id, course.KindGuide)
	if err != nil {
		return state.Guide{}, err
	}
	cat, _ := c.catalog()
	g := state.Guide{ID: id}
	var fb [4]bool
	g.Title, fb[0] = it.Title.Get(lang)
	g.Intro, fb[1] = it.Summary.Get(lang)
	g.Steps, fb[2] = texts(it.Steps, lang)
	g.Checklist, fb[3] = texts(it.Bring, lang)
	for _, f := range fb {
		g.Fallback = g.Fallback || f
	}
	if _, _, se6, ok := cat.Monitoring(id); ok && len(se6) > 0 {
		g.Domain = se6[0]
	}
	return g, nil
}

// texts returns ts in lang, and whether any of them fell back to Italian.
func texts(ts []course.Text, lang string) ([]string, bool) {
	out := make([]string, 0, len(ts))
	var any bool
	for _, t := range ts {
		s, fb := t.Get(lang)
		out = append(out, s)
		any = any || fb
	}
	return out, any
}

// uiProgress keeps a citizen's place in a course through kiosk/learning:
// a card or a printed pseudonymous code names the learner, the course is
// an enrolment, and the lessons before the place are marked read. Resume
// opens the first unread lesson of the learner's most recent unfinished
// course.
type uiProgress struct {
	content *contentArea
	book    *learning.Book
	hub     string // the facilitation point's name, printed on certificates
}

var _ state.Progress = uiProgress{}

func (p uiProgress) SaveByCard(ctx context.Context, card string, pl state.Place) error {
	if strings.TrimSpace(card) == "" {
		return fmt.Errorf("save progress: empty card: %w", state.ErrNotFound)
	}
	l, err := p.book.Register(ctx, card)
	if err != nil {
		return err
	}
	return p.save(ctx, l, pl)
}

func (p uiProgress) SaveWithCode(ctx context.Context, pl state.Place) (string, error) {
	// Check the course first, so no learner is created for nothing.
	if _, err := (uiCatalog{content: p.content}).item(pl.CourseID, course.KindCourse); err != nil {
		return "", err
	}
	l, err := p.book.Register(ctx, "")
	if err != nil {
		return "", err
	}
	if err := p.save(ctx, l, pl); err != nil {
		return "", err
	}
	return l.Code, nil
}

func (p uiProgress) save(ctx context.Context, l learning.Learner, pl state.Place) error {
	it, err := uiCatalog{content: p.content}.item(pl.CourseID, course.KindCourse)
	if err != nil {
		return err
	}
	if err := p.book.Enrol(ctx, l, it); err != nil {
		return err
	}
	for i := 0; i < pl.Lesson && i < len(it.Lessons); i++ {
		if err := p.book.CompleteLesson(ctx, l, it, it.Lessons[i].Name); err != nil {
			return err
		}
	}
	return nil
}

func (p uiProgress) Resume(ctx context.Context, cardOrCode string) (state.Place, error) {
	l, err := p.learner(ctx, cardOrCode)
	if err != nil {
		return state.Place{}, err
	}
	progress, err := p.book.Progress(ctx, l)
	if err != nil {
		return state.Place{}, err
	}
	cat, err := uiCatalog{content: p.content}.catalog()
	if err != nil {
		return state.Place{}, err
	}
	var last *state.Place
	for _, pr := range progress { // most recently enrolled first
		it, ok := cat.Item(pr.Course)
		if !ok || len(it.Lessons) == 0 {
			continue // a course since removed from the catalogue
		}
		next := pr.Next(it)
		if next == "" || !pr.Completed.IsZero() {
			if last == nil { // all read: the last lesson, where the quiz is
				last = &state.Place{CourseID: it.ID, Lesson: len(it.Lessons) - 1}
			}
			continue
		}
		for i, les := range it.Lessons {
			if les.Name == next {
				return state.Place{CourseID: it.ID, Lesson: i}, nil
			}
		}
	}
	if last != nil {
		return *last, nil
	}
	return state.Place{}, fmt.Errorf("no course to resume: %w", state.ErrNotFound)
}

// learner finds the learner by printed code, else by card.
func (p uiProgress) learner(ctx context.Context, key string) (learning.Learner, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return learning.Learner{}, fmt.Errorf("resume: nothing typed: %w", state.ErrNotFound)
	}
	if _, err := learning.NormalizeCode(key); err == nil {
		l, err := p.book.ByCode(ctx, key)
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, learning.ErrUnknownLearner) && !errors.Is(err, learning.ErrBadCode) {
			return learning.Learner{}, err
		}
	}
	l, err := p.book.ByCard(ctx, key)
	if errors.Is(err, learning.ErrUnknownLearner) {
		return learning.Learner{}, fmt.Errorf("%w: %w", state.ErrNotFound, err)
	}
	return l, err
}

// FinishQuiz records the attempt through learning.AttemptQuiz for the
// learner of this visit (the card or code used; a new pseudonymous learner
// when none), with the lessons up to the quiz's place marked read, and
// issues the certificate through learning.Certify when the course is then
// complete. The certificate carries the learner's pseudonymous code, not
// a name: the touch flow asks none.
func (p uiProgress) FinishQuiz(ctx context.Context, q state.QuizAttempt) (*state.Certificate, error) {
	it, err := uiCatalog{content: p.content}.item(q.Place.CourseID, course.KindCourse)
	if err != nil {
		return nil, err
	}
	var l learning.Learner
	switch key := strings.TrimSpace(q.Learner); {
	case key == "":
		l, err = p.book.Register(ctx, "")
	default:
		l, err = p.learner(ctx, key)
		if errors.Is(err, state.ErrNotFound) { // a card not seen before
			l, err = p.book.Register(ctx, key)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := p.save(ctx, l, state.Place{CourseID: it.ID, Lesson: q.Place.Lesson + 1}); err != nil {
		return nil, err
	}
	answers := make([]int, len(it.Quiz))
	for i := range answers {
		answers[i] = -1 // left blank
		if i < len(q.Answers) {
			answers[i] = q.Answers[i]
		}
	}
	res, err := p.book.AttemptQuiz(ctx, l, it, answers)
	if err != nil || !res.Passed {
		return nil, err
	}
	c, err := p.book.Certify(ctx, l, it, "", p.hub)
	if errors.Is(err, learning.ErrNotCompleted) {
		return nil, nil // lessons left unread: no certificate yet
	}
	if err != nil {
		return nil, err
	}
	return &state.Certificate{CourseTitle: c.Title.String(), Date: c.Completed, Code: c.Code, Name: c.Name,
		DigComp: c.DigComp, Level: c.Level, Hub: c.Hub}, nil
}
