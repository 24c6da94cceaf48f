package render

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

func TestHeatmapConstant(t *testing.T) {
	t.Parallel()
	g := NewGrid(5, 3, 0, 1, 0, 1)
	g.Fill(func(x, y float64) float64 { return 0.3 })
	img := image.NewRGBA(image.Rect(0, 0, 37, 23))
	Heatmap(img, g, Magma, 0, 1)
	want := Magma.At(0.3)
	for y := 0; y < 23; y++ {
		for x := 0; x < 37; x++ {
			if got := img.RGBAAt(x, y); got != want {
				t.Fatalf("pixel (%d, %d): got %v want %v", x, y, got, want)
			}
		}
	}
}

func TestHeatmapInterpolation(t *testing.T) {
	t.Parallel()
	// Two cells, values 0 and 1, drawn 4 pixels wide: pixel centres sit at
	// cell coordinates −0.25, 0.25, 0.75, 1.25, so the outer pixels clamp to
	// the cells and the inner ones interpolate to 0.25 and 0.75.
	g := Grid{W: 2, H: 1, X0: 0, X1: 1, Y0: 0, Y1: 1, V: []float64{0, 1}}
	img := image.NewRGBA(image.Rect(0, 0, 4, 1))
	Heatmap(img, g, Viridis, 0, 1)
	for x, tv := range []float64{0, 0.25, 0.75, 1} {
		if got, want := img.RGBAAt(x, 0), Viridis.At(tv); got != want {
			t.Errorf("pixel %d: got %v want %v (t = %v)", x, got, want, tv)
		}
	}
}

func TestHeatmapSpecialValues(t *testing.T) {
	t.Parallel()
	inf, nan := math.Inf(1), math.NaN()
	for i, test := range []struct {
		v      float64
		lo, hi float64
		want   color.RGBA
	}{
		{nan, 0, 1, NaNColor},
		{inf, 0, 1, Viridis.At(1)},
		{-inf, 0, 1, Viridis.At(0)},
		{5, 0, 1, Viridis.At(1)},
		{-5, 0, 1, Viridis.At(0)},
		{0.25, 1, 0, Viridis.At(0.75)}, // hi < lo reverses
		{inf, 1, 0, Viridis.At(0)},
		{3, 2, 2, Viridis.At(0.5)}, // degenerate range: middle
		{3, nan, 2, Viridis.At(0.5)},
		{inf, 2, 2, Viridis.At(0.5)},
	} {
		g := Grid{W: 1, H: 1, V: []float64{test.v}}
		img := image.NewRGBA(image.Rect(0, 0, 3, 2))
		Heatmap(img, g, Viridis, test.lo, test.hi)
		if got := img.RGBAAt(1, 1); got != test.want {
			t.Errorf("test %d: value %v in [%v, %v]: got %v want %v", i, test.v, test.lo, test.hi, got, test.want)
		}
	}
}

func TestHeatmapNaNHole(t *testing.T) {
	t.Parallel()
	// A 3×3 grid with a NaN centre drawn 9×9: the middle 3×3 pixels are
	// nearest to the centre cell and grey; the corners keep their cell's
	// color; nothing is NaN-poisoned into a wrong color.
	g := NewGrid(3, 3, 0, 1, 0, 1)
	for k := range g.V {
		g.V[k] = 0.2
	}
	g.Set(1, 1, math.NaN())
	img := image.NewRGBA(image.Rect(0, 0, 9, 9))
	Heatmap(img, g, Viridis, 0, 1)
	for y := 0; y < 9; y++ {
		for x := 0; x < 9; x++ {
			want := Viridis.At(0.2)
			if x >= 3 && x < 6 && y >= 3 && y < 6 {
				want = NaNColor
			}
			if got := img.RGBAAt(x, y); got != want {
				t.Errorf("pixel (%d, %d): got %v want %v", x, y, got, want)
			}
		}
	}
}

func TestHeatmapSubImage(t *testing.T) {
	t.Parallel()
	// Drawing into a sub-image touches only its rectangle.
	img := image.NewRGBA(image.Rect(0, 0, 20, 20))
	sub := img.SubImage(image.Rect(5, 6, 15, 16)).(*image.RGBA)
	g := Grid{W: 1, H: 1, V: []float64{1}}
	Heatmap(sub, g, Greys, 0, 1)
	for y := 0; y < 20; y++ {
		for x := 0; x < 20; x++ {
			in := image.Pt(x, y).In(sub.Rect)
			if got := img.RGBAAt(x, y); (got == color.RGBA{255, 255, 255, 255}) != in {
				t.Fatalf("pixel (%d, %d) = %v, inside sub-image: %v", x, y, got, in)
			}
		}
	}
	if !panics(func() { Heatmap(img, Grid{W: 2, H: 2, V: make([]float64, 3)}, Greys, 0, 1) }) {
		t.Error("bad grid: no panic")
	}
}

// TestHeatmapMatchesDefinition compares Heatmap with bilinear interpolation
// written out from its definition, on grids and images of awkward sizes
// (non-integer ratios, images smaller than the grid, one-cell axes). The
// fast path accumulates the interpolated value by additions, so it may
// land one table entry away from the direct formula, no more.
func TestHeatmapMatchesDefinition(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	for k, size := range [][4]int{{64, 64, 512, 512}, {7, 5, 33, 19}, {10, 10, 6, 4}, {1, 9, 5, 40}, {13, 1, 100, 3}} {
		gw, gh, iw, ih := size[0], size[1], size[2], size[3]
		g := NewGrid(gw, gh, 0, 1, 0, 1)
		for i := range g.V {
			g.V[i] = rng.Float64()*3 - 1 // partly outside [0, 1]: clamped
		}
		img := image.NewRGBA(image.Rect(0, 0, iw, ih))
		Heatmap(img, g, Viridis, 0, 1)
		cell := func(i, j int) float64 {
			i, j = min(max(i, 0), gw-1), min(max(j, 0), gh-1)
			return 255 * min(1, max(0, g.At(i, j)))
		}
		for py := 0; py < ih; py++ {
			v := (float64(py)+0.5)*float64(gh)/float64(ih) - 0.5
			v = min(float64(gh-1), max(0, v))
			j := int(math.Floor(v))
			fy := v - float64(j)
			for px := 0; px < iw; px++ {
				u := (float64(px)+0.5)*float64(gw)/float64(iw) - 0.5
				u = min(float64(gw-1), max(0, u))
				i := int(math.Floor(u))
				fx := u - float64(i)
				want := (1-fy)*((1-fx)*cell(i, j)+fx*cell(i+1, j)) + fy*((1-fx)*cell(i, j+1)+fx*cell(i+1, j+1))
				got := img.RGBAAt(px, py)
				lo, hi := Viridis.lut[max(0, int(want+0.5)-1)], Viridis.lut[min(255, int(want+0.5)+1)]
				if got != Viridis.lut[int(want+0.5)] && got != lo && got != hi {
					t.Fatalf("test %d: pixel (%d, %d): got %v want entry %.2f (%v)", k, px, py, got, want, Viridis.lut[int(want+0.5)])
				}
			}
		}
	}
}
