package render

import (
	"image"
	"image/color"
	"math"
)

// blend composites the premultiplied color c, scaled by coverage cov in
// [0, 1], over the pixel at p (4 bytes of an RGBA image): Porter–Duff
// "over", dst = c·cov + dst·(1 − c.A·cov).
func blend(p []byte, c color.RGBA, cov float64) {
	_ = p[3]
	k := uint32(cov*255 + 0.5) // coverage in 0..255
	if k == 0 {
		return
	}
	inv := 255*255 - uint32(c.A)*k // (1 − a·cov), scaled by 255²
	// (x·y + 127) / 255 rounds; the 255² scale needs /65025 with rounding.
	p[0] = uint8(min(255, (uint32(c.R)*k*255+uint32(p[0])*inv+32512)/65025))
	p[1] = uint8(min(255, (uint32(c.G)*k*255+uint32(p[1])*inv+32512)/65025))
	p[2] = uint8(min(255, (uint32(c.B)*k*255+uint32(p[2])*inv+32512)/65025))
	p[3] = uint8(min(255, (uint32(c.A)*k*255+uint32(p[3])*inv+32512)/65025))
}

// fillRect fills r ∩ dst.Bounds() with c (copied, not blended).
func fillRect(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(dst.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		off := dst.PixOffset(r.Min.X, y)
		row := dst.Pix[off : off+4*r.Dx()]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
		}
	}
}

// blendRect blends c over r ∩ dst.Bounds().
func blendRect(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(dst.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		off := dst.PixOffset(r.Min.X, y)
		row := dst.Pix[off : off+4*r.Dx()]
		for i := 0; i < len(row); i += 4 {
			blend(row[i:i+4], c, 1)
		}
	}
}

// disc blends a filled anti-aliased disc of radius rad centred at the
// continuous pixel position (cx, cy), clipped to clip: a pixel's coverage is
// rad + ½ − (distance from its centre), clamped to [0, 1] — a one-pixel
// linear ramp at the rim.
func disc(dst *image.RGBA, clip image.Rectangle, cx, cy, rad float64, c color.RGBA) {
	clip = clip.Intersect(dst.Bounds())
	x0 := max(clip.Min.X, int(math.Floor(cx-rad-0.5)))
	x1 := min(clip.Max.X, int(math.Ceil(cx+rad+0.5)))
	y0 := max(clip.Min.Y, int(math.Floor(cy-rad-0.5)))
	y1 := min(clip.Max.Y, int(math.Ceil(cy+rad+0.5)))
	// Pixels well inside the disc are fully covered and those well
	// outside untouched; only the one-pixel rim needs a square root.
	in2 := max(0, rad-0.5) * max(0, rad-0.5)
	out2 := (rad + 0.5) * (rad + 0.5)
	for y := y0; y < y1; y++ {
		dy := float64(y) + 0.5 - cy
		off := dst.PixOffset(0, y)
		for x := x0; x < x1; x++ {
			dx := float64(x) + 0.5 - cx
			d2 := dx*dx + dy*dy
			if d2 >= out2 {
				continue
			}
			cov := 1.0
			if d2 > in2 {
				cov = min(1, rad+0.5-math.Sqrt(d2))
			}
			o := off + 4*x
			blend(dst.Pix[o:o+4:o+4], c, cov)
		}
	}
}

// segment blends an anti-aliased line of the given width from (ax, ay) to
// (bx, by) (continuous pixel coordinates), clipped to clip. Coverage is
// width/2 + ½ − (distance from the pixel centre to the segment), so ends
// are round and joints of a polyline look continuous.
func segment(dst *image.RGBA, clip image.Rectangle, ax, ay, bx, by, width float64, c color.RGBA) {
	clip = clip.Intersect(dst.Bounds())
	if clip.Empty() {
		return
	}
	h := width/2 + 0.5
	// Clip the segment to the rectangle grown by h first: a far-away end
	// (a huge value on a chart) must not make the loops below huge.
	fx0, fy0 := float64(clip.Min.X)-h, float64(clip.Min.Y)-h
	fx1, fy1 := float64(clip.Max.X)+h, float64(clip.Max.Y)+h
	var ok bool
	if ax, ay, bx, by, ok = clipSegment(ax, ay, bx, by, fx0, fy0, fx1, fy1); !ok {
		return
	}
	x0 := max(clip.Min.X, int(math.Floor(min(ax, bx)-h)))
	x1 := min(clip.Max.X, int(math.Ceil(max(ax, bx)+h)))
	y0 := max(clip.Min.Y, int(math.Floor(min(ay, by)-h)))
	y1 := min(clip.Max.Y, int(math.Ceil(max(ay, by)+h)))
	dx, dy := bx-ax, by-ay
	ll := dx*dx + dy*dy
	for y := y0; y < y1; y++ {
		py := float64(y) + 0.5
		off := dst.PixOffset(0, y)
		for x := x0; x < x1; x++ {
			px := float64(x) + 0.5
			// Distance from (px, py) to the segment.
			t := 0.0
			if ll > 0 {
				t = min(1, max(0, ((px-ax)*dx+(py-ay)*dy)/ll))
			}
			ex, ey := px-(ax+t*dx), py-(ay+t*dy)
			cov := h - math.Sqrt(ex*ex+ey*ey)
			if cov <= 0 {
				continue
			}
			o := off + 4*x
			blend(dst.Pix[o:o+4:o+4], c, min(1, cov))
		}
	}
}

// clipSegment clips a segment to the box [x0, x1]×[y0, y1] (Liang–Barsky)
// and reports whether any part of it remains.
func clipSegment(ax, ay, bx, by, x0, y0, x1, y1 float64) (cax, cay, cbx, cby float64, ok bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := bx-ax, by-ay
	for _, e := range [4][2]float64{{-dx, ax - x0}, {dx, x1 - ax}, {-dy, ay - y0}, {dy, y1 - ay}} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = max(t0, r)
		} else {
			t1 = min(t1, r)
		}
		if t0 > t1 {
			return 0, 0, 0, 0, false
		}
	}
	return ax + t0*dx, ay + t0*dy, ax + t1*dx, ay + t1*dy, true
}
