package main

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/officina-digitale/officina/content/builtin"
	"github.com/officina-digitale/officina/content/catalog"
	"github.com/officina-digitale/officina/content/course"

	"github.com/officina-digitale/officina/hardware/printer"
	"github.com/officina-digitale/officina/hardware/sensor"
	"github.com/officina-digitale/officina/kiosk/assistance"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/learning"
	"github.com/officina-digitale/officina/kiosk/people"
	"github.com/officina-digitale/officina/kiosk/staff"
	"github.com/officina-digitale/officina/kiosk/store"
	"github.com/officina-digitale/officina/kiosk/ui/state"
	"github.com/officina-digitale/officina/sync/hub"
	"github.com/officina-digitale/officina/sync/wire"
)

// testConfig is the default configuration in a fresh data directory, with
// a site and an export key so services can be recorded.
func testConfig(t testing.TB) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Records.ExportPublicKey = base64.StdEncoding.EncodeToString(key.PublicKey().Bytes())
	cfg.Records.SiteID, cfg.Records.SiteName = "GE-0042", "Biblioteca Berio"
	return cfg
}

func openTestKiosk(t testing.TB, cfg config.Config) *kiosk {
	t.Helper()
	k, err := openKiosk(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

const (
	testStaffCard = "04:A2:19:7C"
	testStaffPIN  = "482193"
	testCF        = "BNCNNA52L55D612I"
)

func addStaff(t *testing.T, k *kiosk, id, role, card, pin string) {
	t.Helper()
	h, err := staff.HashPIN(pin, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.records.roster.Put(context.Background(), staff.Member{ID: id, Name: "Giulia D'Amico", Role: role, Card: card, Active: true}, h); err != nil {
		t.Fatal(err)
	}
}

// events returns the payloads of the events of kind, in order.
func events(t *testing.T, k *kiosk, kind string) [][]byte {
	t.Helper()
	var out [][]byte
	for e, err := range k.store.Events(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind == kind {
			out = append(out, e.Payload)
		}
	}
	return out
}

func login(t *testing.T, a *state.App) {
	t.Helper()
	a.CardTapped(state.Card{Kind: state.CardStaff, ID: testStaffCard})
	for _, d := range testStaffPIN {
		a.PressPIN(string(d))
	}
	a.ConfirmPIN()
	if a.Member() == nil {
		t.Fatalf("not logged in: %+v", a.Notice())
	}
}

func TestUICatalogIsTheRealCatalogueWithItalianFallback(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	cat := uiCatalog{content: k.content}
	ctx := context.Background()

	courses, err := cat.Courses(ctx, "en")
	if err != nil {
		t.Fatal(err)
	}
	var want int
	for _, it := range k.content.Catalog().Items() {
		if it.Kind == "course" {
			want++
		}
	}
	if len(courses) != want || want == 0 {
		t.Fatalf("%d courses shown, the catalogue has %d", len(courses), want)
	}
	i := slices.IndexFunc(courses, func(c state.CourseItem) bool { return c.ID == "pagopa-con-io" })
	if i < 0 || courses[i].Fallback || courses[i].Lessons != 3 || !slices.Contains(courses[i].Topics, "pagoPA") {
		t.Errorf("pagopa-con-io in English: %+v", courses)
	}

	// Romanian has no translation: Italian text, with the fallback note.
	l, err := cat.Lesson(ctx, "ro", "pagopa-con-io", 1)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := k.content.Catalog().Item("pagopa-con-io")
	if !l.Fallback || l.Title != it.Lessons[1].Title["it"] || l.Count != 3 {
		t.Errorf("Romanian lesson: fallback %v, title %q, count %d", l.Fallback, l.Title, l.Count)
	}
	// The title is shown once, not again as the body's first heading.
	if strings.Contains(l.Body, "# "+l.Title) || !strings.Contains(it.Lessons[1].Body["it"], strings.TrimSpace(l.Body)) || l.Body == "" {
		t.Errorf("lesson body: %q", l.Body)
	}
	if _, err := cat.Lesson(ctx, "it", "pagopa-con-io", 3); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("lesson past the end: %v", err)
	}
	q, err := cat.Quiz(ctx, "en", "pagopa-con-io")
	if err != nil || len(q) != len(it.Quiz) || q[0].Correct != it.Quiz[0].Answer || len(q[0].Choices) == 0 {
		t.Errorf("quiz: %+v %v", q, err)
	}

	g, err := cat.Guide(ctx, "ro", "inps-delega")
	if err != nil {
		t.Fatal(err)
	}
	if !g.Fallback || g.Domain != "L" || len(g.Steps) == 0 || len(g.Checklist) == 0 {
		t.Errorf("guide in Romanian: %+v", g)
	}
	if _, err := cat.Guide(ctx, "it", "pagopa-con-io"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("a course opened as a guide: %v", err)
	}
}

func TestUITicketIsQueuedAtTheDeskAndPrinted(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobs, stop := k.hardware.Printer.Subscribe(16)
	defer stop()
	go k.hardware.Printer.Run(ctx)

	a := state.New(uiDeps(k))
	a.TakeTicket("")
	a.Reset()
	a.TakeTicket("inps-delega")
	tk := a.Ticket()
	if tk == nil || tk.Number != "2" || tk.Ahead != 1 {
		t.Fatalf("ticket on screen: %+v, notice %+v", tk, a.Notice())
	}
	q, err := k.records.desk.Queue(ctx)
	if err != nil || len(q) != 2 || q[1].Number != 2 || q[1].State != assistance.Waiting {
		t.Fatalf("desk queue: %+v %v", q, err)
	}

	printed := 0
	timeout := time.After(10 * time.Second)
	for printed < 2 {
		select {
		case j := <-jobs:
			if j.Kind == "ticket" && j.State == printer.Printed {
				printed++
			}
			if j.State == printer.Cancelled {
				t.Fatalf("ticket cancelled: %s", j.Reason)
			}
		case <-timeout:
			t.Fatalf("%d of 2 tickets printed", printed)
		}
	}
	paper, err := os.ReadFile(filepath.Join(k.cfg.DataDir, "printer.bin"))
	if err != nil {
		t.Fatal(err)
	}
	paper = bytes.ReplaceAll(paper, []byte("\n"), []byte(" ")) // lines wrap at the paper's width
	wait := fmt.Sprintf("attesa circa %d min", int(q[1].Wait/time.Minute))
	for _, want := range []string{"Biblioteca Berio", "INPS: delegare", "1 persona prima di te", wait} {
		if !bytes.Contains(paper, []byte(want)) {
			t.Errorf("printed ticket lacks %q: %q", want, paper)
		}
	}
}

func TestUIStaffLoginLocksAfterFiveWrongPINs(t *testing.T) {
	cfg := testConfig(t)
	k := openTestKiosk(t, cfg)
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	a := state.New(uiDeps(k))

	a.CardTapped(state.Card{Kind: state.CardStaff, ID: "FF:FF:FF:FF"})
	for range 6 {
		a.PressPIN("1")
	}
	a.ConfirmPIN()
	if a.Member() != nil || a.Notice().ID != "error.unknown_card" {
		t.Errorf("unknown card: %+v", a.Notice())
	}

	var notices []string
	for range staff.MaxFailures {
		a.CardTapped(state.Card{Kind: state.CardStaff, ID: testStaffCard})
		for range 6 {
			a.PressPIN("9")
		}
		a.ConfirmPIN()
		n := a.Notice()
		if n.ID == "error.wrong_pin" {
			notices = append(notices, fmt.Sprintf("%s %v", n.ID, n.Args[1]))
		} else {
			notices = append(notices, string(n.ID))
		}
	}
	want := []string{"error.wrong_pin 4", "error.wrong_pin 3", "error.wrong_pin 2", "error.wrong_pin 1", "error.locked"}
	if !slices.Equal(notices, want) {
		t.Errorf("five wrong PINs: %q, want %q", notices, want)
	}
	// The right PIN no longer opens: the card is locked by the roster.
	login := func(a *state.App) {
		a.CardTapped(state.Card{Kind: state.CardStaff, ID: testStaffCard})
		for _, d := range testStaffPIN {
			a.PressPIN(string(d))
		}
		a.ConfirmPIN()
	}
	login(a)
	if a.Member() != nil || a.Notice().ID != "error.locked" {
		t.Errorf("right PIN on a locked card: member %v, notice %+v", a.Member(), a.Notice())
	}
	// And it stays locked after a restart.
	k.Close()
	k2 := openTestKiosk(t, cfg)
	a2 := state.New(uiDeps(k2))
	login(a2)
	if a2.Member() != nil || a2.Notice().ID != "error.locked" {
		t.Errorf("after a restart: member %v, notice %+v", a2.Member(), a2.Notice())
	}
}

func TestUIServiceIsRecordedWithTheGuidesCodes(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	ctx := context.Background()
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	// The citizen's first visit, with profile and privacy notice, was
	// recorded at the desk (with `officina record service`).
	if _, err := k.records.desk.RecordService(ctx, assistance.ServiceInput{
		Person:  people.Person{CF: testCF, FirstName: "Anna", Surname: "Bianchi"},
		Profile: people.Profile{Education: "B", Employment: "G", Citizenship: "A", Province: "GE"},
		Staff:   "FAC-GE-001", Duration: 20 * time.Minute, FirstTime: true,
		ServiceTypes: []string{"A"}, Competences: []int{6}, Domains: []string{"B"}, ConsentMethod: "verbal",
	}); err != nil {
		t.Fatal(err)
	}

	a := state.New(uiDeps(k))
	a.TakeTicket("inps-delega")
	a.Reset()
	login(t, a)
	a.CallNext()
	if d := a.Draft(); d.Domain != "L" {
		t.Fatalf("draft not prefilled from the guide: %+v", d)
	}
	a.StartRecord()
	a.CardTapped(state.Card{Kind: state.CardHealth, ID: "RSSMRA80A01D969X"}) // wrong check character
	a.SaveRecord()
	if a.Notice().ID != "error.invalid_cf" || a.Screen() != state.Record {
		t.Errorf("wrong CF: %+v on %s", a.Notice(), a.Screen())
	}
	a.CardTapped(state.Card{Kind: state.CardHealth, ID: testCF})
	a.SaveRecord()
	if a.Notice().ID != "record.saved" {
		t.Fatalf("save: %+v", a.Notice())
	}
	svcs := events(t, k, assistance.KindService)
	if len(svcs) != 2 {
		t.Fatalf("%d services in the store, want 2", len(svcs))
	}
	var ev assistance.ServiceEvent
	if err := json.Unmarshal(svcs[1], &ev); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ev.Competences, []int{9}) || !slices.Equal(ev.Domains, []string{"L"}) || ev.Guide != "inps-delega" ||
		ev.Minutes != 15 || !slices.Equal(ev.ServiceTypes, []string{"A"}) || ev.FacilitatorID != "FAC-GE-001" {
		t.Errorf("recorded service: %+v", ev)
	}
	if strings.Contains(string(svcs[1]), testCF) {
		t.Error("the raw codice fiscale is in the event")
	}

	// A citizen never seen before needs the first-visit questions: nothing
	// is stored yet and the draft is kept.
	a.StartRecord()
	a.SetDomain("A")
	a.CardTapped(state.Card{Kind: state.CardHealth, ID: "RSSMRA80A01D969Z"})
	a.SaveRecord()
	if step, ok := a.FirstVisitStep(); !ok || step != state.StepFirstName || a.Screen() != state.Record || a.Draft().CF == "" {
		t.Errorf("first-time citizen through the touch form: step %q %v, %+v on %s", step, ok, a.Notice(), a.Screen())
	}
	if n := len(events(t, k, assistance.KindService)); n != 2 {
		t.Errorf("%d services before the first-visit answers, want 2", n)
	}
}

// typeWord taps a word on the first-visit letter keyboard and moves on.
func typeWord(a *state.App, w string) {
	for _, r := range w {
		a.TypeLetter(string(r))
	}
	a.NextStep()
}

func TestUIFirstVisitThenReturnVisit(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	a := state.New(uiDeps(k))
	a.TakeTicket("inps-delega") // the guide gives the record's competences
	a.Reset()
	login(t, a)

	// First visit: the card is scanned, the form asks the questions once.
	a.CallNext()
	a.StartRecord()
	a.SetDomain("B")
	a.CardTapped(state.Card{Kind: state.CardHealth, ID: testCF})
	a.SaveRecord()
	if step, ok := a.FirstVisitStep(); !ok || step != state.StepFirstName {
		t.Fatalf("first visit did not ask the questions: %q %v %+v", step, ok, a.Notice())
	}
	a.NextStep() // nothing typed: refused with a plain sentence
	if step, _ := a.FirstVisitStep(); step != state.StepFirstName || a.Notice().ID != "first.need_first_name" {
		t.Fatalf("empty name: step %q, %+v", step, a.Notice())
	}
	typeWord(a, "ANNA")
	typeWord(a, "BIANCHI")
	a.Choose("B") // licenza media
	a.Choose("G") // pensionata
	a.Choose("A") // italiana
	typeWord(a, "G")
	if step, _ := a.FirstVisitStep(); step != state.StepProvince || a.Notice().ID != "first.need_province" {
		t.Fatalf("one-letter province: step %q, %+v", step, a.Notice())
	}
	typeWord(a, "E")
	if step, _ := a.FirstVisitStep(); step != state.StepConsent {
		t.Fatalf("after the province: step %q, %+v", step, a.Notice())
	}
	a.Choose("verbal") // the last answer saves
	if a.Notice().ID != "record.saved" || a.Screen() != state.StaffHome {
		t.Fatalf("first visit not saved: %+v on %s", a.Notice(), a.Screen())
	}
	svcs := events(t, k, assistance.KindService)
	if len(svcs) != 1 {
		t.Fatalf("%d services, want 1", len(svcs))
	}
	var ev assistance.ServiceEvent
	if err := json.Unmarshal(svcs[0], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Education != "B" || ev.Employment != "G" || ev.Citizenship != "A" || ev.Province != "GE" || !slices.Equal(ev.Domains, []string{"B"}) {
		t.Errorf("first visit recorded as %+v", ev)
	}
	if n := len(events(t, k, people.KindConsent)); n != 1 {
		t.Errorf("%d privacy acknowledgements, want 1", n)
	}
	for _, raw := range [][]byte{svcs[0]} {
		if bytes.Contains(raw, []byte("BIANCHI")) || bytes.Contains(raw, []byte(testCF)) {
			t.Error("name or codice fiscale in clear in the service event")
		}
	}

	// Next visit, after a restart of the UI state: the card alone is enough.
	a = state.New(uiDeps(k))
	a.TakeTicket("inps-delega")
	a.Reset()
	login(t, a)
	a.CallNext()
	a.StartRecord()
	a.SetDomain("D")
	a.CardTapped(state.Card{Kind: state.CardHealth, ID: testCF})
	a.SaveRecord()
	if _, asked := a.FirstVisitStep(); asked || a.Notice().ID != "record.saved" {
		t.Fatalf("returning citizen: asked again %v, %+v", asked, a.Notice())
	}
	svcs = events(t, k, assistance.KindService)
	if len(svcs) != 2 {
		t.Fatalf("%d services, want 2", len(svcs))
	}
	if err := json.Unmarshal(svcs[1], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Education != "B" || ev.Province != "GE" || !slices.Equal(ev.Domains, []string{"D"}) {
		t.Errorf("return visit recorded as %+v", ev)
	}
	if n := len(events(t, k, people.KindConsent)); n != 1 {
		t.Errorf("%d privacy acknowledgements after the return visit, want 1", n)
	}
}

func TestUIResumeByCodeAndCardAfterRestart(t *testing.T) {
	cfg := testConfig(t)
	k := openTestKiosk(t, cfg)
	ctx := context.Background()
	p := uiProgress{content: k.content, book: k.content.Learning}
	code, err := p.SaveWithCode(ctx, state.Place{CourseID: "pagopa-con-io", Lesson: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SaveByCard(ctx, "BIB-000042", state.Place{CourseID: "spid-primo", Lesson: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.SaveWithCode(ctx, state.Place{CourseID: "no-such-course"}); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("saving an unknown course: %v", err)
	}
	k.Close()

	k2 := openTestKiosk(t, cfg)
	a := state.New(uiDeps(k2))
	a.Go(state.Resume)
	for _, ch := range strings.ToLower(strings.ReplaceAll(code, "-", "")) {
		a.TypeCode(string(ch))
	}
	a.ResumeWithCode()
	if l := a.Lesson(); a.Screen() != state.LessonView || l.CourseID != "pagopa-con-io" || l.Index != 2 {
		t.Errorf("resume by code %s: %s, %+v, %+v", code, a.Screen(), l, a.Notice())
	}
	a.Reset()
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000042"})
	if l := a.Lesson(); a.Screen() != state.LessonView || l.CourseID != "spid-primo" || l.Index != 1 {
		t.Errorf("resume by card: %s, %+v", a.Screen(), l)
	}
	a.Reset()
	a.Go(state.Resume)
	for _, ch := range "ZZZZZZZZ" {
		a.TypeCode(string(ch))
	}
	a.ResumeWithCode()
	if a.Screen() != state.Resume || a.Notice().ID != "error.not_found" {
		t.Errorf("unknown code: %s %+v", a.Screen(), a.Notice())
	}
}

func TestUISimulatedCardTapReachesTheUIState(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go k.hardware.Cards.Run(ctx)
	got := make(chan state.Card, 4)
	taps, stop := k.hardware.Cards.Subscribe(8)
	defer stop()
	go cardLoop(ctx, taps, k.records.roster, func(c state.Card) { got <- c })

	a := state.New(uiDeps(k))
	wait := func(text string) state.Card {
		t.Helper()
		if _, ok := k.hardware.Cards.Inject(k.hardware.SimulatedCard, text); !ok {
			t.Fatalf("tap %q dropped as a repeat", text)
		}
		select {
		case c := <-got:
			return c
		case <-time.After(10 * time.Second):
			t.Fatalf("tap %q never reached the UI", text)
		}
		return state.Card{}
	}
	c := wait(testStaffCard)
	if c.Kind != state.CardStaff {
		t.Errorf("staff card read as %+v", c)
	}
	a.CardTapped(c)
	if a.Screen() != state.StaffLogin || a.LoginCard() != testStaffCard {
		t.Errorf("after the staff card: %s, card %q", a.Screen(), a.LoginCard())
	}
	if c := wait(testCF); c.Kind != state.CardHealth || c.ID != testCF {
		t.Errorf("health card read as %+v", c)
	}
	if c := wait("12345678"); c.Kind != state.CardCitizen {
		t.Errorf("library card read as %+v", c)
	}
}

func TestUISessionsRecordAttendanceByCard(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	addStaff(t, k, "VOL-GE-007", staff.Volunteer, "04:BB:00:01", "135790")
	a := state.New(uiDeps(k))
	login(t, a)
	a.OpenSession("pagopa-con-io")
	if a.Session() == nil {
		t.Fatalf("session not opened: %+v", a.Notice())
	}
	a.Go(state.Attendance)
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000042"})
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000043"})
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000042"})
	if n := len(a.Present()); n != 2 || a.Notice().ID != "session.already_in" {
		t.Errorf("present %d, notice %+v", n, a.Notice())
	}
	if p := a.Present(); len(p) > 0 && strings.Contains(p[0].Label, "BIB-000042") {
		t.Errorf("label shows the whole card: %q", p[0].Label)
	}
	a.CloseSession()
	if n := len(events(t, k, assistance.KindCourseAttended)); n != 2 {
		t.Errorf("%d attendance events, want 2", n)
	}
	if n := len(events(t, k, assistance.KindCourseClosed)); n != 1 {
		t.Errorf("%d course closed events, want 1", n)
	}

	// A volunteer's intergenerational session is recorded at closing.
	a.Logout()
	a.CardTapped(state.Card{Kind: state.CardStaff, ID: "04:BB:00:01"})
	for _, d := range "135790" {
		a.PressPIN(string(d))
	}
	a.ConfirmPIN()
	if m := a.Member(); m == nil || m.Role != "volunteer" {
		t.Fatalf("volunteer login: %+v %+v", m, a.Notice())
	}
	a.OpenSession("videochiamate")
	a.Go(state.Attendance)
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000042"})
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000044"})
	a.CloseSession()
	ss := events(t, k, assistance.KindSession)
	if len(ss) != 1 {
		t.Fatalf("%d volunteer sessions recorded, want 1 (notice %+v)", len(ss), a.Notice())
	}
	var ev assistance.SessionEvent
	json.Unmarshal(ss[0], &ev)
	if len(ev.Participants) != 2 || ev.Volunteer != "VOL-GE-007" || len(ev.Topics) != 1 || ev.Minutes < 1 {
		t.Errorf("volunteer session: %+v", ev)
	}
}

func TestUISensorsAndDeviceHealth(t *testing.T) {
	cfg := testConfig(t)
	cfg.Hardware.Card.Devices = []string{filepath.Join(t.TempDir(), "no-such-reader")} // unplugged
	k := openTestKiosk(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	readings, stop := k.hardware.Sensors.Subscribe(16)
	defer stop()
	go k.hardware.Sensors.Run(ctx)
	// The sampler delivers a reading per quantity; wait until both
	// simulated sensors have given their first.
	places := map[string]bool{}
	timeout := time.After(15 * time.Second)
	for len(places) < 2 {
		select {
		case r := <-readings:
			places[r.Place] = true
		case <-timeout:
			t.Fatalf("no readings from both sensors: %v", places)
		}
	}
	a := state.New(uiDeps(k))
	a.Go(state.Air)
	rs, _ := a.Readings()
	var qs []string
	for _, r := range rs {
		qs = append(qs, r.Quantity)
	}
	if !slices.Contains(qs, "co2") || !slices.Contains(qs, "temperature") {
		t.Errorf("air screen shows %v", qs)
	}
	latest := k.hardware.Sensors.Latest()
	for _, r := range rs {
		if r.Quantity == "temperature" {
			i := slices.IndexFunc(latest, func(l sensor.Reading) bool { return l.Place == "indoor" && string(l.Quantity) == "temperature" })
			if i < 0 || latest[i].Value != r.Value {
				t.Errorf("temperature %v is not the indoor sensor's", r.Value)
			}
		}
	}

	st, ok := a.Sync()
	if !ok {
		t.Fatal(a.Notice())
	}
	var names []string
	var down int
	for _, d := range st.Devices {
		names = append(names, d.Name)
		if d.Detail == "" {
			t.Errorf("%s shown with no detail", d.Name)
		}
		if d.Name == "printer" && (!strings.HasPrefix(d.Detail, "file") || !d.OK) {
			t.Errorf("file printer shown as %+v", d)
		}
		if !d.OK {
			down++
		}
	}
	for _, want := range []string{"printer", "sala", "strada", "simulator"} {
		if !slices.Contains(names, want) {
			t.Errorf("status screen devices %v lack %s", names, want)
		}
	}
	if len(st.Devices) != 5 || down != 1 {
		t.Errorf("want 5 devices with the unplugged reader down: %+v", st.Devices)
	}
	if st.HubConfigured {
		t.Error("a kiosk with no hub shows one configured")
	}
}

func TestRealTourReachesEveryScreen(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	if err := seedTourStaff(context.Background(), k, "246810"); err != nil {
		t.Fatal(err)
	}
	a := state.New(uiDeps(k))
	for _, s := range append(state.CitizenScreens(), state.StaffScreens()...) {
		if err := realVisit(context.Background(), k, a, s, "246810"); err != nil {
			t.Error(err)
		}
	}
	if err := realVisit(context.Background(), k, a, state.Record, "246810"); err != nil {
		t.Fatal(err)
	}
	if c := a.Current(); c == nil || c.Number == "" {
		t.Errorf("record screen serves no ticket: %+v", c)
	}
	if d := a.Draft(); d.Domain != "L" || d.CF != tourCitizenCF {
		t.Errorf("record screen of the tour: %+v", d)
	}
}

func TestUISensorLoopRedrawsOncePerBurst(t *testing.T) {
	readings := make(chan sensor.Reading, 8)
	for _, q := range []sensor.Quantity{sensor.CO2, sensor.Temperature, sensor.Humidity} {
		readings <- sensor.Reading{Sensor: "sala", Place: "indoor", Quantity: q}
	}
	close(readings)
	var refreshes int
	if err := sensorLoop(context.Background(), readings, func() { refreshes++ }); err != nil {
		t.Fatal(err)
	}
	if refreshes != 1 {
		t.Errorf("three readings of one sample caused %d redraws, want 1", refreshes)
	}
}

func TestUILessonRecordingIsCopiedOutForThePlayer(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(builtin.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(builtin.FS(), p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var dir string
	for p := range fsys {
		if strings.HasSuffix(p, "pagopa-con-io/meta.toml") {
			dir = path.Dir(p)
		}
	}
	recording := []byte("OggS recorded reading")
	fsys[path.Join(dir, "media/01-l-avviso.it.ogg")] = &fstest.MapFile{Data: recording}
	cat, err := catalog.New(ctx, fsys, "test bundle version 1", course.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	area := &contentArea{}
	area.catalog.Store(cat)
	audio := t.TempDir()
	c := uiCatalog{content: area, audioDir: audio}

	// English has no recording; Romanian falls back to the Italian text,
	// which has one.
	if l, err := c.Lesson(ctx, "en", "pagopa-con-io", 0); err != nil || l.Audio != "" {
		t.Errorf("English lesson: audio %q, %v", l.Audio, err)
	}
	l, err := c.Lesson(ctx, "ro", "pagopa-con-io", 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(l.Audio)
	if err != nil || !bytes.Equal(got, recording) || !strings.HasPrefix(l.Audio, audio) {
		t.Errorf("recording at %q: %q %v", l.Audio, got, err)
	}
	if l2, _ := c.Lesson(ctx, "it", "pagopa-con-io", 0); l2.Audio != l.Audio {
		t.Errorf("a second reading copied again: %q then %q", l.Audio, l2.Audio)
	}
	if l, _ := c.Lesson(ctx, "it", "pagopa-con-io", 1); l.Audio != "" {
		t.Errorf("lesson 2 has no recording, got %q", l.Audio)
	}
	// A new catalogue version replaces the old copies.
	cat2, err := catalog.New(ctx, fsys, "test bundle version 2", course.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat2.Close()
	area.catalog.Store(cat2)
	l3, _ := c.Lesson(ctx, "it", "pagopa-con-io", 0)
	if _, err := os.Stat(l.Audio); !errors.Is(err, os.ErrNotExist) || l3.Audio == "" || l3.Audio == l.Audio {
		t.Errorf("after a new version: old copy %v, new %q", err, l3.Audio)
	}
}

func TestUITicketIsTakenWhenThePrinterCannotQueueIt(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	ctx := context.Background()
	// A print queue whose database is gone: Print fails.
	pst, err := store.Open(ctx, filepath.Join(t.TempDir(), "print.db"), "test", store.Options{Schemas: []store.Schema{printer.Schema()}})
	if err != nil {
		t.Fatal(err)
	}
	broken := printer.New(pst, k.clock, printer.Options{Address: "file:" + filepath.Join(t.TempDir(), "p.bin")})
	pst.Close()
	if _, err := broken.Print(ctx, printer.Ticket{Number: "1"}); err == nil {
		t.Fatal("the broken printer printed")
	}
	q := newUIQueue(k.records.desk, broken, k.content, "Biblioteca Berio", slog.New(slog.DiscardHandler))
	tk, err := q.Take(ctx, "inps-delega")
	if err != nil || tk.Number != "1" {
		t.Fatalf("ticket with a broken printer: %+v %v", tk, err)
	}
	w, err := q.Waiting(ctx)
	if err != nil || len(w) != 1 || w[0].Topic != "inps-delega" {
		t.Errorf("waiting: %+v %v", w, err)
	}
}

func TestUIVolunteerSessionStaysOpenWhenItCannotBeRecorded(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	ctx := context.Background()
	addStaff(t, k, "VOL-GE-007", staff.Volunteer, "04:BB:00:01", "135790")
	s := newUISessions(k.records.desk, k.content, k.clock)
	sess, err := s.Open(ctx, "VOL-GE-007", "videochiamate", "intergenerational")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Attend(ctx, sess.ID, "BIB-000042"); err != nil {
		t.Fatal(err)
	}
	// The volunteer leaves the roster before closing: the desk refuses.
	h, _ := staff.HashPIN("135790", 1000)
	if err := k.records.roster.Put(ctx, staff.Member{ID: "VOL-GE-007", Name: "Giulia D'Amico", Role: staff.Volunteer, Card: "04:BB:00:01"}, h); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx, sess.ID); err == nil {
		t.Fatal("an inactive volunteer's session was recorded")
	}
	if _, err := s.Attend(ctx, sess.ID, "BIB-000042"); !errors.Is(err, state.ErrAlreadyIn) {
		t.Errorf("after a failed close the attendance is lost: %v", err)
	}
	addStaff(t, k, "VOL-GE-007", staff.Volunteer, "04:BB:00:01", "135790")
	if err := s.Close(ctx, sess.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(events(t, k, assistance.KindSession)); n != 1 {
		t.Errorf("%d sessions recorded, want 1", n)
	}
}

func TestUILoansAndPrintedCertificate(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := seedTourStaff(ctx, k, "246810"); err != nil { // lends Tablet 3
		t.Fatal(err)
	}
	a := state.New(uiDeps(k))
	if err := realVisit(ctx, k, a, state.LoansView, "246810"); err != nil {
		t.Fatal(err)
	}
	ls, ok := a.Loans()
	if !ok || len(ls) != 1 || !strings.EqualFold(ls[0].Device, "Tablet 3") || a.Overdue(ls[0]) {
		t.Fatalf("loans: %+v", ls)
	}
	desk, _ := k.records.desk.Loans(ctx)
	if ls[0].Borrower == desk[0].Citizen || !strings.HasSuffix(desk[0].Citizen, strings.TrimPrefix(ls[0].Borrower, "…")) {
		t.Errorf("borrower shown as %q (pseudonym %q)", ls[0].Borrower, desk[0].Citizen)
	}

	jobs, stop := k.hardware.Printer.Subscribe(16)
	defer stop()
	go k.hardware.Printer.Run(ctx)
	if err := realVisit(ctx, k, a, state.CertView, "246810"); err != nil {
		t.Fatal(err)
	}
	a.PrintCertificate()
	if a.Notice().ID != "cert.printed" {
		t.Fatalf("print: %+v", a.Notice())
	}
	for done := false; !done; {
		select {
		case j := <-jobs:
			if j.State == printer.Cancelled {
				t.Fatalf("certificate cancelled: %s", j.Reason)
			}
			done = j.Kind == "certificate" && j.State == printer.Printed
		case <-time.After(10 * time.Second):
			t.Fatal("certificate never printed")
		}
	}
	paper, _ := os.ReadFile(filepath.Join(k.cfg.DataDir, "printer.bin"))
	paper = bytes.ReplaceAll(paper, []byte("\n"), []byte(" "))
	c := a.Certificate()
	for _, want := range []string{"Attestato", "Pagare un avviso pagoPA", "Verifica: " + c.Code, "DigComp 2.2: ", c.Name, "Biblioteca Berio"} {
		if !bytes.Contains(paper, []byte(want)) {
			t.Errorf("printed certificate lacks %q: %q", want, paper)
		}
	}
	// The code is the learning record's, and the attempt is recorded.
	if !strings.HasPrefix(c.Code, "OFC-") || len(c.DigComp) == 0 || c.Level == 0 {
		t.Errorf("certificate %+v", c)
	}
	certs := events(t, k, learning.KindCertificate)
	if len(certs) != 1 || !bytes.Contains(certs[0], []byte(c.Code)) {
		t.Errorf("certificate events %q, want one with %s", certs, c.Code)
	}
	if n := len(events(t, k, learning.KindQuiz)); n != 1 {
		t.Errorf("%d quiz attempts recorded, want 1", n)
	}
}

func TestUIStatusShowsTheHubAndItsFailure(t *testing.T) {
	ctx := context.Background()
	th := newTestHub(t)
	st, srv := th.st, th.srv
	code, _ := hub.NewEnrolCode(ctx, st, "genova-berio", time.Hour, time.Now())
	cfg := testConfig(t)
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, stdin: strings.NewReader(""), environ: []string{"OFFICINA_CONFIG=/dev/null"}}
	if rc := realMain(ctx, e, []string{"enroll", "--data", cfg.DataDir, srv.URL, code}); rc != 0 {
		t.Fatalf("enroll: %s", out.String())
	}
	k := openTestKiosk(t, cfg)
	if got := state.New(uiDeps(k)).HubNotice(); got != "" {
		t.Errorf("notice before any sync: %q", got)
	}
	now := k.clock.Now()
	for _, n := range []wire.Notice{
		{Text: "Chiuso per inventario", From: now.Add(-72 * time.Hour), Until: now.Add(-48 * time.Hour)},
		{Text: "Oggi la biblioteca chiude alle 13", From: now.Add(-time.Hour), Until: now.Add(24 * time.Hour)},
	} {
		if _, err := st.AddNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.sync.client.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	a := state.New(uiDeps(k))
	if got := a.HubNotice(); got != "Oggi la biblioteca chiude alle 13" {
		t.Errorf("home notice after sync: %q", got)
	}
	hubState := func() (state.SyncState, state.DeviceState) {
		s, ok := a.Sync()
		if !ok {
			t.Fatalf("status: %+v", a.Notice())
		}
		for _, d := range s.Devices {
			if d.Name == "hub" {
				return s, d
			}
		}
		t.Fatalf("no hub on the status screen: %+v", s.Devices)
		return s, state.DeviceState{}
	}
	s, h := hubState()
	if !s.HubConfigured || s.LastSync.IsZero() || s.Backlog != 0 || !h.OK {
		t.Errorf("after a good sync: %+v, hub %+v", s, h)
	}
	srv.Close() // the hub is gone
	if err := k.sync.client.SyncOnce(ctx); err == nil {
		t.Fatal("sync to a closed hub succeeded")
	}
	if _, h := hubState(); h.OK || h.Detail == "" {
		t.Errorf("after a failed sync the hub shows %+v", h)
	}
}

// The roster accepts PINs of 4 to 8 digits; so does the keypad, which
// checks only when the confirm key is pressed.
func TestUIStaffLoginWithFourAndEightDigitPINs(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	addStaff(t, k, "FAC-GE-004", staff.Facilitator, "04:00:00:04", "2580")
	addStaff(t, k, "FAC-GE-008", staff.Volunteer, "04:00:00:08", "13572468")
	for _, c := range []struct{ card, pin, id string }{
		{"04:00:00:04", "2580", "FAC-GE-004"},
		{"04:00:00:08", "13572468", "FAC-GE-008"},
	} {
		a := state.New(uiDeps(k))
		a.CardTapped(state.Card{Kind: state.CardStaff, ID: c.card})
		for _, d := range c.pin {
			a.PressPIN(string(d))
		}
		if a.Member() != nil || a.PINDigits() != len(c.pin) {
			t.Fatalf("%d digits: checked before the confirm key (member %v, %d digits kept)", len(c.pin), a.Member(), a.PINDigits())
		}
		a.PressPIN("9") // a ninth digit is not taken
		if len(c.pin) == 8 && a.PINDigits() != 8 {
			t.Errorf("keypad took %d digits, want at most 8", a.PINDigits())
		}
		if len(c.pin) < 8 {
			a.PressPIN("") // delete the extra digit
		}
		a.ConfirmPIN()
		if m := a.Member(); m == nil || m.ID != c.id || a.Screen() != state.StaffHome {
			t.Errorf("%d-digit PIN: member %v, notice %+v", len(c.pin), m, a.Notice())
		}
	}

	// Three digits are refused by the keypad without costing an attempt.
	a := state.New(uiDeps(k))
	a.CardTapped(state.Card{Kind: state.CardStaff, ID: "04:00:00:04"})
	for range staff.MaxFailures {
		for _, d := range "258" {
			a.PressPIN(string(d))
		}
		a.ConfirmPIN()
		if a.Notice().ID != "login.pin_short" || a.Member() != nil {
			t.Fatalf("3 digits: %+v", a.Notice())
		}
		for range 3 {
			a.PressPIN("")
		}
	}
	for _, d := range "2580" {
		a.PressPIN(string(d))
	}
	a.ConfirmPIN()
	if a.Member() == nil {
		t.Errorf("short PINs cost attempts: %+v", a.Notice())
	}
}

// A staff card read by a keyboard-mode reader (state.Wedge) goes through
// the roster like a reader tap: it starts the login instead of counting as
// a citizen's card; a library card stays a citizen's, a CF a health card.
func TestUIWedgeReadsAreClassifiedLikeReaderTaps(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newWedgeTaps(4)
	got := make(chan state.Card, 4)
	go cardLoop(ctx, w.taps, k.records.roster, func(c state.Card) { got <- c })
	read := func(typed string) state.Card {
		t.Helper()
		var wg state.Wedge
		for _, r := range typed {
			wg.Rune(r)
		}
		c, ok := wg.Enter()
		if !ok {
			t.Fatalf("wedge dropped %q", typed)
		}
		w.Read(c)
		select {
		case c := <-got:
			return c
		case <-time.After(10 * time.Second):
			t.Fatalf("wedge read %q never reached the UI", typed)
		}
		return state.Card{}
	}
	staffCard := read(testStaffCard) // the reader types the UID; the wedge drops the colons
	if staffCard.Kind != state.CardStaff {
		t.Fatalf("staff card typed by a wedge reader classified as %+v", staffCard)
	}
	if c := read("BIB-000042"); c.Kind != state.CardCitizen {
		t.Errorf("library card classified as %+v", c)
	}
	if c := read(strings.ToLower(testCF)); c.Kind != state.CardHealth || c.ID != testCF {
		t.Errorf("health card classified as %+v", c)
	}

	// And the typed staff card logs in with its PIN.
	a := state.New(uiDeps(k))
	a.CardTapped(staffCard)
	for _, d := range testStaffPIN {
		a.PressPIN(string(d))
	}
	a.ConfirmPIN()
	if m := a.Member(); m == nil || m.ID != "FAC-GE-001" {
		t.Errorf("login with a wedge-read staff card: %v %+v", m, a.Notice())
	}
}

// A failed quiz is recorded in the learning record too, and earns no
// certificate; a card tapped in the lesson makes the attempt that card's.
func TestUIFailedQuizIsRecordedWithoutCertificate(t *testing.T) {
	k := openTestKiosk(t, testConfig(t))
	a := state.New(uiDeps(k))
	a.OpenCourse(tourCourse)
	for a.Lesson().Index+1 < a.Lesson().Count {
		a.NextLesson()
	}
	a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000042"})
	a.StartQuiz()
	for i := 0; i < 50 && !a.Quiz().Done; i++ {
		q := a.Quiz().Question
		a.Answer((q.Correct + 1) % len(q.Choices)) // always wrong
		a.NextQuestion()
	}
	if !a.Quiz().Done || a.Passed() || a.Certificate() != nil {
		t.Fatalf("failed quiz: done %v passed %v cert %+v, notice %+v", a.Quiz().Done, a.Passed(), a.Certificate(), a.Notice())
	}
	if n := len(events(t, k, learning.KindQuiz)); n != 1 {
		t.Errorf("%d quiz attempts recorded, want 1", n)
	}
	if n := len(events(t, k, learning.KindCertificate)); n != 0 {
		t.Errorf("%d certificates for a failed quiz", n)
	}
	l, err := k.content.Learning.ByCard(context.Background(), "BIB-000042")
	if err != nil {
		t.Fatalf("the card's learner: %v", err)
	}
	ps, _ := k.content.Learning.Progress(context.Background(), l)
	if len(ps) != 1 || ps[0].Course != tourCourse {
		t.Errorf("the attempt is not the card's: %+v", ps)
	}
}

// The guide a citizen asked about is kept with the ticket by the desk: a
// ticket called after a restart still prefills the record's domain.
func TestUITicketTopicSurvivesARestart(t *testing.T) {
	cfg := testConfig(t)
	k := openTestKiosk(t, cfg)
	addStaff(t, k, "FAC-GE-001", staff.Facilitator, testStaffCard, testStaffPIN)
	a := state.New(uiDeps(k))
	a.TakeTicket("inps-delega")
	if tk := a.Ticket(); tk == nil || tk.Topic != "inps-delega" {
		t.Fatalf("ticket %+v", tk)
	}
	k.Close()

	k = openTestKiosk(t, cfg)
	a = state.New(uiDeps(k))
	login(t, a)
	if ws := a.Waiting(); len(ws) != 1 || ws[0].Topic != "inps-delega" {
		t.Fatalf("waiting after a restart: %+v", ws)
	}
	a.CallNext()
	if d := a.Draft(); d.Domain != "L" {
		t.Errorf("draft after a restart not prefilled from the guide: %+v", d)
	}
	var ev assistance.TicketEvent
	taken := events(t, k, assistance.KindTicketTaken)
	if len(taken) != 1 || json.Unmarshal(taken[0], &ev) != nil || ev.Topic != "inps-delega" {
		t.Errorf("ticket event %q", taken)
	}
}
