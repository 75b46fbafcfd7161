// Package ui is the kiosk's fyne touchscreen: thin screens that render
// kiosk/ui/state and call its methods. No decision here reads a widget's
// text; everything a screen shows comes from the state and the
// translations in kiosk/i18n.
//
// The package never calls app.New: cmd/officina opens the window (cgo)
// and tests use fyne.io/fyne/v2/test (no cgo, no display).
package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/officina-digitale/officina/kiosk/i18n"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// Options tune the shell.
type Options struct {
	// Demo shows a strip of simulated card taps (library card, health
	// card, staff card) for `make run` without a reader.
	Demo bool
	// Poll is how often live values (sensors, sync) refresh; 0 means 10 s.
	Poll time.Duration
	// Quit, when set, gives staff (and only staff) a tile that closes the
	// kiosk application.
	Quit func()
	// Wedge, when set, receives what keyboard-mode readers type instead of
	// the state getting it as a tap at once: the binary classifies such
	// reads (a staff card on the roster, a citizen's card) the way it
	// classifies reader taps, and hands them back to the state.
	Wedge func(state.Card)
}

// UI renders an App into a window.
type UI struct {
	app  *state.App
	cat  *i18n.Catalog
	win  fyne.Window
	opts Options
	tr   *i18n.Translator

	prefs   state.Prefs
	themed  bool
	screens map[state.Screen]func() fyne.CanvasObject
}

// New binds a to win and draws the current screen.
func New(win fyne.Window, a *state.App, cat *i18n.Catalog, opts Options) *UI {
	if opts.Poll <= 0 {
		opts.Poll = 10 * time.Second
	}
	win.SetPadded(false)
	u := &UI{app: a, cat: cat, win: win, opts: opts}
	u.screens = map[state.Screen]func() fyne.CanvasObject{
		state.Home: u.home, state.Languages: u.languages, state.Access: u.access,
		state.Courses: u.courses, state.LessonView: u.lesson, state.QuizView: u.quiz, state.Resume: u.resume,
		state.Guides: u.guides, state.GuideView: u.guide, state.Help: u.help, state.TicketView: u.ticket,
		state.Air: u.air, state.StaffLogin: u.staffLogin, state.StaffHome: u.staffHome,
		state.QueueView: u.queue, state.Record: u.record, state.Attendance: u.attendance, state.Status: u.status,
		state.LoansView: u.loans, state.CertView: u.certificate,
	}
	a.Subscribe(u.Render)
	// Keyboard-mode card readers type into the window.
	var wedge state.Wedge
	win.Canvas().SetOnTypedRune(wedge.Rune)
	win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
			if c, ok := wedge.Enter(); ok {
				if opts.Wedge != nil {
					opts.Wedge(c)
				} else {
					a.CardTapped(c)
				}
			}
		}
	})
	u.Render()
	return u
}

// vscroll is a vertical scroll whose scrolling counts as activity for the
// idle countdown.
func (u *UI) vscroll(o fyne.CanvasObject) *container.Scroll {
	s := container.NewVScroll(o)
	s.OnScrolled = func(fyne.Position) { u.app.Touch() }
	return s
}

// Run ticks the idle countdown every second and refreshes live values,
// reaching the UI only through fyne.Do, until ctx is done.
func (u *UI) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			poll := now.Sub(last) >= u.opts.Poll
			if poll {
				last = now
			}
			fyne.Do(func() {
				u.app.Tick()
				if poll {
					switch u.app.Screen() {
					case state.Air, state.Status, state.QueueView:
						u.app.Refresh()
					}
				}
			})
		}
	}
}

// Render draws the current screen; it runs on the UI goroutine after every
// change of state.
func (u *UI) Render() {
	p := u.app.Prefs()
	// Setting a theme refreshes every object the app has drawn: only on a
	// change of text size or contrast, not of language.
	if !u.themed || p.LargeText != u.prefs.LargeText || p.HighContrast != u.prefs.HighContrast {
		fyne.CurrentApp().Settings().SetTheme(kioskTheme{large: p.LargeText, contrast: p.HighContrast})
		u.themed = true
	}
	u.prefs = p
	if u.tr == nil || u.tr.Lang() != p.Lang {
		u.tr = u.cat.Translator(p.Lang)
	}
	u.win.SetContent(u.frame())
	// A wrapped label knows its height only once it has a width: lay out
	// again so that text wrapped onto more lines gets the room it needs.
	u.win.Content().Refresh()
}

func (u *UI) frame() fyne.CanvasObject {
	body := u.screens[u.app.Screen()]()
	var bottom []fyne.CanvasObject
	if n := u.app.Notice(); n.ID != "" {
		bottom = append(bottom, u.banner(n))
	}
	if u.opts.Demo {
		bottom = append(bottom, u.demoStrip())
	}
	content := container.NewBorder(u.topBar(), container.NewVBox(bottom...), nil, nil, container.NewPadded(body))
	if v := u.app.IdleView(); v.Warning {
		return container.NewStack(content, u.idleOverlay(v))
	}
	return content
}

// Text helpers.

func (u *UI) T(id string) string { return u.tr.T(id) }

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func heading(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// plain is a one-line label that never wraps, for short values in a row.
func plain(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	return l
}

func subheading(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Touch targets: every tappable thing is at least state.MinTouch (9 mm on
// the 7" panel) in both directions.

type atLeast struct{ w, h float32 }

func (l atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.w, l.h)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (l atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func touchable(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(atLeast{state.MinTouch, state.MinTouch}, o)
}

// width is the room a screen's body has.
func (u *UI) width() float32 {
	return u.win.Canvas().Size().Width - 4*theme.Padding()
}

// narrow reports a portrait 7" panel, where the top bar shows icons only.
func (u *UI) narrow() bool { return u.win.Canvas().Size().Width < 640 }

// grid lays objs out in as many equal columns as the widest of them
// allows, at most max, so that long translations and large text move to
// more rows instead of being cut.
func (u *UI) grid(max int, objs ...fyne.CanvasObject) *fyne.Container {
	var w float32
	for _, o := range objs {
		w = fyne.Max(w, o.MinSize().Width)
	}
	cols := max
	if w > 0 {
		cols = int((u.width() + theme.Padding()) / (w + theme.Padding()))
	}
	cols = min(max, cols)
	if cols < 1 {
		cols = 1
	}
	return container.NewGridWithColumns(cols, objs...)
}

func button(label string, icon fyne.Resource, fn func()) *widget.Button {
	return widget.NewButtonWithIcon(label, icon, fn)
}

func big(label string, icon fyne.Resource, fn func()) fyne.CanvasObject {
	return touchable(button(label, icon, fn))
}

func primary(label string, icon fyne.Resource, fn func()) fyne.CanvasObject {
	b := button(label, icon, fn)
	b.Importance = widget.HighImportance
	return touchable(b)
}

// choice is a button that shows whether it is selected.
func choice(label string, selected bool, fn func()) fyne.CanvasObject {
	b := button(label, nil, fn)
	if selected {
		b.Importance = widget.HighImportance
		b.Icon = theme.ConfirmIcon()
	}
	return touchable(b)
}

// panel is a large button with arbitrary content: a home tile (icon over
// a label that wraps) or a course card. Text is what it says, for tests
// and screen readers.
type panel struct {
	widget.BaseWidget
	Text    string
	btn     *widget.Button
	content fyne.CanvasObject
	min     fyne.Size
}

func newPanel(text string, content fyne.CanvasObject, min fyne.Size, fn func()) *panel {
	p := &panel{Text: text, btn: widget.NewButton("", fn), content: content, min: min}
	p.ExtendBaseWidget(p)
	return p
}

// Tapped forwards to the button underneath, which draws the press.
func (p *panel) Tapped(e *fyne.PointEvent) { p.btn.Tapped(e) }

func (p *panel) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(atLeast{p.min.Width, p.min.Height}, p.btn, container.NewPadded(p.content)))
}

// newTile is a home-screen tile: an icon over a bold label.
func newTile(icon fyne.Resource, label string, fn func()) *panel {
	l := widget.NewLabel(label)
	l.Alignment = fyne.TextAlignCenter
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = true
	img := container.NewCenter(container.New(atLeast{40, 40}, widget.NewIcon(icon)))
	return newPanel(label, container.NewVBox(layout.NewSpacer(), img, l, layout.NewSpacer()), fyne.NewSize(state.MinTouch*2, state.MinTouch*2), fn)
}

func (u *UI) topBar() fyne.CanvasObject {
	label := func(text string) string {
		if u.narrow() {
			return ""
		}
		return text
	}
	left := []fyne.CanvasObject{big(u.T("nav.home"), theme.HomeIcon(), u.app.Home)}
	if u.app.CanGoBack() {
		left = append(left, big(label(u.T("nav.back")), theme.NavigateBackIcon(), u.app.Back))
	}
	langName := ""
	for _, l := range i18n.Locales() {
		if l.Tag == u.app.Prefs().Lang {
			langName = l.Name
		}
	}
	right := container.NewHBox(
		big(label(u.T("nav.text_size")), theme.ZoomInIcon(), func() { u.app.SetLargeText(!u.app.Prefs().LargeText) }),
		big(langName, nil, func() { u.app.Go(state.Languages) }),
	)
	bar := container.NewBorder(nil, nil, container.NewHBox(left...), right)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	return container.NewVBox(container.NewStack(bg, container.NewPadded(bar)), widget.NewSeparator())
}

func (u *UI) banner(n state.Notice) fyne.CanvasObject {
	text := u.tr.Tf(string(n.ID), n.Args...)
	if len(n.Args) == 2 && n.Args[0] == "Count" {
		if c, ok := n.Args[1].(int); ok {
			text = u.tr.N(string(n.ID), c)
		}
	}
	l := wrapped(text)
	l.TextStyle.Bold = true
	icon := theme.ConfirmIcon()
	if n.Error {
		l.Importance = widget.DangerImportance
		icon = theme.WarningIcon()
	} else {
		l.Importance = widget.SuccessImportance
	}
	return container.NewPadded(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
}

func (u *UI) idleOverlay(v state.IdleView) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	msg := heading(u.T("idle.question"))
	msg.Alignment = fyne.TextAlignCenter
	count := subheading(u.tr.N("idle.countdown", v.Seconds))
	count.Alignment = fyne.TextAlignCenter
	more := button(u.T("idle.more_time"), theme.HistoryIcon(), u.app.Touch)
	more.Importance = widget.HighImportance
	box := container.NewVBox(layout.NewSpacer(), msg, count, container.NewCenter(container.New(atLeast{state.MinTouch * 6, state.MinTouch * 2}, more)), layout.NewSpacer())
	return container.NewStack(bg, container.NewPadded(box))
}

func (u *UI) demoStrip() fyne.CanvasObject {
	tap := func(k state.CardKind, id string) func() {
		return func() { u.app.CardTapped(state.Card{Kind: k, ID: id}) }
	}
	return u.grid(3,
		big(u.T("demo.library_card"), theme.AccountIcon(), tap(state.CardCitizen, state.DemoCitizenCard)),
		big(u.T("demo.health_card"), theme.AccountIcon(), tap(state.CardHealth, state.DemoHealthCF)),
		big(u.T("demo.staff_card"), theme.AccountIcon(), tap(state.CardStaff, state.DemoStaffCard)),
	)
}

// fallbackNote is the small note under content shown in Italian because
// the chosen language has no translation.
func (u *UI) fallbackNote(fallback bool) fyne.CanvasObject {
	if !fallback || u.app.Prefs().Lang == i18n.Source {
		return layout.NewSpacer()
	}
	l := wrapped(u.T("content.fallback"))
	l.SizeName = theme.SizeNameCaptionText
	l.TextStyle.Italic = true
	return l
}
