package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/officina-digitale/officina/kiosk/i18n"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

func (u *UI) home() fyne.CanvasObject {
	a := u.app
	go_ := func(s state.Screen) func() { return func() { a.Go(s) } }
	cols := 4
	if u.narrow() {
		cols = 2
	}
	tiles := container.NewGridWithColumns(cols,
		newTile(theme.DocumentIcon(), u.T("home.courses"), go_(state.Courses)),
		newTile(theme.ListIcon(), u.T("home.services"), go_(state.Guides)),
		newTile(theme.QuestionIcon(), u.T("home.help"), go_(state.Help)),
		newTile(theme.ViewRefreshIcon(), u.T("home.resume"), go_(state.Resume)),
		newTile(theme.InfoIcon(), u.T("home.air"), go_(state.Air)),
		newTile(theme.SettingsIcon(), u.T("home.language"), go_(state.Languages)),
		newTile(theme.VisibilityIcon(), u.T("home.access"), go_(state.Access)),
		newTile(theme.LoginIcon(), u.T("home.staff"), go_(state.StaffLogin)),
	)
	// A hub notice takes the welcome's place, so the tiles keep theirs.
	var top fyne.CanvasObject = heading(u.T("home.welcome"))
	if n := a.HubNotice(); n != "" {
		top = wrapped(n)
	}
	return container.NewBorder(top, nil, nil, nil, tiles)
}

func (u *UI) languages() fyne.CanvasObject {
	var items []fyne.CanvasObject
	for _, l := range i18n.Locales() {
		items = append(items, choice(l.Name, u.app.Prefs().Lang == l.Tag, func() { u.app.SetLanguage(l.Tag) }))
	}
	return container.NewVBox(heading(u.T("languages.title")), u.grid(2, items...))
}

func (u *UI) access() fyne.CanvasObject {
	p := u.app.Prefs()
	return container.NewVBox(
		heading(u.T("access.title")),
		choice(u.T("access.large_text"), p.LargeText, func() { u.app.SetLargeText(!p.LargeText) }),
		choice(u.T("access.contrast"), p.HighContrast, func() { u.app.SetHighContrast(!p.HighContrast) }),
		wrapped(u.T("access.sample")),
	)
}

func (u *UI) levelName(level int) string {
	switch {
	case level <= 2:
		return u.T("courses.level_1")
	case level <= 4:
		return u.T("courses.level_2")
	}
	return u.T("courses.level_3")
}

func (u *UI) courses() fyne.CanvasObject {
	a := u.app
	topic, level := a.Filter()
	topics := container.NewHBox()
	for _, t := range a.Topics() {
		topics.Add(choice(t, t == topic, func() { a.SetTopic(t) }))
	}
	levels := container.NewHBox()
	for i := range 4 {
		var label string
		switch i {
		case 0:
			label = u.T("courses.level_any")
		case 1:
			label = u.T("courses.level_1")
		case 2:
			label = u.T("courses.level_2")
		case 3:
			label = u.T("courses.level_3")
		}
		levels.Add(choice(label, level == i, func() { a.SetLevel(i) }))
	}
	list := container.NewVBox()
	cs := a.Courses()
	if len(cs) == 0 {
		list.Add(wrapped(u.T("courses.none")))
	}
	for _, c := range cs {
		meta := u.tr.N("courses.lessons", c.Lessons) + " · " + u.levelName(c.Level)
		body := container.NewBorder(nil, nil, nil, widget.NewIcon(theme.NavigateNextIcon()),
			container.NewVBox(subheading(c.Title), wrapped(c.Summary), wrapped(meta), u.fallbackNote(c.Fallback)))
		list.Add(newPanel(c.Title, body, fyne.NewSize(state.MinTouch, state.MinTouch), func() { a.OpenCourse(c.ID) }))
	}
	filters := container.NewVBox(
		container.NewHScroll(topics),
		container.NewHScroll(levels),
	)
	return container.NewBorder(container.NewVBox(heading(u.T("courses.title")), filters), nil, nil, nil, u.vscroll(list))
}

func (u *UI) readAloud() fyne.CanvasObject {
	if !u.app.CanReadAloud() {
		return nil
	}
	if u.app.Reading() {
		return big(u.T("read.stop"), theme.MediaStopIcon(), u.app.ToggleReadAloud)
	}
	return big(u.T("read.start"), theme.VolumeUpIcon(), u.app.ToggleReadAloud)
}

func (u *UI) lesson() fyne.CanvasObject {
	a := u.app
	l := a.Lesson()
	body := widget.NewRichTextFromMarkdown(l.Body)
	body.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(heading(l.Title), wrapped(u.tr.Tf("lesson.position", "N", l.Index+1, "Total", l.Count)), u.fallbackNote(l.Fallback))
	var row []fyne.CanvasObject
	if l.Index > 0 {
		row = append(row, big(u.T("lesson.prev"), theme.NavigateBackIcon(), a.PrevLesson))
	}
	if r := u.readAloud(); r != nil {
		row = append(row, r)
	}
	row = append(row, big(u.T("lesson.save"), theme.DocumentSaveIcon(), a.SaveWithCode))
	next := u.T("lesson.next")
	if l.Index+1 >= l.Count {
		next = u.T("lesson.quiz")
	}
	row = append(row, primary(next, theme.NavigateNextIcon(), a.NextLesson))
	hint := wrapped(u.T("lesson.card_hint"))
	hint.SizeName = theme.SizeNameCaptionText
	if code := a.SavedCode(); code != "" {
		hint = subheading(u.tr.Tf("progress.saved_code", "Code", code))
	}
	bottom := container.NewVBox(hint, u.grid(len(row), row...))
	return container.NewBorder(top, bottom, nil, nil, u.vscroll(body))
}

func (u *UI) quiz() fyne.CanvasObject {
	a := u.app
	q := a.Quiz()
	if q.Done {
		box := container.NewVBox(
			heading(u.T("quiz.done")),
			subheading(u.tr.N("quiz.score", q.Score, "Total", q.Count)),
		)
		if a.Passed() {
			box.Add(primary(u.T("cert.get"), theme.DocumentIcon(), a.ShowCertificate))
		} else {
			box.Add(wrapped(u.T("quiz.try_again")))
		}
		box.Add(big(u.T("quiz.back_to_courses"), theme.NavigateBackIcon(), func() { a.Go(state.Courses) }))
		return box
	}
	box := container.NewVBox(wrapped(u.tr.Tf("quiz.position", "N", q.Index+1, "Total", q.Count)), subheading(q.Question.Text))
	for i, c := range q.Question.Choices {
		b := button(c, nil, func() { a.Answer(i) })
		if q.Chosen >= 0 {
			switch {
			case i == q.Question.Correct:
				b.Importance = widget.SuccessImportance
				b.Icon = theme.ConfirmIcon()
			case i == q.Chosen:
				b.Importance = widget.DangerImportance
				b.Icon = theme.CancelIcon()
			}
		}
		box.Add(touchable(b))
	}
	if q.Chosen >= 0 {
		verdict := u.T("quiz.wrong")
		if q.Chosen == q.Question.Correct {
			verdict = u.T("quiz.right")
		}
		box.Add(subheading(verdict))
		box.Add(primary(u.T("quiz.next"), theme.NavigateNextIcon(), a.NextQuestion))
	}
	return u.vscroll(box)
}

// keypad is a 3×4 grid of digit keys with a delete key, and an action
// key under it when action is set.
func keypad(press func(string), actionLabel string, action func()) fyne.CanvasObject {
	g := container.NewGridWithColumns(3)
	for _, d := range "123456789" {
		g.Add(container.New(atLeast{state.MinTouch * 1.5, state.MinTouch}, button(string(d), nil, func() { press(string(d)) })))
	}
	g.Add(container.NewStack())
	g.Add(big("0", nil, func() { press("0") }))
	g.Add(big("", theme.ContentUndoIcon(), func() { press("") }))
	if action == nil {
		return g
	}
	return container.NewVBox(g, primary(actionLabel, theme.ConfirmIcon(), action))
}

func (u *UI) resume() fyne.CanvasObject {
	a := u.app
	code := a.ResumeCode()
	shown := code + strings.Repeat("·", max(0, 6-len(code)))
	left := container.NewVBox(heading(u.T("resume.title")), wrapped(u.T("resume.card")), wrapped(u.T("resume.code")), subheading(shown))
	return container.NewBorder(nil, nil, nil, keypad(a.TypeCode, u.T("resume.open"), a.ResumeWithCode), left)
}

func (u *UI) guides() fyne.CanvasObject {
	a := u.app
	list := container.NewVBox(heading(u.T("guides.title")))
	for _, g := range a.Guides() {
		label := g.Title
		list.Add(big(label, theme.NavigateNextIcon(), func() { a.OpenGuide(g.ID) }))
	}
	return u.vscroll(list)
}

func (u *UI) guide() fyne.CanvasObject {
	a := u.app
	g := a.Guide()
	box := container.NewVBox(heading(g.Title), u.fallbackNote(g.Fallback), wrapped(g.Intro), subheading(u.T("guide.steps")))
	for i, s := range g.Steps {
		box.Add(wrapped(fmt.Sprintf("%d. %s", i+1, s)))
	}
	box.Add(subheading(u.T("guide.bring")))
	var checks []fyne.CanvasObject
	for i, c := range g.Checklist {
		icon := theme.CheckButtonIcon()
		if a.Checked(i) {
			icon = theme.CheckButtonCheckedIcon()
		}
		checks = append(checks, big(c, icon, func() { a.ToggleCheck(i) }))
	}
	box.Add(u.grid(2, checks...))
	row := []fyne.CanvasObject{primary(u.T("guide.ask_help"), theme.QuestionIcon(), func() { a.TakeTicket(g.ID) })}
	if r := u.readAloud(); r != nil {
		row = append([]fyne.CanvasObject{r}, row...)
	}
	return container.NewBorder(nil, u.grid(len(row), row...), nil, nil, u.vscroll(box))
}

func (u *UI) help() fyne.CanvasObject {
	a := u.app
	var items []fyne.CanvasObject
	for _, g := range a.Guides() {
		items = append(items, big(g.Title, nil, func() { a.TakeTicket(g.ID) }))
	}
	items = append(items, big(u.T("help.other"), nil, func() { a.TakeTicket("") }))
	return u.vscroll(container.NewVBox(heading(u.T("help.title")), wrapped(u.T("help.intro")), u.grid(2, items...)))
}

func (u *UI) ticket() fyne.CanvasObject {
	t := u.app.Ticket()
	if t == nil {
		return container.NewVBox(wrapped(u.T("ticket.none")), primary(u.T("home.help"), nil, func() { u.app.Go(state.Help) }))
	}
	num := widget.NewLabel(t.Number)
	num.TextStyle.Bold = true
	num.SizeName = theme.SizeNameHeadingText
	num.Alignment = fyne.TextAlignCenter
	ahead := subheading(u.tr.N("ticket.ahead", t.Ahead))
	ahead.Alignment = fyne.TextAlignCenter
	title := heading(u.T("ticket.title"))
	title.Alignment = fyne.TextAlignCenter
	wait := wrapped(u.T("ticket.wait"))
	wait.Alignment = fyne.TextAlignCenter
	return container.NewVBox(title, container.NewCenter(container.New(atLeast{200, 100}, num)), ahead, wait)
}

var quantityIDs = map[string]i18n.ID{
	"co2": i18n.ID("air.co2"), "pm25": i18n.ID("air.pm25"), "temperature": i18n.ID("air.temperature"), "humidity": i18n.ID("air.humidity"),
}

// Facilita SE3 service types and SE6 domains, as short labels.
var se3IDs = map[string]i18n.ID{
	"A": i18n.ID("se3.a"), "B": i18n.ID("se3.b"), "C": i18n.ID("se3.c"), "D": i18n.ID("se3.d"), "E": i18n.ID("se3.e"),
}

var se6IDs = map[string]i18n.ID{
	"A": i18n.ID("se6.a"), "B": i18n.ID("se6.b"), "C": i18n.ID("se6.c"), "D": i18n.ID("se6.d"),
	"L": i18n.ID("se6.l"), "M": i18n.ID("se6.m"), "F": i18n.ID("se6.f"), "S": i18n.ID("se6.s"),
}

func (u *UI) air() fyne.CanvasObject {
	a := u.app
	rs, advice := a.Readings()
	q, week := a.AirChart()
	var cells []fyne.CanvasObject
	for _, r := range rs {
		v := subheading(fmt.Sprintf("%s %s", u.decimal(r.Value), r.Unit))
		v.Alignment = fyne.TextAlignCenter
		cells = append(cells, container.NewVBox(choice(u.tr.ID(quantityIDs[r.Quantity]), r.Quantity == q, func() { a.ShowChart(r.Quantity, week) }), v))
	}
	top := container.NewVBox(heading(u.T("air.title")), u.grid(4, cells...))
	if advice != "" {
		l := wrapped(u.tr.ID(advice))
		l.TextStyle.Bold = true
		l.Importance = widget.WarningImportance
		top.Add(l)
	}
	windows := u.grid(2,
		choice(u.T("air.day"), !week, func() { a.ShowChart(q, false) }),
		choice(u.T("air.week"), week, func() { a.ShowChart(q, true) }),
	)
	var chartObj fyne.CanvasObject = wrapped("")
	if rs != nil {
		chartObj = newChart(a.Series())
	}
	return container.NewBorder(top, windows, nil, nil, chartObj)
}

// decimal writes v with the language's decimal separator: a comma
// everywhere but in English.
func (u *UI) decimal(v float64) string {
	s := formatValue(v)
	if u.tr.Lang() != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func formatValue(v float64) string {
	if v == float64(int(v)) {
		return fmt.Sprintf("%d", int(v))
	}
	return fmt.Sprintf("%.1f", v)
}

func (u *UI) staffLogin() fyne.CanvasObject {
	a := u.app
	if a.LoginCard() == "" {
		return container.NewVBox(heading(u.T("login.title")), subheading(u.T("login.tap_card")))
	}
	// Only glyphs of the bundled Noto Sans: a kiosk may have no fallback font.
	dots := "_"
	if n := a.PINDigits(); n > 0 {
		dots = strings.TrimSpace(strings.Repeat("• ", n))
	}
	left := container.NewVBox(heading(u.T("login.title")), wrapped(u.T("login.enter_pin")), subheading(dots))
	return container.NewBorder(nil, nil, nil, keypad(a.PressPIN, u.T("login.confirm"), a.ConfirmPIN), left)
}

func (u *UI) staffHome() fyne.CanvasObject {
	a := u.app
	cols := 4
	if u.narrow() {
		cols = 2
	}
	m := a.Member()
	name := ""
	if m != nil {
		name = m.Name
	}
	tiles := container.NewGridWithColumns(cols,
		newTile(theme.ListIcon(), u.T("staff.queue"), func() { a.Go(state.QueueView) }),
		newTile(theme.DocumentCreateIcon(), u.T("staff.record"), a.StartRecord),
		newTile(theme.AccountIcon(), u.T("staff.attendance"), func() { a.Go(state.Attendance) }),
		newTile(theme.StorageIcon(), u.T("staff.loans"), func() { a.Go(state.LoansView) }),
		newTile(theme.InfoIcon(), u.T("staff.status"), func() { a.Go(state.Status) }),
		newTile(theme.LogoutIcon(), u.T("staff.logout"), a.Logout),
	)
	if u.opts.Quit != nil {
		tiles.Add(newTile(theme.CancelIcon(), u.T("staff.quit"), u.opts.Quit))
	}
	return container.NewBorder(heading(u.tr.Tf("staff.hello", "Name", name)), nil, nil, nil, tiles)
}

func (u *UI) queue() fyne.CanvasObject {
	a := u.app
	ws := a.Waiting()
	top := container.NewVBox(heading(u.T("queue.title")), subheading(u.tr.N("queue.waiting", len(ws))))
	if c := a.Current(); c != nil {
		top.Add(wrapped(u.tr.Tf("queue.serving", "Number", c.Number)))
	}
	list := container.NewVBox()
	for _, t := range ws {
		topic := u.T("help.other")
		if t.Topic != "" {
			topic = t.Topic
		}
		list.Add(wrapped(t.Number + " · " + topic))
	}
	actions := u.grid(2,
		primary(u.T("queue.call_next"), theme.MediaPlayIcon(), a.CallNext),
		big(u.T("staff.record"), theme.DocumentCreateIcon(), a.StartRecord),
	)
	return container.NewBorder(top, actions, nil, nil, u.vscroll(list))
}

// maskCF shows a codice fiscale with its middle hidden.
func maskCF(cf string) string {
	if len(cf) < 10 {
		return cf
	}
	return cf[:6] + strings.Repeat("•", len(cf)-10) + cf[len(cf)-4:]
}

// First-visit questions and answers, as short labels.
var stepIDs = map[state.Step]i18n.ID{
	state.StepFirstName: i18n.ID("first.first_name"), state.StepSurname: i18n.ID("first.surname"),
	state.StepEducation: i18n.ID("first.education"), state.StepEmployment: i18n.ID("first.employment"),
	state.StepCitizenship: i18n.ID("first.citizenship"), state.StepProvince: i18n.ID("first.province"),
	state.StepConsent: i18n.ID("first.consent"),
}

var answerIDs = map[state.Step]map[string]i18n.ID{
	state.StepEducation: {
		"A": i18n.ID("an9.a"), "B": i18n.ID("an9.b"), "C": i18n.ID("an9.c"), "E": i18n.ID("an9.e"),
		"H": i18n.ID("an9.h"), "I": i18n.ID("an9.i"), "K": i18n.ID("an9.k"), "L": i18n.ID("an9.l"),
	},
	state.StepEmployment: {
		"A": i18n.ID("an10.a"), "B": i18n.ID("an10.b"), "C": i18n.ID("an10.c"), "D": i18n.ID("an10.d"),
		"E": i18n.ID("an10.e"), "F": i18n.ID("an10.f"), "G": i18n.ID("an10.g"), "H": i18n.ID("an10.h"),
	},
	state.StepCitizenship: {"A": i18n.ID("an11.a"), "B": i18n.ID("an11.b"), "C": i18n.ID("an11.c")},
	state.StepConsent: {
		"screen": i18n.ID("consent.screen"), "paper": i18n.ID("consent.paper"),
		"verbal": i18n.ID("consent.verbal"), "phone": i18n.ID("consent.phone"),
	},
}

// firstVisit is one first-visit question: a letter keyboard for names and
// the province, big choice buttons for the rest.
func (u *UI) firstVisit(step state.Step) fyne.CanvasObject {
	a := u.app
	n := slices.Index(state.Steps(), step) + 1
	top := container.NewVBox(
		heading(u.tr.Tf("first.title", "Step", n, "Steps", len(state.Steps()))),
		subheading(u.tr.ID(stepIDs[step])),
	)
	back := big(u.T("first.back"), theme.NavigateBackIcon(), a.PrevStep)
	if !step.Typed() {
		var cs []fyne.CanvasObject
		for _, c := range step.Choices() {
			cs = append(cs, choice(u.tr.ID(answerIDs[step][c]), false, func() { a.Choose(c) }))
		}
		return container.NewBorder(top, back, nil, nil, u.vscroll(u.grid(2, cs...)))
	}
	text := a.Typed()
	if text == "" {
		text = "_"
	}
	// At a typed step the question and the answer share the top, so the
	// keyboard fits the 800×480 panel in large text.
	top = container.NewVBox(
		wrapped(u.tr.Tf("first.title", "Step", n, "Steps", len(state.Steps()))+" · "+u.tr.ID(stepIDs[step])),
		heading(text),
	)
	var keys []fyne.CanvasObject
	for _, l := range state.Letters() {
		keys = append(keys, big(l, nil, func() { a.TypeLetter(l) }))
	}
	edit := []fyne.CanvasObject{big("", theme.ContentUndoIcon(), func() { a.TypeLetter("") })}
	if step != state.StepProvince {
		edit = append([]fyne.CanvasObject{big(u.T("first.space"), nil, func() { a.TypeLetter(" ") })}, edit...)
	}
	bottom := container.NewBorder(nil, nil, back, primary(u.T("first.next"), theme.NavigateNextIcon(), a.NextStep),
		container.NewGridWithColumns(len(edit), edit...))
	return container.NewBorder(top, bottom, nil, nil, u.grid(10, keys...))
}

// typeCF is the keyboard for a codice fiscale when the citizen has no
// health card.
func (u *UI) typeCF() fyne.CanvasObject {
	a := u.app
	cf := a.Draft().CF
	if cf == "" {
		cf = "_"
	}
	top := container.NewVBox(wrapped(u.T("record.type_cf_title")), heading(cf))
	var keys []fyne.CanvasObject
	for _, k := range state.CFKeys() {
		keys = append(keys, big(k, nil, func() { a.CFKey(k) }))
	}
	bottom := container.NewBorder(nil, nil, big("", theme.ContentUndoIcon(), func() { a.CFKey("") }),
		primary(u.T("record.cf_done"), theme.ConfirmIcon(), a.DoneCF))
	return container.NewBorder(top, bottom, nil, nil, u.grid(12, keys...))
}

func (u *UI) record() fyne.CanvasObject {
	a := u.app
	if a.TypingCF() {
		return u.typeCF()
	}
	if step, ok := a.FirstVisitStep(); ok {
		return u.firstVisit(step)
	}
	d := a.Draft()
	cf := u.T("record.tap_health_card")
	if d.CF != "" {
		cf = u.tr.Tf("record.cf", "CF", maskCF(d.CF))
	}
	var types, domains []fyne.CanvasObject
	for _, c := range state.ServiceTypes() {
		types = append(types, choice(u.tr.ID(se3IDs[c]), d.Type == c, func() { a.SetType(c) }))
	}
	for _, c := range state.Domains() {
		domains = append(domains, choice(u.tr.ID(se6IDs[c]), d.Domain == c, func() { a.SetDomain(c) }))
	}
	minutes := container.NewHBox(
		big("-5", nil, func() { a.AddMinutes(-5) }),
		plain(u.tr.N("record.minutes", d.Minutes)),
		big("+5", nil, func() { a.AddMinutes(5) }),
	)
	box := container.NewVBox(
		heading(u.T("record.title")),
		container.NewBorder(nil, nil, nil, big(u.T("record.type_cf"), theme.DocumentCreateIcon(), a.TypeCF), subheading(cf)),
		u.grid(3, types...), u.grid(4, domains...), minutes,
	)
	return container.NewBorder(nil, primary(u.T("record.save"), theme.DocumentSaveIcon(), a.SaveRecord), nil, nil, u.vscroll(box))
}

func (u *UI) status() fyne.CanvasObject {
	a := u.app
	s, ok := a.Sync()
	box := container.NewVBox(heading(u.T("status.title")))
	if !ok {
		return box
	}
	switch {
	case !s.HubConfigured:
		box.Add(wrapped(u.T("status.offline")))
	case s.LastSync.IsZero():
		box.Add(wrapped(u.T("status.never")))
	default:
		box.Add(wrapped(u.tr.Tf("status.last_sync", "When", s.LastSync.Local().Format("02/01/2006 15:04"))))
	}
	box.Add(wrapped(u.tr.N("status.backlog", s.Backlog)))
	for _, d := range s.Devices {
		icon := theme.ConfirmIcon()
		if !d.OK {
			icon = theme.ErrorIcon()
		}
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, wrapped(fmt.Sprintf("%s: %s", d.Name, d.Detail))))
	}
	box.Add(wrapped(u.tr.Tf("status.storage", "GB", fmt.Sprintf("%.1f", float64(s.StorageFree)/(1<<30)))))
	box.Add(wrapped(u.tr.Tf("status.version", "Version", s.Version)))
	return u.vscroll(box)
}

func (u *UI) attendance() fyne.CanvasObject {
	a := u.app
	title := u.T("session.title_course")
	if a.SessionKind() == "intergenerational" {
		title = u.T("session.title_intergenerational")
	}
	s := a.Session()
	if s == nil {
		var items []fyne.CanvasObject
		for _, c := range a.Courses() {
			items = append(items, big(c.Title, theme.MediaPlayIcon(), func() { a.OpenSession(c.ID) }))
		}
		return u.vscroll(container.NewVBox(heading(title), wrapped(u.T("session.pick_course")), u.grid(2, items...)))
	}
	present := a.Present()
	top := container.NewVBox(heading(title), wrapped(u.T("session.tap_cards")), subheading(u.tr.N("session.present", len(present))))
	list := container.NewVBox()
	for i, p := range present {
		list.Add(wrapped(fmt.Sprintf("%d. %s · %s", i+1, p.Label, p.At.Local().Format("15:04"))))
	}
	return container.NewBorder(top, primary(u.T("session.close"), theme.ConfirmIcon(), a.CloseSession), nil, nil, u.vscroll(list))
}

func (u *UI) certificate() fyne.CanvasObject {
	a := u.app
	c := a.Certificate()
	if c == nil {
		return wrapped(u.T("cert.none"))
	}
	title := heading(u.T("cert.title"))
	title.Alignment = fyne.TextAlignCenter
	course := subheading(c.CourseTitle)
	course.Alignment = fyne.TextAlignCenter
	when := centered(u.tr.Tf("cert.date", "Date", c.Date.Local().Format("02/01/2006")))
	code := centered(u.tr.Tf("cert.code", "Code", c.Code))
	return container.NewBorder(nil, primary(u.T("cert.print"), theme.DocumentPrintIcon(), a.PrintCertificate), nil, nil,
		u.vscroll(container.NewVBox(title, centered(u.T("cert.text")), course, when, code)))
}

func (u *UI) loans() fyne.CanvasObject {
	a := u.app
	box := container.NewVBox(heading(u.T("loans.title")))
	ls, ok := a.Loans()
	if !ok {
		return box
	}
	if len(ls) == 0 {
		box.Add(wrapped(u.T("loans.none")))
	}
	for _, l := range ls {
		due := u.tr.Tf("loans.due", "Date", l.Due.Local().Format("02/01/2006"))
		icon := theme.ConfirmIcon()
		if a.Overdue(l) {
			due = u.tr.Tf("loans.overdue", "Date", l.Due.Local().Format("02/01/2006"))
			icon = theme.WarningIcon()
		}
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, wrapped(l.Device+" · "+l.Borrower+" · "+due)))
	}
	return u.vscroll(box)
}

func centered(s string) *widget.Label {
	l := wrapped(s)
	l.Alignment = fyne.TextAlignCenter
	return l
}
