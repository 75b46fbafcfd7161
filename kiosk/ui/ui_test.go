package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/i18n"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

type harness struct {
	t    *testing.T
	w    fyne.Window
	a    *state.App
	u    *UI
	clk  *clock.Fake
	d    state.Deps
	cat  *i18n.Catalog
	size fyne.Size
}

func newHarness(t *testing.T, size fyne.Size) *harness {
	t.Helper()
	return newHarnessWith(t, size, Options{})
}

func newHarnessWith(t *testing.T, size fyne.Size, opts Options) *harness {
	t.Helper()
	test.NewTempApp(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 3, 10, 10, 30, 0, 0, time.Local))
	d := state.DemoDeps(clk)
	d.Speech = &state.FakeSpeaker{Languages: []string{"it", "en"}}
	a := state.New(d)
	w := test.NewTempWindow(t, nil)
	w.Resize(size)
	u := New(w, a, cat, opts)
	return &harness{t: t, w: w, a: a, u: u, clk: clk, d: d, cat: cat, size: size}
}

var panel800 = fyne.NewSize(800, 480)

// tr is the translation of id in the current language, what a person reads
// on the button.
func (h *harness) tr(id string) string { return h.cat.Translator(h.a.Prefs().Lang).T(id) }

// walk visits every visible object with its absolute position; inScroll
// says whether it sits inside a scroll container (which may clip it on
// purpose).
func walk(o fyne.CanvasObject, at fyne.Position, inScroll bool, fn func(o fyne.CanvasObject, at fyne.Position, inScroll bool)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o, at, inScroll)
	switch x := o.(type) {
	case *container.Scroll:
		walk(x.Content, at.Add(x.Content.Position()), true, fn)
		return
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, at.Add(c.Position()), inScroll, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, at.Add(c.Position()), inScroll, fn)
		}
	}
}

func (h *harness) root() fyne.CanvasObject { return h.w.Canvas().Content() }

// buttons returns the visible buttons and tiles by label.
func (h *harness) buttons() map[string]fyne.Tappable {
	out := map[string]fyne.Tappable{}
	walk(h.root(), fyne.Position{}, false, func(o fyne.CanvasObject, _ fyne.Position, _ bool) {
		switch b := o.(type) {
		case *widget.Button:
			if _, dup := out[b.Text]; !dup {
				out[b.Text] = b
			}
		case *panel:
			out[b.Text] = b
		}
	})
	return out
}

// tap taps the button a person would read as label.
func (h *harness) tap(label string) {
	h.t.Helper()
	b, ok := h.buttons()[label]
	if !ok {
		var have []string
		for k := range h.buttons() {
			have = append(have, fmt.Sprintf("%q", k))
		}
		h.t.Fatalf("no button %q on %s; buttons: %s", label, h.a.Screen(), strings.Join(have, ", "))
	}
	test.Tap(b)
}

func (h *harness) tapID(id string) { h.t.Helper(); h.tap(h.tr(id)) }

// texts is every string drawn on screen.
func (h *harness) texts() string {
	var sb strings.Builder
	walk(h.root(), fyne.Position{}, false, func(o fyne.CanvasObject, _ fyne.Position, _ bool) {
		if t, ok := o.(*canvas.Text); ok {
			sb.WriteString(t.Text)
			sb.WriteString(" ")
		}
	})
	return sb.String()
}

func (h *harness) sees(s string) bool { return strings.Contains(h.texts(), s) }

func (h *harness) mustSee(s string) {
	h.t.Helper()
	if !h.sees(s) {
		h.t.Fatalf("screen %s does not show %q; it shows:\n%s", h.a.Screen(), s, h.texts())
	}
}

func TestCitizenFlow(t *testing.T) {
	h := newHarness(t, panel800)
	h.tapID("home.language")
	h.tap("English")
	h.mustSee("Welcome! What would you like to do?")
	h.tapID("home.access")
	h.tap("Larger text")
	if !h.a.Prefs().LargeText {
		t.Fatal("large text not on")
	}
	h.tapID("nav.home")
	h.tapID("home.courses")
	h.tap("SPID")
	h.tap("Your first SPID")
	h.mustSee("What SPID is")
	h.tapID("read.start")
	sp := h.d.Speech.(*state.FakeSpeaker)
	if len(sp.Spoken) != 1 || !strings.HasPrefix(sp.Spoken[0], "en: What SPID is") {
		t.Fatalf("read aloud: %q", sp.Spoken)
	}
	h.tapID("read.stop")
	h.tapID("nav.home")
	h.tapID("home.help")
	h.tap("Getting SPID")
	h.mustSee("A001")
	h.mustSee("0 people are ahead of you")
}

func TestLanguageSwitchFromAnyScreenTakesEffectAtOnce(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.OpenCourse("primo-spid")
	h.mustSee("Che cos'è SPID")
	h.tap("Italiano") // the language button in the top bar
	h.tap("English")
	if h.a.Screen() != state.LessonView {
		t.Fatalf("language change left the lesson: %s", h.a.Screen())
	}
	h.mustSee("What SPID is")
	h.mustSee("Lesson 1 of 3")
	h.tap("English")
	h.tap("Українська")
	h.mustSee("Урок 1 з 3")
	h.mustSee("Che cos'è SPID") // no Ukrainian lesson yet …
	h.mustSee(h.tr("content.fallback"))
}

func TestReadAloudHiddenWithoutVoice(t *testing.T) {
	h := newHarness(t, panel800)
	h.d.Speech.(*state.FakeSpeaker).Languages = nil
	h.a.SetLanguage("uk")
	h.a.OpenCourse("password") // shown in Italian, which this speaker cannot say
	if _, ok := h.buttons()[h.tr("read.start")]; ok {
		t.Fatal("read-aloud button shown without a voice")
	}
}

func TestCitizenResumesCourseByCard(t *testing.T) {
	h := newHarness(t, panel800)
	h.tapID("home.courses")
	h.tap("Il tuo primo SPID")
	h.tapID("lesson.next")
	h.mustSee("Cosa ti serve")
	h.a.CardTapped(state.Card{Kind: state.CardCitizen, ID: state.DemoCitizenCard}) // the reader
	h.mustSee(h.tr("progress.saved_card"))
	h.tapID("nav.home")
	h.a.Reset() // she walks away; someone else comes
	h.mustSee(h.tr("home.welcome"))
	h.tapID("home.resume")
	h.a.CardTapped(state.Card{Kind: state.CardCitizen, ID: state.DemoCitizenCard})
	h.mustSee("Cosa ti serve")
	h.mustSee("Lezione 2 di 3")
}

func TestResumeByPrintedCode(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.OpenCourse("primo-spid")
	h.tapID("lesson.save")
	code := h.a.SavedCode()
	h.mustSee(code)
	h.a.Reset()
	h.tapID("home.resume")
	for _, c := range code {
		h.tap(string(c))
	}
	h.tapID("resume.open")
	h.mustSee("Che cos'è SPID")
}

func TestIdleResetClearsState(t *testing.T) {
	h := newHarness(t, panel800)
	h.tapID("home.language")
	h.tap("Română")
	h.tapID("home.help")
	h.tap(h.tr("help.other"))
	h.mustSee("A001")

	h.clk.Advance(125 * time.Second)
	h.a.Tick()
	h.mustSee(h.tr("idle.question"))
	h.mustSee("Peste 25 de secunde")
	h.tapID("idle.more_time")
	if h.sees(h.tr("idle.question")) {
		t.Fatal("warning still shown after 'I need more time'")
	}
	h.mustSee("A001")

	h.clk.Advance(121 * time.Second)
	h.a.Tick()
	h.mustSee("Peste 29 de secunde")
	h.clk.Advance(29 * time.Second)
	h.a.Tick()
	h.mustSee("Benvenuta, benvenuto! Cosa vuoi fare?")
	if h.sees("A001") || h.a.Ticket() != nil || h.a.Prefs().Lang != "it" {
		t.Fatal("personal state survived the reset")
	}
}

func (h *harness) enterPIN(pin string) {
	h.t.Helper()
	for _, d := range pin {
		h.tap(string(d))
	}
	h.tapID("login.confirm")
}

func TestFacilitatorCallsTicketAndRecordsService(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.TakeTicket("app-io") // a citizen took a ticket earlier
	h.a.Reset()

	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.mustSee(h.tr("login.enter_pin"))
	h.enterPIN(state.DemoStaffPIN)
	h.mustSee("Ciao Giulia Ferrari")
	h.tapID("staff.queue")
	h.mustSee("1 persona in attesa")
	h.tapID("queue.call_next")
	h.mustSee("Hai chiamato il numero A001.")
	h.tapID("staff.record")
	h.a.CardTapped(state.Card{Kind: state.CardHealth, ID: state.DemoHealthCF})
	h.mustSee("RSSMRA••••••969Z")
	h.tap("+5")
	h.tapID("record.save")
	h.mustSee(h.tr("record.saved"))
	recs := h.d.Services.(*state.FakeServices).Records
	if len(recs) != 1 || recs[0].Domain != "A" || recs[0].Minutes != 20 || recs[0].Type != "A" {
		t.Fatalf("records: %+v", recs)
	}
}

func TestWrongPINFiveTimesLocksTheCard(t *testing.T) {
	h := newHarness(t, panel800)
	h.tapID("home.staff")
	h.mustSee(h.tr("login.tap_card"))
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	for i := 1; i <= 4; i++ {
		h.enterPIN("000000")
	}
	h.mustSee("Ti resta 1 tentativo")
	h.enterPIN("000000")
	h.mustSee(h.tr("error.locked"))
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.enterPIN(state.DemoStaffPIN)
	h.mustSee(h.tr("error.locked"))
	if h.a.Member() != nil {
		t.Fatal("locked card logged in")
	}
}

func TestAirQualityShowsLiveValuesAndAdvice(t *testing.T) {
	h := newHarness(t, panel800)
	h.clk.Set(time.Date(2026, 3, 10, 15, 0, 0, 0, time.Local))
	h.tapID("home.air")
	h.mustSee("ppm")
	h.mustSee("°C")
	if !strings.Contains(h.texts(), ",") || strings.Contains(h.texts(), "10.") {
		t.Fatalf("Italian decimals need a comma: %s", h.texts())
	}
	h.mustSee(h.tr("air.open_window"))
	h.tapID("air.week")
	if _, week := h.a.AirChart(); !week {
		t.Fatal("week not selected")
	}
	h.d.Sensors.(*state.FakeSensors).Down = true
	h.a.Refresh() // the poll loop, after the sensor was unplugged
	h.mustSee(h.tr("error.device"))
}

func TestGuideChecklist(t *testing.T) {
	h := newHarness(t, panel800)
	h.tapID("home.services")
	h.tap("PIN e PUK della CIE")
	h.mustSee("Le prime 4 cifre sono sulla ricevuta del Comune.")
	h.tap("Ricevuta del Comune")
	if !h.a.Checked(0) {
		t.Fatal("checklist item not ticked")
	}
	h.tapID("guide.ask_help")
	h.mustSee("A001")
}

func TestFacilitatorWatchesAttendanceFillIn(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.enterPIN(state.DemoStaffPIN)
	h.tapID("staff.attendance")
	h.tap("Il tuo primo SPID")
	h.mustSee("0 presenti")
	h.a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000101"})
	h.a.CardTapped(state.Card{Kind: state.CardCitizen, ID: "BIB-000102"})
	h.mustSee("2 presenti")
	h.mustSee("…0102")
	h.tapID("session.close")
	h.mustSee("Sessione chiusa con 2 presenti.")
}

func TestQuizToPrintedCertificate(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.OpenCourse("primo-spid")
	h.a.StartQuiz()
	h.tap("A entrare nei siti pubblici")
	h.mustSee(h.tr("quiz.right"))
	h.tapID("quiz.next")
	h.tap("Un documento, la tessera sanitaria, e-mail e cellulare")
	h.tapID("quiz.next")
	h.mustSee("2 risposte giuste su 2")
	h.tapID("cert.get")
	h.mustSee("Il tuo primo SPID")
	h.tapID("cert.print")
	h.mustSee(h.tr("cert.printed"))
	if n := len(h.d.Printer.(*state.FakePrinter).Printed); n != 1 {
		t.Fatalf("%d printed", n)
	}
}

func TestFacilitatorChecksLoans(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.enterPIN(state.DemoStaffPIN)
	h.tapID("staff.loans")
	h.mustSee("Tablet 1 · …0042 · in ritardo")
	h.mustSee("Tablet 3 · …0117 · da restituire")
}

func TestHealthCardScannerFillsTheRecord(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.enterPIN(state.DemoStaffPIN)
	h.tapID("staff.record")
	test.TypeOnCanvas(h.w.Canvas(), "RSSMRA80A01D969Z")                                     // the scanner types …
	h.w.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn}) // … then Enter
	h.mustSee("RSSMRA••••••969Z")
}

func TestScrollingAGuideCountsAsActivity(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.SetLargeText(true)
	h.a.OpenGuide("spid") // longer than the screen in large text
	h.clk.Advance(110 * time.Second)
	var sc *container.Scroll
	walk(h.root(), fyne.Position{}, false, func(o fyne.CanvasObject, _ fyne.Position, _ bool) {
		if s, ok := o.(*container.Scroll); ok && sc == nil && s.Content.MinSize().Height > s.Size().Height {
			sc = s
		}
	})
	if sc == nil {
		t.Fatal("nothing to scroll on the guide")
	}
	sc.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -20)})
	h.clk.Advance(20 * time.Second) // 130 s since the last tap, 20 s since the scroll
	h.a.Tick()
	if h.sees(h.tr("idle.question")) {
		t.Fatal("idle warning while the guide is being scrolled")
	}
}

// firstVisitHarness is a facilitator on the record screen for a citizen
// the register does not know yet, after tapping Save.
func firstVisitHarness(t *testing.T) *harness {
	h := newHarness(t, panel800)
	h.d.Services.(*state.FakeServices).Register = map[string]state.FirstVisit{}
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.enterPIN(state.DemoStaffPIN)
	h.tapID("staff.record")
	h.a.CardTapped(state.Card{Kind: state.CardHealth, ID: state.DemoHealthCF})
	h.tapID("se6.a")
	h.tapID("record.save")
	return h
}

func (h *harness) typeOnKeys(word string) {
	h.t.Helper()
	for _, r := range word {
		if r == ' ' {
			h.tapID("first.space")
		} else {
			h.tap(string(r))
		}
	}
	h.tapID("first.next")
}

func TestFacilitatorRecordsAFirstVisitThenAReturnVisit(t *testing.T) {
	h := firstVisitHarness(t)
	h.mustSee(h.tr("first.intro"))
	h.mustSee(h.tr("first.first_name"))
	h.typeOnKeys("MARIA GRAZIA")
	h.mustSee(h.tr("first.surname"))
	h.typeOnKeys("ROSSI")
	h.tapID("an9.b")
	h.tapID("first.back") // a wrong answer is corrected
	h.mustSee(h.tr("first.education"))
	h.tapID("an9.c")
	h.tapID("an10.g")
	h.tapID("an11.a")
	h.typeOnKeys("GE")
	h.mustSee(h.tr("first.consent"))
	h.tapID("consent.paper")
	h.mustSee(h.tr("record.saved"))
	fs := h.d.Services.(*state.FakeServices)
	want := state.FirstVisit{FirstName: "MARIA GRAZIA", Surname: "ROSSI",
		Profile: state.Profile{Education: "C", Employment: "G", Citizenship: "A", Province: "GE"}, Consent: "paper"}
	if len(fs.Records) != 1 || fs.Records[0].First == nil || *fs.Records[0].First != want {
		t.Fatalf("first visit recorded as %+v", fs.Records)
	}

	// The same card again: no questions, one tap on Save.
	h.tapID("staff.record")
	h.a.CardTapped(state.Card{Kind: state.CardHealth, ID: state.DemoHealthCF})
	h.tapID("se6.b")
	h.tapID("record.save")
	h.mustSee(h.tr("record.saved"))
	if len(fs.Records) != 2 || fs.Records[1].First != nil || fs.Records[1].Domain != "B" {
		t.Fatalf("return visit recorded as %+v", fs.Records[1:])
	}
}

// Every first-visit question fits the 800×480 panel in every language,
// in large text, with touch targets of at least 48 px.
func TestFirstVisitStepsFit(t *testing.T) {
	for _, l := range i18n.Locales() {
		h := firstVisitHarness(t)
		h.a.SetLanguage(l.Tag)
		h.a.SetLargeText(true)
		for _, step := range state.Steps() {
			if s, _ := h.a.FirstVisitStep(); s != step {
				t.Fatalf("%s: at step %q, want %q", l.Tag, s, step)
			}
			for _, p := range layoutProblems(h.w.Canvas(), h.size) {
				t.Errorf("%s %s: %s", l.Tag, step, p)
			}
			switch {
			case step == state.StepProvince:
				h.a.TypeLetter("G")
				h.a.TypeLetter("E")
				h.a.NextStep()
			case step.Typed():
				h.a.TypeLetter("A")
				h.a.NextStep()
			case step != state.StepConsent:
				h.a.Choose(step.Choices()[0])
			}
		}
	}
}

// With Options.Wedge set, a keyboard reader's read goes to it (for the
// roster lookup) and not straight to the state as a citizen's card.
func TestWedgeReadsGoToTheClassifier(t *testing.T) {
	var got []state.Card
	h := newHarnessWith(t, panel800, Options{Wedge: func(c state.Card) { got = append(got, c) }})
	test.TypeOnCanvas(h.w.Canvas(), "04a2197c")
	h.w.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(got) != 1 || got[0].ID != "04A2197C" {
		t.Fatalf("wedge reads: %+v", got)
	}
	if h.a.Screen() != state.Home || h.a.Notice().ID != "" {
		t.Errorf("the read reached the state unclassified: %+v on %s", h.a.Notice(), h.a.Screen())
	}
}

// A hub notice shows on the home screen, and a long one still leaves the
// tiles on the 800×480 panel in every language, in large text.
func TestHubNoticeOnHome(t *testing.T) {
	long := strings.Repeat("La biblioteca chiude alle 13 per una riunione del personale. ", 6)
	for _, l := range i18n.Locales() {
		test.NewTempApp(t)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		clk := clock.NewFake(time.Date(2026, 3, 10, 10, 30, 0, 0, time.Local))
		d := state.DemoDeps(clk)
		d.Notices = &state.FakeNotices{List: []string{" ", long}}
		a := state.New(d)
		w := test.NewTempWindow(t, nil)
		w.Resize(panel800)
		New(w, a, cat, Options{})
		h := &harness{t: t, w: w, a: a, clk: clk, d: d, cat: cat, size: panel800}
		a.SetLanguage(l.Tag)
		a.SetLargeText(true)
		h.mustSee("La biblioteca chiude alle 13")
		if h.sees(long[:100]) {
			t.Errorf("%s: a long notice is shown whole", l.Tag)
		}
		for _, p := range layoutProblems(w.Canvas(), panel800) {
			t.Errorf("%s home with a notice: %s", l.Tag, p)
		}
	}
	// A notice that cannot be read is no error on the home screen.
	h := newHarness(t, panel800)
	h.d.Notices = nil
	if h.a.HubNotice() != "" || h.a.Notice().ID != "" {
		t.Errorf("no notice board: %q %+v", h.a.HubNotice(), h.a.Notice())
	}
}

// Without a health card the facilitator types the codice fiscale on the
// record screen's keyboard; a short one is refused with a plain sentence.
func TestFacilitatorTypesTheCodiceFiscale(t *testing.T) {
	h := newHarness(t, panel800)
	h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: state.DemoStaffCard})
	h.enterPIN(state.DemoStaffPIN)
	h.tapID("staff.record")
	h.tapID("se6.a")
	h.tapID("record.type_cf")
	for _, r := range "RSSMRA80A01D96" {
		h.tap(string(r))
	}
	h.tapID("record.cf_done")
	h.mustSee(h.tr("record.type_cf_title")) // still on the keyboard
	if !h.a.Notice().Error {
		t.Errorf("14 characters accepted: %+v", h.a.Notice())
	}
	h.tap("9")
	h.tap("Z")
	h.tapID("record.cf_done")
	h.mustSee("RSSMRA••••••969Z")
	h.tapID("record.save")
	h.mustSee(h.tr("record.saved"))
	if recs := h.d.Services.(*state.FakeServices).Records; len(recs) != 1 || recs[0].CF != state.DemoHealthCF {
		t.Fatalf("records %+v", recs)
	}
}

func TestCFKeyboardFits(t *testing.T) {
	for _, l := range i18n.Locales() {
		h := newHarness(t, panel800)
		h.setup(state.Record)
		h.a.SetLanguage(l.Tag)
		h.a.SetLargeText(true)
		h.a.TypeCF()
		for range 20 {
			h.a.CFKey("W")
		}
		h.a.DoneCF()
		for _, p := range layoutProblems(h.w.Canvas(), h.size) {
			t.Errorf("%s: %s", l.Tag, p)
		}
	}
}
