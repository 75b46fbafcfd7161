package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// chart is a plain line chart of one series with its minimum and maximum
// written at the left. It is for looking at, not for touching.
type chart struct {
	widget.BaseWidget
	points []state.Point
}

func newChart(ps []state.Point) *chart {
	c := &chart{points: ps}
	c.ExtendBaseWidget(c)
	return c
}

func (c *chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c, frame: canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))}
	r.frame.StrokeColor = theme.Color(theme.ColorNameSeparator)
	r.frame.StrokeWidth = 1
	lo, hi := bounds(c.points)
	r.lo = canvas.NewText(formatValue(lo), theme.Color(theme.ColorNameForeground))
	r.hi = canvas.NewText(formatValue(hi), theme.Color(theme.ColorNameForeground))
	for range max(0, len(c.points)-1) {
		l := canvas.NewLine(theme.Color(theme.ColorNamePrimary))
		l.StrokeWidth = 3
		r.lines = append(r.lines, l)
	}
	return r
}

func bounds(ps []state.Point) (lo, hi float64) {
	for i, p := range ps {
		if i == 0 || p.Value < lo {
			lo = p.Value
		}
		if i == 0 || p.Value > hi {
			hi = p.Value
		}
	}
	return lo, hi
}

type chartRenderer struct {
	c      *chart
	frame  *canvas.Rectangle
	lo, hi *canvas.Text
	lines  []*canvas.Line
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.frame.Resize(size)
	pad := theme.Padding() * 2
	label := r.hi.MinSize().Width
	if w := r.lo.MinSize().Width; w > label {
		label = w
	}
	r.hi.Resize(r.hi.MinSize())
	r.lo.Resize(r.lo.MinSize())
	r.hi.Move(fyne.NewPos(pad, pad))
	r.lo.Move(fyne.NewPos(pad, size.Height-pad-r.lo.MinSize().Height))
	x0, w := pad*2+label, size.Width-pad*3-label
	y0, h := pad, size.Height-2*pad
	lo, hi := bounds(r.c.points)
	span := hi - lo
	if span == 0 {
		span = 1
	}
	n := len(r.c.points)
	at := func(i int) fyne.Position {
		x := x0 + w*float32(i)/float32(max(1, n-1))
		y := y0 + h*float32(1-(r.c.points[i].Value-lo)/span)
		return fyne.NewPos(x, y)
	}
	for i, l := range r.lines {
		l.Position1, l.Position2 = at(i), at(i+1)
	}
}

func (r *chartRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 100) }
func (r *chartRenderer) Refresh()           { r.Layout(r.c.Size()); canvas.Refresh(r.c) }
func (r *chartRenderer) Destroy()           {}
func (r *chartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.frame, r.hi, r.lo}
	for _, l := range r.lines {
		objs = append(objs, l)
	}
	return objs
}
