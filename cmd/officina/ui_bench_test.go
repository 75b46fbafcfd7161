package main

import (
	"context"
	"testing"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

// BenchmarkUIPorts times the calls a screen change makes, on the real
// areas (a temp store) and on the demo fakes the UI was built over.
func BenchmarkUIPorts(b *testing.B) {
	ctx := context.Background()
	k := openTestKiosk(b, testConfig(b))
	real := uiDeps(k)
	code, err := real.Progress.SaveWithCode(ctx, state.Place{CourseID: "pagopa-con-io", Lesson: 2})
	if err != nil {
		b.Fatal(err)
	}
	fake := state.DemoDeps(clock.NewFake(k.clock.Now()))
	fakeCode, _ := fake.Progress.SaveWithCode(ctx, state.Place{CourseID: "primo-spid", Lesson: 1})

	for _, d := range []struct {
		name                  string
		deps                  state.Deps
		course, guide, resume string
	}{{"real", real, "pagopa-con-io", "inps-delega", code}, {"fake", fake, "primo-spid", "spid", fakeCode}} {
		b.Run("courses/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.deps.Catalog.Courses(ctx, "en"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("lesson/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.deps.Catalog.Lesson(ctx, "ro", d.course, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("guide/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.deps.Catalog.Guide(ctx, "en", d.guide); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("resume-by-code/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.deps.Progress.Resume(ctx, d.resume); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("take-ticket/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.deps.Queue.Take(ctx, d.guide); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("status/"+d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.deps.Sync.Status(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
