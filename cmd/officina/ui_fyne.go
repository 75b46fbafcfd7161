//go:build cgo

package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/officina-digitale/officina/kiosk/clock"
	"github.com/officina-digitale/officina/kiosk/config"
	"github.com/officina-digitale/officina/kiosk/i18n"
	"github.com/officina-digitale/officina/kiosk/status"
	"github.com/officina-digitale/officina/kiosk/ui"
	"github.com/officina-digitale/officina/kiosk/ui/state"
)

var errNoUI = errors.New("the touchscreen UI is not available")

const appID = "digital.officina.kiosk"

// runUI opens the kiosk window and blocks until it closes or ctx is done.
// Full screen, the window cannot be closed from the desktop: only a
// logged-in facilitator's "Close the kiosk" tile quits.
func runUI(ctx context.Context, k *kiosk, st *status.Server) error {
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	a := app.NewWithID(appID)
	w := a.NewWindow("Officina")
	w.Resize(fyne.NewSize(800, 480))
	if k.cfg.UI.Fullscreen {
		w.SetFullScreen(true)
		w.SetCloseIntercept(func() {})
	}
	sa := state.New(uiDeps(k))
	wedge := newWedgeTaps(8)
	u := ui.New(w, sa, cat, ui.Options{Demo: k.cfg.UI.DemoCards, Quit: a.Quit, Wedge: wedge.Read})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = u.Run(runCtx) }()
	// Card taps and new sensor readings arrive on the hardware's goroutines
	// and reach the UI state only through fyne.Do.
	taps, stopTaps := k.hardware.Cards.Subscribe(8)
	defer stopTaps()
	readings, stopReadings := k.hardware.Sensors.Subscribe(16)
	defer stopReadings()
	go func() {
		_ = cardLoop(runCtx, taps, k.records.roster, func(c state.Card) {
			fyne.Do(func() { sa.CardTapped(c) })
		})
	}()
	go func() { // keyboard-mode readers: the same roster lookup as reader taps
		_ = cardLoop(runCtx, wedge.taps, k.records.roster, func(c state.Card) {
			fyne.Do(func() { sa.CardTapped(c) })
		})
	}()
	go func() {
		_ = sensorLoop(runCtx, readings, func() {
			fyne.Do(func() {
				if sa.Screen() == state.Air {
					sa.Refresh()
				}
			})
		})
	}()
	go func() {
		<-runCtx.Done()
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	return nil
}

// tourScreens are the screens drawn by `officina screenshots` and timed by
// `officina ui-bench`.
func tourScreens() []state.Screen {
	return append(state.CitizenScreens(), state.StaffScreens()...)
}

// tourApp is a window on demo state at a fixed time of day, so the air
// chart and values are the same on every run.
func tourApp(size fyne.Size) (fyne.App, fyne.Window, *state.App, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, nil, nil, err
	}
	a := app.NewWithID(appID)
	clk := clock.NewFake(time.Date(2026, 3, 10, 15, 0, 0, 0, time.Local))
	d := state.DemoDeps(clk)
	d.Speech = &state.FakeSpeaker{Languages: []string{"it", "en", "ro", "uk", "sq"}}
	sa := state.New(d)
	w := a.NewWindow("Officina")
	w.Resize(size)
	w.SetFixedSize(true)
	w.SetFullScreen(true)
	ui.New(w, sa, cat, ui.Options{})
	return a, w, sa, nil
}

// openTour opens the window the screenshots and the UI benchmark tour:
// over the demo data, or with kioskMode over a fresh kiosk's real areas.
// show puts the window on a screen in a language ("" keeps it), with one
// redraw; it runs on the UI goroutine.
func openTour(ctx context.Context, e *env, kioskMode bool, size fyne.Size) (fyne.App, fyne.Window, func(state.Screen, string) error, func(), error) {
	with := func(sa *state.App, visit func() error, lang string) error {
		var err error
		sa.Batch(func() {
			err = visit()
			if lang != "" {
				sa.SetLanguage(lang)
			}
		})
		return err
	}
	if !kioskMode {
		a, w, sa, err := tourApp(size)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		show := func(s state.Screen, lang string) error {
			return with(sa, func() error { return sa.Visit(s) }, lang)
		}
		return a, w, show, func() {}, nil
	}
	k, pin, cleanup, err := tourKiosk(ctx, e)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	a, w, sa, err := kioskWindow(k, size)
	if err != nil {
		cleanup()
		return nil, nil, nil, nil, err
	}
	show := func(s state.Screen, lang string) error {
		return with(sa, func() error { return realVisit(ctx, k, sa, s, pin) }, lang)
	}
	return a, w, show, cleanup, nil
}

// tourKiosk opens a fresh kiosk in a temporary data directory, with a
// facilitator on its roster for the tour, and runs its sensors so the air
// screen has values.
func tourKiosk(ctx context.Context, e *env) (*kiosk, string, func(), error) {
	dir, err := os.MkdirTemp("", "officina-tour-")
	if err != nil {
		return nil, "", nil, err
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Records.SiteName = "Biblioteca Berio"
	k, err := openKiosk(ctx, cfg, newLogger(cfg, e))
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	const pin = "246810" // only on this throw-away roster
	if err := seedTourStaff(ctx, k, pin); err != nil {
		k.Close()
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	readings, stop := k.hardware.Sensors.Subscribe(16)
	sctx, cancel := context.WithCancel(ctx)
	go func() { _ = k.hardware.Sensors.Run(sctx) }()
	got := map[string]bool{}
	deadline := time.After(5 * time.Second)
wait:
	for len(got) < 2 {
		select {
		case r := <-readings:
			got[r.Place] = true
		case <-deadline:
			break wait
		}
	}
	stop()
	return k, pin, func() { cancel(); k.Close(); os.RemoveAll(dir) }, nil
}

// kioskWindow is a full-screen window over k's real areas.
func kioskWindow(k *kiosk, size fyne.Size) (fyne.App, fyne.Window, *state.App, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, nil, nil, err
	}
	a := app.NewWithID(appID)
	sa := state.New(uiDeps(k))
	w := a.NewWindow("Officina")
	w.Resize(size)
	w.SetFixedSize(true)
	w.SetFullScreen(true)
	ui.New(w, sa, cat, ui.Options{})
	return a, w, sa, nil
}

func parseSize(s string) (fyne.Size, error) {
	ws, hs, ok := strings.Cut(s, "x")
	wi, err1 := strconv.Atoi(ws)
	hi, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || wi < 100 || hi < 100 {
		return fyne.Size{}, fmt.Errorf("%w: --size wants WIDTHxHEIGHT, got %q", errUsage, s)
	}
	return fyne.NewSize(float32(wi), float32(hi)), nil
}

// capture draws the window and returns its pixels, from the UI goroutine.
func capture(w fyne.Window) image.Image {
	var img image.Image
	fyne.DoAndWait(func() { img = w.Canvas().Capture() })
	return img
}

func screenshotsCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("screenshots", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("out", "docs/screenshots", "directory for the PNG files")
	sizeFlag := fs.String("size", "800x480", "window size in pixels")
	langs := fs.String("langs", "it,en", "comma-separated languages")
	kioskMode := fs.Bool("kiosk", false, "draw a fresh kiosk's real areas (built-in catalogue, desk, roster, simulated hardware, in a temporary data directory) instead of the demo data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	a, w, show, cleanup, err := openTour(ctx, e, *kioskMode, size)
	if err != nil {
		return err
	}
	defer cleanup()
	var runErr error
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			defer fyne.Do(a.Quit)
			for _, lang := range strings.Split(*langs, ",") {
				for _, s := range tourScreens() {
					if ctx.Err() != nil {
						runErr = ctx.Err()
						return
					}
					fyne.DoAndWait(func() {
						if err := show(s, lang); err != nil {
							runErr = err
						}
					})
					if runErr != nil {
						return
					}
					// Let the render loop paint the new screen before reading
					// the front buffer.
					time.Sleep(300 * time.Millisecond)
					img, err := grab(ctx, w, size)
					if err != nil {
						runErr = err
						return
					}
					path := filepath.Join(*out, fmt.Sprintf("%s_%s.png", s, lang))
					if err := writePNG(path, img); err != nil {
						runErr = err
						return
					}
					fmt.Fprintln(e.stdout, path)
				}
			}
		}()
	})
	w.ShowAndRun()
	return runErr
}

// grab reads the screen with xwd (from x11-apps) and crops it to the
// window, which is full screen at the top left; without xwd it asks the GL
// painter, which on some software GL stacks returns a blank image.
func grab(ctx context.Context, w fyne.Window, size fyne.Size) (image.Image, error) {
	xwd, err := exec.LookPath("xwd")
	if err != nil {
		return capture(w), nil
	}
	out, err := exec.CommandContext(ctx, xwd, "-root", "-silent").Output()
	if err != nil {
		return nil, fmt.Errorf("xwd: %w", err)
	}
	img, err := decodeXWD(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	r := image.Rect(0, 0, int(size.Width), int(size.Height)).Intersect(img.Bounds())
	return img.(*image.NRGBA).SubImage(r), nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func uiBenchCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ui-bench", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sizeFlag := fs.String("size", "800x480", "window size in pixels")
	rounds := fs.Int("rounds", 5, "times every screen is visited in every language")
	heapProfile := fs.String("heap-profile", "", "write a heap profile here at the end")
	settle := fs.Duration("settle", 0, "after the tour, wait this long on the home screen and measure memory again")
	kioskMode := fs.Bool("kiosk", false, "tour a fresh kiosk's real areas (in a temporary data directory) instead of the demo data; each visit then also does the visit's real work (tickets taken, a staff login)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	size, err := parseSize(*sizeFlag)
	if err != nil {
		return err
	}
	a, w, show, cleanup, err := openTour(ctx, e, *kioskMode, size)
	if err != nil {
		return err
	}
	defer cleanup()
	var report string
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			defer fyne.Do(a.Quit)
			capture(w) // the home screen, drawn
			launch, lerr := sinceProcessStart()
			homeRSS, _ := rssBytes()
			// change: the state change and the rebuilt screen laid out, on
			// the UI goroutine; drawn: the same plus reading the frame back
			// from the GPU (software GL here), an upper bound on what a
			// person waits for.
			var changes, drawn []time.Duration
			for range *rounds {
				for _, l := range i18n.Locales() {
					for _, s := range tourScreens() {
						t0 := time.Now()
						fyne.DoAndWait(func() {
							_ = show(s, l.Tag)
						})
						changes = append(changes, time.Since(t0))
						capture(w)
						drawn = append(drawn, time.Since(t0))
					}
				}
			}
			rss, rerr := rssBytes()
			var sb strings.Builder
			if lerr == nil {
				fmt.Fprintf(&sb, "launch_to_home_ms %.0f\n", ms(launch))
			}
			for _, m := range []struct {
				name string
				d    []time.Duration
			}{{"screen_change_ms", changes}, {"screen_change_drawn_ms", drawn}} {
				if len(m.d) == 0 {
					continue
				}
				slices.Sort(m.d)
				fmt.Fprintf(&sb, "%s median %.1f p90 %.1f max %.1f (n=%d)\n",
					m.name, ms(m.d[len(m.d)/2]), ms(m.d[len(m.d)*9/10]), ms(m.d[len(m.d)-1]), len(m.d))
			}
			fmt.Fprintf(&sb, "rss_home_mb %.1f\n", float64(homeRSS)/(1<<20))
			if rerr == nil {
				var m runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m)
				fmt.Fprintf(&sb, "rss_after_all_screens_mb %.1f (Go heap in use %.1f, Go runtime total %.1f)\n",
					float64(rss)/(1<<20), float64(m.HeapInuse)/(1<<20), float64(m.Sys)/(1<<20))
			}
			if *settle > 0 {
				fyne.DoAndWait(func() { _ = show(state.Home, "") })
				deadline := time.Now().Add(*settle)
				for time.Now().Before(deadline) {
					time.Sleep(time.Second)
					capture(w) // keep painting: fyne drops stale textures while it paints
				}
				if rss, err := rssBytes(); err == nil {
					var m runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&m)
					fmt.Fprintf(&sb, "rss_after_settle_mb %.1f (%s; Go heap in use %.1f)\n", float64(rss)/(1<<20), *settle, float64(m.HeapInuse)/(1<<20))
				}
			}
			if *heapProfile != "" {
				if f, err := os.Create(*heapProfile); err == nil {
					runtime.GC()
					_ = pprof.WriteHeapProfile(f)
					f.Close()
				}
			}
			report = sb.String()
		}()
	})
	w.ShowAndRun()
	fmt.Fprint(e.stdout, report)
	return nil
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

// sinceProcessStart reads the process start time from /proc (Linux).
func sinceProcessStart() (time.Duration, error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	start, err := strconv.ParseFloat(f[19], 64) // field 22: starttime in clock ticks
	if err != nil {
		return 0, err
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, err
	}
	uptime, err := strconv.ParseFloat(strings.Fields(string(up))[0], 64)
	if err != nil {
		return 0, err
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration((uptime - start/ticks) * float64(time.Second)), nil
}

func rssBytes() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}
