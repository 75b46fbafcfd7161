package ui

import (
	"testing"
	"time"

	"github.com/officina-digitale/officina/kiosk/ui/state"

	"fyne.io/fyne/v2/test"
)

// Golden markup of the key screens: a change in what a screen shows (a
// lost label, a moved button, a new colour) shows up as a diff in
// testdata/. After an intended change, copy testdata/failed/*.xml over the
// masters.
func TestGoldenScreens(t *testing.T) {
	cases := []struct {
		name   string
		lang   string
		screen state.Screen
		large  bool
	}{
		{"home_it", "it", state.Home, false},
		{"home_en", "en", state.Home, false},
		{"home_uk_large", "uk", state.Home, true},
		{"lesson_en", "en", state.LessonView, false},
		{"ticket_ro", "ro", state.TicketView, false},
		{"login_it", "it", state.StaffLogin, false},
		{"record_it", "it", state.Record, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, panel800)
			h.a.Batch(func() {
				h.setup(c.screen)
				h.a.SetLanguage(c.lang)
				h.a.SetLargeText(c.large)
			})
			test.AssertRendersToMarkup(t, c.name+".xml", h.w.Canvas())
		})
	}
	t.Run("idle_it", func(t *testing.T) {
		h := newHarness(t, panel800)
		h.setup(state.Courses)
		h.clk.Advance(130 * time.Second)
		h.a.Tick()
		test.AssertRendersToMarkup(t, "idle_it.xml", h.w.Canvas())
	})
}
