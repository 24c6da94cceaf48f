package render

import (
	"image"
	"image/color"
)

// Scatter draws each point of pts (interleaved x, y) that lies inside the
// view as an anti-aliased dot of the given radius in pixels, blended over
// dst with Porter–Duff "over" (so a translucent c shows density by
// overlap). The view maps to dst's bounds; points outside it or not finite
// are skipped, and dots are clipped at the edges. It panics if len(pts) is
// odd.
func Scatter(dst *image.RGBA, v View, pts []float64, c color.RGBA, radius float64) {
	if len(pts)%2 != 0 {
		panic("render: Scatter points length is odd")
	}
	r := dst.Bounds()
	if r.Empty() || radius <= 0 {
		return
	}
	for i := 0; i < len(pts); i += 2 {
		x, y := pts[i], pts[i+1]
		if !v.Contains(x, y) { // also false for NaN
			continue
		}
		px, py := v.Pixel(r, x, y)
		disc(dst, r, px, py, radius, c)
	}
}
