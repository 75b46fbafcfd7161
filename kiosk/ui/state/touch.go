package state

import "math"

// EN 301 549 and WCAG 2.5.5 ask for touch targets a finger can hit without
// precision; we hold every target to at least 9 mm on the smallest panel we
// ship, the official 7" Raspberry Pi display at 800×480.

// TouchTargetMM is the smallest edge of anything tappable, in millimetres.
const TouchTargetMM = 9.0

// PixelsFor returns how many pixels mm millimetres span on a panel of the
// given diagonal (inches) and resolution, rounded up.
func PixelsFor(mm, diagonalInch float64, widthPx, heightPx int) float32 {
	diagPx := math.Hypot(float64(widthPx), float64(heightPx))
	pxPerMM := diagPx / (diagonalInch * 25.4)
	return float32(math.Ceil(mm * pxPerMM))
}

// MinTouch is the minimum touch-target edge in pixels (= fyne units at
// scale 1) on the 7" 800×480 panel: 9 mm × 5.25 px/mm, rounded up, is 48
// (touch_test.go checks it against PixelsFor).
const MinTouch = 48
