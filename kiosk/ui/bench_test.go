package ui

import (
	"testing"

	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// BenchmarkScreenChange is one screen change in the test driver (no GPU):
// the state change, the screen rebuilt and laid out at 800×480.
func BenchmarkScreenChange(b *testing.B) {
	h := newHarness(&testing.T{}, panel800)
	screens := allScreens()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := h.a.Visit(screens[i%len(screens)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLanguageSwitch re-renders the open lesson in another language.
func BenchmarkLanguageSwitch(b *testing.B) {
	h := newHarness(&testing.T{}, panel800)
	h.a.OpenCourse("primo-spid")
	langs := []string{"it", "en", "ro", "uk", "sq"}
	for i := 0; b.Loop(); i++ {
		h.a.SetLanguage(langs[i%len(langs)])
	}
	if h.a.Screen() != state.LessonView {
		b.Fatal("left the lesson")
	}
}
