package learning

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/content/builtin"
	"github.com/officina-digitale/officina/content/course"
	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/store"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func open(t *testing.T, path string, clk clock.Clock) (*store.Store, *Book) {
	t.Helper()
	st, err := store.Open(context.Background(), path, "ofc-test", store.Options{Clock: clk, Schemas: []store.Schema{Schema()}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(st, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, b
}

func spidCourse(t *testing.T) *course.Item {
	t.Helper()
	it, probs := course.Load(builtin.FS(), "spid-primo", course.Limits{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	return it
}

func kinds(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	for ev, err := range st.Events(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev.Kind)
	}
	return out
}

// TestProgressSurvivesRestart: a citizen reads a lesson, goes home; next
// week the kiosk has restarted, they type their code and continue.
func TestProgressSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	clk := clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	it := spidCourse(t)

	st, b := open(t, path, clk)
	l, err := b.Register(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NormalizeCode(l.Code); err != nil || len(l.Code) != 9 {
		t.Fatalf("code %q: %v", l.Code, err)
	}
	if err := b.Enrol(ctx, l, it); err != nil {
		t.Fatal(err)
	}
	if err := b.CompleteLesson(ctx, l, it, it.Lessons[0].Name); err != nil {
		t.Fatal(err)
	}
	st.Close()

	clk.Advance(7 * 24 * time.Hour)
	st, b = open(t, path, clk)
	defer st.Close()
	typed := strings.ToLower(strings.ReplaceAll(l.Code, "-", " "))
	back, err := b.ByCode(ctx, typed)
	if err != nil || back != l {
		t.Fatalf("by code %q: %+v, %v", typed, back, err)
	}
	ps, err := b.Progress(ctx, back)
	if err != nil || len(ps) != 1 {
		t.Fatalf("progress: %+v %v", ps, err)
	}
	if next := ps[0].Next(it); next != it.Lessons[1].Name {
		t.Errorf("resumes at %q, want %q", next, it.Lessons[1].Name)
	}
}

func TestCourseCompletionAndCertificate(t *testing.T) {
	ctx := context.Background()
	st, b := open(t, filepath.Join(t.TempDir(), "k.db"), clock.NewFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)))
	defer st.Close()
	it := spidCourse(t)
	l, _ := b.Register(ctx, "RSSMRA80A01D969Z")
	if again, _ := b.Register(ctx, "rssmra80a01d969z"); again != l {
		t.Errorf("registering the same card twice made a new learner")
	}
	if byCard, err := b.ByCard(ctx, "RSSMRA80A01D969Z"); err != nil || byCard != l {
		t.Errorf("by card: %+v %v", byCard, err)
	}
	if err := b.CompleteLesson(ctx, l, it, it.Lessons[0].Name); !errors.Is(err, ErrNotEnrolled) {
		t.Errorf("lesson before enrolling: %v", err)
	}
	b.Enrol(ctx, l, it)
	b.Enrol(ctx, l, it) // again: no second event
	for _, ls := range it.Lessons {
		if err := b.CompleteLesson(ctx, l, it, ls.Name); err != nil {
			t.Fatal(err)
		}
	}
	b.CompleteLesson(ctx, l, it, it.Lessons[0].Name) // again: nothing new
	if _, err := b.Certify(ctx, l, it, "", "Biblioteca Berio"); !errors.Is(err, ErrNotCompleted) {
		t.Errorf("certificate before the quiz: %v", err)
	}
	// All wrong: recorded, not passed.
	wrong := make([]int, len(it.Quiz))
	for i, q := range it.Quiz {
		wrong[i] = (q.Answer + 1) % len(q.Choices)
	}
	res, err := b.AttemptQuiz(ctx, l, it, wrong)
	if err != nil || res.Passed || res.Score != 0 {
		t.Fatalf("all wrong: %+v %v", res, err)
	}
	right := make([]int, len(it.Quiz))
	for i, q := range it.Quiz {
		right[i] = q.Answer
	}
	res, err = b.AttemptQuiz(ctx, l, it, right)
	if err != nil || !res.Passed || res.Score != len(it.Quiz) {
		t.Fatalf("all right: %+v %v", res, err)
	}
	if _, err := b.AttemptQuiz(ctx, l, it, []int{0}); !errors.Is(err, ErrAnswers) {
		t.Errorf("too few answers: %v", err)
	}
	cert, err := b.Certify(ctx, l, it, "Mario Rossi", "Biblioteca Berio")
	if err != nil {
		t.Fatal(err)
	}
	if cert.Name != "Mario Rossi" || cert.Title["it"] != "Il tuo primo SPID" || cert.DigComp[0] != "2.6" || cert.Level != 1 ||
		!strings.HasPrefix(cert.Code, "OFC-") || cert.Completed.IsZero() || cert.Hub != "Biblioteca Berio" {
		t.Errorf("certificate = %+v", cert)
	}
	want := []string{KindLearner, KindEnrolled, KindLesson, KindLesson, KindLesson, KindQuiz, KindQuiz, KindCompleted, KindCertificate}
	if got := kinds(t, st); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events:\n got %v\nwant %v", got, want)
	}
	// Neither the card number nor the name reaches the log.
	for ev, _ := range st.Events(ctx, 0) {
		if p := string(ev.Payload); strings.Contains(strings.ToUpper(p), "RSSMRA") || strings.Contains(p, "Rossi") {
			t.Errorf("%s payload holds personal data: %s", ev.Kind, p)
		}
	}
}

func TestCodeTypos(t *testing.T) {
	code, err := newCode(strings.NewReader("abcdefghijk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NormalizeCode(code); err != nil {
		t.Fatal(err)
	}
	raw := strings.ReplaceAll(code, "-", "")
	for i := 0; i < len(raw); i++ {
		for _, c := range alphabet {
			if byte(c) == raw[i] {
				continue
			}
			typo := raw[:i] + string(c) + raw[i+1:]
			if _, err := NormalizeCode(typo); err == nil {
				t.Fatalf("typo %s of %s accepted", typo, raw)
			}
		}
	}
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] == raw[i+1] {
			continue
		}
		swap := raw[:i] + string(raw[i+1]) + string(raw[i]) + raw[i+2:]
		if _, err := NormalizeCode(swap); err == nil {
			t.Errorf("swap %s of %s accepted", swap, raw)
		}
	}
	if _, err := NormalizeCode("0000-0000"); !errors.Is(err, ErrBadCode) {
		t.Errorf("zeros: %v", err)
	}
}

func TestDiskFullLosesNothing(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "k.db"), "ofc-test", store.Options{Schemas: []store.Schema{Schema()}, MaxPageCount: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, _ := New(st, secret, nil)
	it := spidCourse(t)
	l, err := b.Register(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Enrol(ctx, l, it); err != nil {
		t.Fatal(err)
	}
	var full error
	for i := 0; i < 10000 && full == nil; i++ {
		full = b.Enrol(ctx, l, &course.Item{ID: "x" + strings.Repeat("y", 500) + string(rune('a'+i%26)) + time.Duration(i).String(), Lessons: it.Lessons})
	}
	if !errors.Is(full, store.ErrDiskFull) {
		t.Fatalf("expected a full disk, got %v", full)
	}
	ps, err := b.Progress(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	// Enrolments in the same millisecond sort by course id, so look for it
	// rather than expecting it last.
	kept := false
	for _, p := range ps {
		kept = kept || p.Course == "spid-primo"
	}
	if !kept {
		t.Errorf("after a full disk the earlier enrolment is gone (%d enrolments left)", len(ps))
	}
}
