package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/officina-digitale/officina/kiosk/i18n"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// setup puts the harness on screen s with demo content.
func (h *harness) setup(s state.Screen) {
	h.t.Helper()
	if err := h.a.Visit(s); err != nil {
		h.t.Fatal(err)
	}
}

type rect struct{ x0, y0, x1, y1 float32 }

func rectOf(at fyne.Position, size fyne.Size) rect {
	return rect{at.X, at.Y, at.X + size.Width, at.Y + size.Height}
}

const slack = 1 // px of rounding

func (r rect) contains(o rect) bool {
	return o.x0 >= r.x0-slack && o.y0 >= r.y0-slack && o.x1 <= r.x1+slack && o.y1 <= r.y1+slack
}

func (r rect) String() string { return fmt.Sprintf("(%.0f,%.0f)-(%.0f,%.0f)", r.x0, r.y0, r.x1, r.y1) }

// layoutProblems reports text drawn outside the widget that holds it or
// outside the window, text narrower than it needs (cut off), and touch
// targets smaller than state.MinTouch.
func layoutProblems(c fyne.Canvas, size fyne.Size) []string {
	var out []string
	// The test canvas grows to fit content that needs more room, where a
	// real full-screen window would cut it: check against the panel.
	win := rectOf(fyne.Position{}, size)
	if min := c.Content().MinSize(); min.Width > win.x1+slack || min.Height > win.y1+slack {
		out = append(out, fmt.Sprintf("content needs %.0f×%.0f, more than the window", min.Width, min.Height))
	}
	var rec func(o fyne.CanvasObject, at fyne.Position, holder rect, inScroll, rich bool)
	rec = func(o fyne.CanvasObject, at fyne.Position, holder rect, inScroll, rich bool) {
		if o == nil || !o.Visible() {
			return
		}
		r := rectOf(at, o.Size())
		switch x := o.(type) {
		case *canvas.Text:
			if x.Text == "" {
				return
			}
			// RichText wraps mixed bold and plain runs itself and sizes
			// them a few pixels short; the holder check below still
			// catches text that leaves the widget.
			if need := x.MinSize().Width; need > x.Size().Width+slack && !rich {
				out = append(out, fmt.Sprintf("text %q cut off: needs %.0f px, has %.0f", x.Text, need, x.Size().Width))
			}
			if !holder.contains(r) {
				out = append(out, fmt.Sprintf("text %q at %s spills out of its widget %s", x.Text, r, holder))
			}
			if !inScroll && !win.contains(r) {
				out = append(out, fmt.Sprintf("text %q at %s is outside the window", x.Text, r))
			}
			return
		case *container.Scroll:
			rec(x.Content, at.Add(x.Content.Position()), rect{-1e9, -1e9, 1e9, 1e9}, true, rich)
			return
		case *fyne.Container:
			for _, ch := range x.Objects {
				rec(ch, at.Add(ch.Position()), holder, inScroll, rich)
			}
			return
		case *widget.Button, *panel:
			if s := o.Size(); s.Width < state.MinTouch-slack || s.Height < state.MinTouch-slack {
				out = append(out, fmt.Sprintf("touch target %T %q is %.0f×%.0f, under %d px (9 mm)", o, label(o), s.Width, s.Height, state.MinTouch))
			}
		}
		if w, ok := o.(fyne.Widget); ok {
			if !inScroll && !win.contains(r) {
				out = append(out, fmt.Sprintf("%T %q at %s is outside the window", o, label(o), r))
			}
			_, isRich := o.(*widget.RichText)
			for _, ch := range test.WidgetRenderer(w).Objects() {
				rec(ch, at.Add(ch.Position()), r, inScroll, rich || isRich)
			}
		}
	}
	rec(c.Content(), fyne.Position{}, win, false, false)
	return out
}

func label(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Button:
		return x.Text
	case *panel:
		return x.Text
	case *widget.Label:
		return x.Text
	}
	return ""
}

func allScreens() []state.Screen {
	return append(state.CitizenScreens(), state.StaffScreens()...)
}

func TestEveryScreenFitsIn800x480InEveryLocale(t *testing.T) {
	for _, large := range []bool{false, true} {
		for _, l := range i18n.Locales() {
			name := l.Tag
			if large {
				name += "-large"
			}
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, panel800)
				for _, s := range allScreens() {
					h.a.Batch(func() {
						h.setup(s)
						h.a.SetLanguage(l.Tag)
						h.a.SetLargeText(large)
					})
					for _, p := range layoutProblems(h.w.Canvas(), h.size) {
						t.Errorf("%s: %s", s, p)
					}
				}
			})
		}
	}
}

// make run shows the simulated card reader strip at the bottom.
func TestEveryScreenFitsWithTheDemoCardStrip(t *testing.T) {
	for _, l := range i18n.Locales() {
		t.Run(l.Tag, func(t *testing.T) {
			h := newHarnessWith(t, panel800, Options{Demo: true, Quit: func() {}})
			for _, s := range allScreens() {
				h.a.Batch(func() {
					h.setup(s)
					h.a.SetLanguage(l.Tag)
				})
				for _, p := range layoutProblems(h.w.Canvas(), h.size) {
					t.Errorf("%s: %s", s, p)
				}
			}
		})
	}
}

func TestIdleWarningAndNoticesFit(t *testing.T) {
	for _, l := range i18n.Locales() {
		h := newHarness(t, panel800)
		h.setup(state.StaffLogin)
		h.a.SetLanguage(l.Tag)
		h.a.SetLargeText(true)
		h.a.CardTapped(state.Card{Kind: state.CardStaff, ID: "unknown"})
		for range 6 {
			h.a.PressPIN("1") // unknown card: the longest error sentence
		}
		h.a.ConfirmPIN()
		for _, p := range layoutProblems(h.w.Canvas(), h.size) {
			t.Errorf("%s notice: %s", l.Tag, p)
		}
		h.clk.Advance(125 * time.Second)
		h.a.Tick()
		if !h.sees(h.tr("idle.question")) {
			t.Fatalf("%s: no idle warning", l.Tag)
		}
		for _, p := range layoutProblems(h.w.Canvas(), h.size) {
			t.Errorf("%s idle warning: %s", l.Tag, p)
		}
	}
}

func TestOtherPanelSizes(t *testing.T) {
	for _, size := range []fyne.Size{{Width: 1280, Height: 800}, {Width: 800, Height: 1280}, {Width: 480, Height: 800}} {
		for _, tag := range []string{"it", "uk"} {
			t.Run(fmt.Sprintf("%.0fx%.0f-%s", size.Width, size.Height, tag), func(t *testing.T) {
				h := newHarness(t, size)
				for _, s := range allScreens() {
					h.a.Batch(func() {
						h.setup(s)
						h.a.SetLanguage(tag)
					})
					for _, p := range layoutProblems(h.w.Canvas(), h.size) {
						t.Errorf("%s: %s", s, p)
					}
				}
			})
		}
	}
}

// The checker must catch what it claims to: a button whose label cannot
// fit, and one too small to touch.
func TestLayoutCheckerCatchesOverflow(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(300, 200))
	long := widget.NewButton("a label far too long for a button a hundred pixels wide", nil)
	grid := container.NewGridWithColumns(3, long, widget.NewButton("ok", nil), widget.NewButton("x", nil))
	w.SetContent(container.NewVBox(grid, container.NewGridWrap(fyne.NewSize(30, 30), widget.NewButton("s", nil))))
	probs := layoutProblems(w.Canvas(), fyne.NewSize(300, 200))
	var cut, small bool
	for _, p := range probs {
		cut = cut || contains(p, "far too long")
		small = small || contains(p, "touch target")
	}
	if !cut || !small {
		t.Fatalf("checker missed problems: %q", probs)
	}
}

func contains(s, sub string) bool { return len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0) }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
