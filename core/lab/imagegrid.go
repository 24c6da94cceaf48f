package lab

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// drawPixels draws one image (w×h×ch values in [0, 1], channels interleaved)
// scaled into r of dst by nearest neighbour, so each pixel stays a crisp
// block.
func drawPixels(dst *image.RGBA, r image.Rectangle, pix []float64, w, h, ch int) {
	r = r.Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	if len(pix) != w*h*ch {
		panic(fmt.Sprintf("lab: drawPixels of %d values as %d×%d×%d", len(pix), w, h, ch))
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy := (y - r.Min.Y) * h / r.Dy()
		for x := r.Min.X; x < r.Max.X; x++ {
			sx := (x - r.Min.X) * w / r.Dx()
			p := pix[(sy*w+sx)*ch:]
			var c color.RGBA
			if ch >= 3 {
				c = color.RGBA{byte8(p[0]), byte8(p[1]), byte8(p[2]), 255}
			} else {
				g := byte8(p[0])
				c = color.RGBA{g, g, g, 255}
			}
			dst.SetRGBA(x, y, c)
		}
	}
}

func byte8(v float64) uint8 { return uint8(math.Round(255 * min(max(v, 0), 1))) }

// imageRow draws n images of pix (each dim values) side by side from the
// top-left corner (x, y), each side pixels square with gap pixels between,
// and returns the rectangle of each.
func imageRow(dst *image.RGBA, x, y, side, gap int, pix []float64, n, w, h, ch int) []image.Rectangle {
	dim := w * h * ch
	rs := make([]image.Rectangle, 0, n)
	for i := 0; i < n && (i+1)*dim <= len(pix); i++ {
		r := image.Rect(x+i*(side+gap), y, x+i*(side+gap)+side, y+side)
		drawPixels(dst, r, pix[i*dim:(i+1)*dim], w, h, ch)
		rs = append(rs, r)
	}
	return rs
}

// imageGrid draws the images of pix in a cols-wide grid filling r (square
// cells, gap pixels apart) and returns the cell side.
func imageGrid(dst *image.RGBA, r image.Rectangle, pix []float64, cols, w, h, ch, gap int) int {
	dim := w * h * ch
	n := len(pix) / dim
	rows := (n + cols - 1) / cols
	if n == 0 {
		return 0
	}
	side := min((r.Dx()-(cols-1)*gap)/cols, (r.Dy()-(rows-1)*gap)/max(rows, 1))
	if side < 1 {
		return 0
	}
	for i := 0; i < n; i++ {
		x := r.Min.X + (i%cols)*(side+gap)
		y := r.Min.Y + (i/cols)*(side+gap)
		drawPixels(dst, image.Rect(x, y, x+side, y+side), pix[i*dim:(i+1)*dim], w, h, ch)
	}
	return side
}

// frame outlines r with a line of width px just outside it.
func frame(dst *image.RGBA, r image.Rectangle, c color.RGBA, px int) {
	o := r.Inset(-px)
	for _, s := range []image.Rectangle{
		image.Rect(o.Min.X, o.Min.Y, o.Max.X, r.Min.Y), image.Rect(o.Min.X, r.Max.Y, o.Max.X, o.Max.Y),
		image.Rect(o.Min.X, r.Min.Y, r.Min.X, r.Max.Y), image.Rect(r.Max.X, r.Min.Y, o.Max.X, r.Max.Y),
	} {
		fill(dst.SubImage(s.Intersect(dst.Bounds())).(*image.RGBA), c)
	}
}

// projection maps d-dimensional codes to the plane for a scatter plot: the
// first two principal axes of the codes it was fitted to (for d = 2 the
// codes themselves), so the picture shows as much of their spread as two
// axes can.
type projection struct {
	d      int
	mean   []float64
	ax, ay []float64
}

// fitProjection fits a projection to the n×d codes. The axes' signs are
// fixed (largest component positive), so successive refreshes of a slowly
// changing model do not flip the picture.
func fitProjection(codes []float64, d int) projection {
	p := projection{d: d, mean: make([]float64, d), ax: make([]float64, d), ay: make([]float64, d)}
	if d == 2 {
		p.ax[0], p.ay[1] = 1, 1
		return p
	}
	n := len(codes) / d
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			p.mean[j] += codes[i*d+j] / float64(n)
		}
	}
	cov := make([]float64, d*d)
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			s := 0.0
			for i := 0; i < n; i++ {
				s += (codes[i*d+a] - p.mean[a]) * (codes[i*d+b] - p.mean[b])
			}
			cov[a*d+b] = s / float64(max(n-1, 1))
			cov[b*d+a] = cov[a*d+b]
		}
	}
	_, vecs := symEigen(cov, d) // ascending eigenvalues: the last two columns
	for j := 0; j < d; j++ {
		p.ax[j], p.ay[j] = vecs[j*d+d-1], vecs[j*d+d-2]
	}
	fixSign(p.ax)
	fixSign(p.ay)
	return p
}

func fixSign(v []float64) {
	k := 0
	for j := range v {
		if math.Abs(v[j]) > math.Abs(v[k]) {
			k = j
		}
	}
	if v[k] < 0 {
		for j := range v {
			v[j] = -v[j]
		}
	}
}

// apply returns the 2D points of the n×d codes.
func (p projection) apply(codes []float64) []float64 {
	n := len(codes) / p.d
	out := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		var x, y float64
		for j := 0; j < p.d; j++ {
			v := codes[i*p.d+j] - p.mean[j]
			x += v * p.ax[j]
			y += v * p.ay[j]
		}
		out[2*i], out[2*i+1] = x, y
	}
	return out
}

// pointsView is a square view around 2D points with a margin, so they fill
// a square panel without touching its edges.
func pointsView(pts []float64) (x0, x1, y0, y1 float64) {
	x0, x1, y0, y1 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := 0; i+1 < len(pts); i += 2 {
		x0, x1 = min(x0, pts[i]), max(x1, pts[i])
		y0, y1 = min(y0, pts[i+1]), max(y1, pts[i+1])
	}
	if x0 > x1 {
		return -3, 3, -3, 3
	}
	cx, cy := (x0+x1)/2, (y0+y1)/2
	h := max(x1-x0, y1-y0, 1e-6) * 0.56 // 6% margin on each side
	return cx - h, cx + h, cy - h, cy + h
}

// classColor is a colour for class k of names: the fruit's own colour for
// the fruits, a categorical palette (Tableau 10) for anything else.
func classColor(names []string, k int) color.RGBA {
	if k < 0 || k >= len(names) {
		return color.RGBA{200, 200, 200, 255}
	}
	switch names[k] {
	case "apple":
		return color.RGBA{230, 40, 40, 255}
	case "banana":
		return color.RGBA{250, 220, 40, 255}
	case "pear":
		return color.RGBA{150, 210, 60, 255}
	case "orange":
		return color.RGBA{255, 140, 20, 255}
	case "lemon":
		return color.RGBA{240, 250, 150, 255}
	case "strawberry":
		return color.RGBA{220, 40, 140, 255}
	}
	return tableau10[k%len(tableau10)]
}

var tableau10 = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255},
}
