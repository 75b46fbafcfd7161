package assistance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/codicefiscale"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/seal"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
)

type fixture struct {
	desk *Desk
	st   *store.Store
	clk  *clock.Fake
	path string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "k.db")
	st, err := store.Open(ctx, path, "dev1", store.Options{Clock: clk, Synchronous: os.Getenv("BENCH_SYNC"), Schemas: []store.Schema{people.Schema, staff.Schema, Schema}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	priv, _ := seal.GenerateKey()
	reg, _ := people.New(st, people.Options{Secret: bytes.Repeat([]byte{7}, 32), Sealer: seal.NewSealer(priv.PublicKey(), time.Hour, clk.Now)})
	roster := staff.New(st)
	hash, _ := staff.HashPIN("1234", 1000)
	for _, m := range []staff.Member{
		{ID: "FAC-GE-001", Name: "Giulia D'Amico", Role: staff.Facilitator, Card: "AA01", Active: true},
		{ID: "VOL-GE-007", Name: "Luca Verdi", Role: staff.Volunteer, Card: "AA02", Active: true},
	} {
		if err := roster.Put(ctx, m, hash); err != nil {
			t.Fatal(err)
		}
	}
	d, err := New(st, reg, roster, Options{Site: Site{ID: "GE-0042", Name: "Biblioteca Berio"}, Notice: "2026-01", Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{desk: d, st: st, clk: clk, path: path}
}

func spid(cf, first, last string) ServiceInput {
	return ServiceInput{
		Person:  people.Person{CF: cf, FirstName: first, Surname: last},
		Profile: people.Profile{Education: "B", Employment: "G", Citizenship: "A", Province: "GE"},
		Staff:   "FAC-GE-001", Duration: 25*time.Minute + 40*time.Second, FirstTime: true,
		ServiceTypes: []string{"A"}, Competences: []int{9}, Domains: []string{"A"},
		ConsentMethod: "verbal", Guide: "spid-attivazione",
	}
}

func countEvents(t *testing.T, st *store.Store) int {
	n := 0
	for _, err := range st.Events(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

func TestRecordService(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rec, err := f.desk.RecordService(ctx, spid("BNCNNA52L55D612I", "Anna", "Bianchi"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Returning || rec.Gender != "A" || rec.AgeBand != "C" || rec.Duration != "00:26" || rec.Date != "2026-11-03" ||
		strings.Join(rec.Areas, ":") != "B" || rec.Consent != "recorded now" {
		t.Errorf("first record %+v", rec)
	}
	// A week later she comes back: the profile is remembered, consent is on file.
	f.clk.Advance(7 * 24 * time.Hour)
	in := spid("BNCNNA52L55D612I", "Anna", "Bianchi")
	in.Profile, in.ConsentMethod, in.FirstTime, in.UsedBefore = people.Profile{}, "", false, []string{"A"}
	in.Competences, in.Domains = []int{6}, []string{"B"}
	rec, err = f.desk.RecordService(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Returning || rec.Consent != "already on file" {
		t.Errorf("second record %+v", rec)
	}
	tot, err := f.desk.Totals(ctx, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil || tot.Services != 2 || tot.UniqueCitizens != 1 || tot.Minutes != 26+26 {
		t.Errorf("totals %+v, %v", tot, err)
	}
}

func TestRecordServiceRejectsAndKeepsNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hash, _ := staff.HashPIN("1234", 1000)
	if err := f.desk.roster.Put(ctx, staff.Member{ID: "FAC-GE-009", Name: "Ex Facilitatore", Role: staff.Facilitator, Card: "AA09", Active: false}, hash); err != nil {
		t.Fatal(err)
	}
	before := countEvents(t, f.st)
	tests := []struct {
		name  string
		edit  func(*ServiceInput)
		check func(error) bool
	}{
		{"staff no longer active", func(in *ServiceInput) { in.Staff = "FAC-GE-009" }, func(err error) bool {
			return fieldIs("staff")(err) && strings.Contains(err.Error(), "no longer active")
		}},
		{"no staff", func(in *ServiceInput) { in.Staff = " " }, fieldIs("staff")},
		{"wrong check character", func(in *ServiceInput) { in.Person.CF = "RSSMRA80A01D969A" }, func(err error) bool {
			var ce *codicefiscale.Error
			return errors.As(err, &ce) && strings.Contains(err.Error(), "should be Z")
		}},
		{"new citizen without education", func(in *ServiceInput) { in.Profile.Education = "" }, func(err error) bool {
			var fe *people.FieldError
			return errors.As(err, &fe) && fe.Field == "AN9"
		}},
		{"competence 14", func(in *ServiceInput) { in.Competences = []int{14} }, fieldIs("SE5")},
		{"no domain", func(in *ServiceInput) { in.Domains = nil }, fieldIs("SE6")},
		{"service type lower case", func(in *ServiceInput) { in.ServiceTypes = []string{"a"} }, fieldIs("SE3")},
		{"no consent", func(in *ServiceInput) { in.ConsentMethod = "" }, fieldIs("consent")},
		{"future date", func(in *ServiceInput) { in.Date = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }, fieldIs("SE1")},
		{"before the programme", func(in *ServiceInput) { in.Date = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC) }, fieldIs("SE1")},
		{"unknown staff", func(in *ServiceInput) { in.Staff = "NOBODY" }, fieldIs("staff")},
		{"details too long", func(in *ServiceInput) { in.Details = strings.Repeat("x", 601) }, fieldIs("SE7")},
	}
	for _, tt := range tests {
		in := spid("RSSMRA80A01D969Z", "Mario", "Rossi")
		tt.edit(&in)
		_, err := f.desk.RecordService(ctx, in)
		if err == nil || !tt.check(err) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
	if n := countEvents(t, f.st); n != before {
		t.Errorf("%d events appended by rejected input", n-before)
	}
}

func TestUnsetClockAsksForTheDate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.clk.Set(time.Date(1970, 1, 1, 0, 3, 0, 0, time.UTC)) // a Pi that has not reached a time server
	in := spid("RSSMRA80A01D969Z", "Mario", "Rossi")
	if _, err := f.desk.RecordService(ctx, in); !fieldIs("SE1")(err) {
		t.Fatalf("service with an unset clock: %v", err)
	}
	in.Date = time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	rec, err := f.desk.RecordService(ctx, in)
	if err != nil || rec.Date != "2026-11-03" {
		t.Errorf("with the date entered: %+v %v", rec, err)
	}
}

func fieldIs(field string) func(error) bool {
	return func(err error) bool {
		var ie *InputError
		return errors.As(err, &ie) && ie.Field == field
	}
}

// TestNoPersonalDataInTheDatabase records services for citizens with and
// without a codice fiscale, then looks for their codes, names and document
// numbers everywhere: every table dumped as text, and the raw bytes of the
// database and its WAL.
func TestNoPersonalDataInTheDatabase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.desk.RecordService(ctx, spid("RSSMRA80A01D969Z", "Mario", "Rossi")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.RecordService(ctx, spid("bncnna52l55d612i", "Annunziata", "Bianchini")); err != nil {
		t.Fatal(err)
	}
	noCF := spid("", "Oksana", "Kovalenko")
	noCF.Person.DocType, noCF.Person.DocNumber, noCF.Person.Gender, noCF.Person.AgeBand = "D", "UKR77889911", "A", "B"
	noCF.Profile.Citizenship = "C"
	if _, err := f.desk.RecordService(ctx, noCF); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.LendDevice(ctx, "TAB-03", people.Person{CF: "RSSMRA80A01D969Z"}, "FAC-GE-001", time.Hour); err != nil {
		t.Fatal(err)
	}
	c, err := f.desk.OpenCourse(ctx, CourseInput{Title: "SPID", Staff: "FAC-GE-001", Competences: []int{9}, Domains: []string{"A"}})
	if err != nil {
		t.Fatal(err)
	}
	f.desk.Attend(ctx, c.ID, people.Person{CF: "BNCNNA52L55D612I"})
	f.desk.Attend(ctx, c.ID, people.Person{DocType: "D", DocNumber: "UKR77889911"})
	f.clk.Advance(time.Hour)
	if closed, err := f.desk.CloseCourse(ctx, c.ID); err != nil || closed.Services != 1 {
		t.Fatalf("course: %+v %v", closed, err)
	}
	if _, err := f.desk.RecordSession(ctx, SessionInput{Volunteer: "VOL-GE-007", Participants: []people.Person{{CF: "RSSMRA80A01D969Z"}, {DocType: "D", DocNumber: "UKR77889911"}},
		Topics: []string{"WhatsApp"}, Duration: time.Hour}); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"RSSMRA80A01D969Z", "BNCNNA52L55D612I", "Mario", "Rossi", "Annunziata", "Bianchini", "Oksana", "Kovalenko", "UKR77889911"}

	var dump strings.Builder
	tables, err := f.st.DB().QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	for _, table := range names {
		rows, err := f.st.DB().QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					dump.Write(v)
				default:
					dump.WriteString(strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtAny(v), "\n", " "), "\r", " ")))
				}
				dump.WriteByte('|')
			}
		}
		rows.Close()
	}
	if !strings.Contains(dump.String(), "Giulia D'Amico") {
		t.Fatal("the dump does not even contain the facilitator's name: the dump is broken")
	}
	raw := dump.String()
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(f.path + suffix)
		raw += string(b)
	}
	for _, s := range secrets {
		if strings.Contains(strings.ToUpper(raw), strings.ToUpper(s)) {
			t.Errorf("%q is in the database", s)
		}
	}
}

func fmtAny(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func TestQueue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var tickets []Ticket
	for i := 0; i < 3; i++ {
		tk, err := f.desk.TakeTicket(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	if tickets[2].Number != 3 || tickets[2].Ahead != 2 || tickets[2].Wait != 3*DefaultServiceTime {
		t.Errorf("third ticket %+v", tickets[2])
	}
	if _, err := f.desk.CallNext(ctx, "NOBODY"); err == nil {
		t.Error("an unknown facilitator called a ticket")
	}
	called, err := f.desk.CallNext(ctx, "FAC-GE-001")
	if err != nil || called.Number != 1 {
		t.Fatalf("call = %+v, %v", called, err)
	}
	f.clk.Advance(20 * time.Minute)
	if called, err = f.desk.CallNext(ctx, "FAC-GE-001"); err != nil || called.Number != 2 {
		t.Fatalf("second call = %+v, %v", called, err)
	}
	q, err := f.desk.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Ticket 1 is done (20 minutes); 2 is being served; 3 waits with nobody ahead.
	if len(q) != 2 || q[0].Number != 2 || q[0].State != Called || q[1].Number != 3 || q[1].Ahead != 0 || q[1].Wait != 20*time.Minute {
		t.Errorf("queue %+v", q)
	}
	f.desk.CallNext(ctx, "FAC-GE-001")
	if _, err := f.desk.CallNext(ctx, "FAC-GE-001"); !errors.Is(err, ErrQueueEmpty) {
		t.Errorf("call on an empty queue: %v", err)
	}
	// Numbers restart the next day.
	f.clk.Advance(24 * time.Hour)
	if tk, _ := f.desk.TakeTicket(ctx); tk.Number != 1 {
		t.Errorf("first ticket of the next day is %d", tk.Number)
	}
}

func TestLoans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mario := people.Person{CF: "RSSMRA80A01D969Z"}
	l, err := f.desk.LendDevice(ctx, "tab-03", mario, "FAC-GE-001", time.Hour)
	if err != nil || l.Device != "TAB-03" {
		t.Fatalf("lend = %+v, %v", l, err)
	}
	if _, err := f.desk.LendDevice(ctx, "TAB-03", people.Person{CF: "BNCNNA52L55D612I"}, "FAC-GE-001", time.Hour); !errors.Is(err, ErrDeviceOut) {
		t.Errorf("lending a device that is out: %v", err)
	}
	if _, err := f.desk.LendDevice(ctx, "TAB-04", people.Person{CF: "RSSMRA80A01D969A"}, "FAC-GE-001", time.Hour); err == nil {
		t.Error("a loan to a wrong codice fiscale was accepted")
	}
	f.desk.LendDevice(ctx, "TAB-04", people.Person{CF: "BNCNNA52L55D612I"}, "FAC-GE-001", 3*time.Hour)
	f.clk.Advance(90 * time.Minute)
	ls, _ := f.desk.Loans(ctx)
	if len(ls) != 2 || ls[0].Device != "TAB-03" || !ls[0].Overdue || ls[1].Overdue {
		t.Errorf("loans %+v", ls)
	}
	back, err := f.desk.ReturnDevice(ctx, "TAB-03", "FAC-GE-001")
	if err != nil || !back.Overdue {
		t.Errorf("return = %+v, %v", back, err)
	}
	if _, err := f.desk.ReturnDevice(ctx, "TAB-03", "FAC-GE-001"); !errors.Is(err, ErrDeviceNotOut) {
		t.Errorf("returning twice: %v", err)
	}
	if _, err := f.desk.LendDevice(ctx, "TAB-03", mario, "FAC-GE-001", time.Hour); err != nil {
		t.Errorf("lending again after return: %v", err)
	}
}

func TestCourseAndSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Anna is registered at the desk; the others only tap their cards.
	if _, err := f.desk.RecordService(ctx, spid("BNCNNA52L55D612I", "Anna", "Bianchi")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.OpenCourse(ctx, CourseInput{Title: "x", Staff: "FAC-GE-001", Competences: []int{0}, Domains: []string{"A"}}); err == nil {
		t.Error("a course with competence 0 was opened")
	}
	c, err := f.desk.OpenCourse(ctx, CourseInput{Title: "Usare lo smartphone", Staff: "FAC-GE-001", Competences: []int{4, 11}, Domains: []string{"S"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cf := range []string{"RSSMRA80A01D969Z", "BNCNNA52L55D612I", "RSSMRA80A01D96VO", "RSSMRA80A01D969Z"} {
		if _, err := f.desk.Attend(ctx, c.ID, people.Person{CF: cf}); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Advance(90 * time.Minute)
	closed, err := f.desk.CloseCourse(ctx, c.ID)
	if err != nil || closed.Attendees != 3 {
		t.Errorf("closed course %+v, %v (want 3: a repeat tap counts once, the omocodic code is another person)", closed, err)
	}
	if closed.Services != 1 || len(closed.Unrecorded) != 2 || !strings.Contains(closed.Unrecorded[0], "not registered at the desk") {
		t.Errorf("course services %d, unrecorded %v: want Anna recorded, the two unknown listed", closed.Services, closed.Unrecorded)
	}
	var types string
	var minutes int
	f.st.DB().QueryRow(`SELECT types, minutes FROM services ORDER BY seq DESC LIMIT 1`).Scan(&types, &minutes)
	if types != "C" || minutes != 90 {
		t.Errorf("course service: SE3 %s, %d minutes; want C, 90", types, minutes)
	}
	if _, err := f.desk.Attend(ctx, c.ID, people.Person{CF: "RSSMRA80A01D969Z"}); !errors.Is(err, ErrCourseClosed) {
		t.Errorf("attend a closed course: %v", err)
	}
	if _, err := f.desk.Attend(ctx, 9999, people.Person{CF: "RSSMRA80A01D969Z"}); !errors.Is(err, ErrNoCourse) {
		t.Errorf("attend a missing course: %v", err)
	}
	s, err := f.desk.RecordSession(ctx, SessionInput{Volunteer: "VOL-GE-007",
		Participants: []people.Person{{CF: "BNCNNA52L55D612I"}, {DocType: "A", DocNumber: "CA 123 4567"}},
		Topics:       []string{"videochiamate", " WhatsApp "}, Duration: 50 * time.Minute})
	if err != nil || len(s.Participants) != 2 || s.Minutes != 50 || s.Topics[1] != "WhatsApp" {
		t.Errorf("session %+v, %v", s, err)
	}
	if _, err := f.desk.RecordSession(ctx, SessionInput{Volunteer: "VOL-GE-007", Topics: []string{"x"}, Duration: time.Hour}); err == nil {
		t.Error("a session without participants was accepted")
	}
}

func TestReturningCitizenWithOnlyTheCard(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	card := ServiceInput{Person: people.Person{CF: "RSSMRA80A01D969Z"}, Staff: "FAC-GE-001", Duration: 10 * time.Minute,
		ServiceTypes: []string{"A"}, Competences: []int{13}, Domains: []string{"S"}}
	if _, err := f.desk.RecordService(ctx, card); err == nil || !strings.Contains(err.Error(), "first name and surname are missing") {
		t.Errorf("a new citizen with only a card: %v", err)
	}
	if _, err := f.desk.RecordService(ctx, spid("RSSMRA80A01D969Z", "Mario", "Rossi")); err != nil {
		t.Fatal(err)
	}
	rec, err := f.desk.RecordService(ctx, card)
	if err != nil || !rec.Returning {
		t.Errorf("returning citizen with only a card: %+v %v", rec, err)
	}
}

func TestTicketKeepsItsTopic(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.desk.TakeTicketAbout(ctx, strings.Repeat("x", 201)); err == nil {
		t.Fatal("a 201-character topic was accepted")
	}
	tk, err := f.desk.TakeTicketAbout(ctx, "spid")
	if err != nil || tk.Topic != "spid" || tk.Number != 1 {
		t.Fatalf("ticket %+v, %v (the refused one must not use a number)", tk, err)
	}
	if _, err := f.desk.TakeTicket(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := f.desk.Queue(ctx)
	if err != nil || len(q) != 2 || q[0].Topic != "spid" || q[1].Topic != "" {
		t.Fatalf("queue %+v, %v", q, err)
	}
}
