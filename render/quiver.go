package render

import (
	"image"
	"image/color"
	"math"
)

// Arrow heads of Quiver: barbs at ±headAngle from the shaft, a third of
// the arrow's length long but never longer than headMax pixels, so long
// arrows keep small heads and short ones still show their direction.
const (
	headAngle = 25 * math.Pi / 180
	headFrac  = 1.0 / 3
	headMax   = 6.0
)

// Quiver draws a field of arrows: for each point (x, y) of pts and vector
// (u, w) of vecs (both interleaved, the same length), an anti-aliased arrow
// from (x, y) to (x + scale·u, y + scale·w) in world units of v, with two
// barbs at its tip, blended over dst in c with the given line width in
// pixels. Arrows shorter than half a pixel, and points or vectors that are
// not finite, draw nothing; arrows are clipped at dst's edges. It panics if
// the lengths differ or are odd.
func Quiver(dst *image.RGBA, v View, pts, vecs []float64, scale float64, c color.RGBA, width float64) {
	if len(pts)%2 != 0 || len(pts) != len(vecs) {
		panic("render: Quiver needs as many vectors as points, interleaved")
	}
	r := dst.Bounds()
	if r.Empty() || width <= 0 {
		return
	}
	for i := 0; i < len(pts); i += 2 {
		x, y := pts[i], pts[i+1]
		tx, ty := x+scale*vecs[i], y+scale*vecs[i+1]
		if !finite4(x, y, tx, ty) {
			continue
		}
		ax, ay := v.Pixel(r, x, y)
		bx, by := v.Pixel(r, tx, ty)
		dx, dy := bx-ax, by-ay
		l := math.Hypot(dx, dy)
		// a world point far outside would overflow pixel arithmetic; such
		// arrows cannot be seen anyway
		if l < 0.5 || l > 1e6 || math.Abs(ax) > 1e6 || math.Abs(ay) > 1e6 {
			continue
		}
		segment(dst, r, ax, ay, bx, by, width, c)
		h := min(headFrac*l, headMax)
		ux, uy := dx/l, dy/l // along the shaft
		for _, s := range [2]float64{1, -1} {
			sn, cs := math.Sincos(s * headAngle)
			// the shaft's direction turned by ±headAngle, pointing back
			px, py := -(ux*cs - uy*sn), -(ux*sn + uy*cs)
			segment(dst, r, bx, by, bx+h*px, by+h*py, width, c)
		}
	}
}
