package render

import (
	"image"
	"image/color"
	"math"
)

// Polyline draws the path through pts (interleaved x, y, world
// coordinates) as anti-aliased segments of the given width in pixels,
// blended over dst; the view maps to dst's bounds and segments are clipped
// at its edges. A non-finite point breaks the path. It panics if len(pts) is
// odd.
func Polyline(dst *image.RGBA, v View, pts []float64, c color.RGBA, width float64) {
	if len(pts)%2 != 0 {
		panic("render: Polyline points length is odd")
	}
	r := dst.Bounds()
	if r.Empty() || width <= 0 {
		return
	}
	// Far-out points would make huge pixel coordinates; clipSegment handles
	// them, but the float conversion must stay finite.
	const far = 1e9
	for i := 2; i < len(pts); i += 2 {
		ax, ay, bx, by := pts[i-2], pts[i-1], pts[i], pts[i+1]
		if !finite4(ax, ay, bx, by) {
			continue
		}
		pax, pay := v.Pixel(r, ax, ay)
		pbx, pby := v.Pixel(r, bx, by)
		if math.Abs(pax) > far || math.Abs(pay) > far || math.Abs(pbx) > far || math.Abs(pby) > far {
			continue
		}
		segment(dst, r, pax, pay, pbx, pby, width, c)
	}
}

func finite4(a, b, c, d float64) bool {
	s := a + b + c + d
	return !math.IsNaN(s) && !math.IsInf(s, 0)
}
