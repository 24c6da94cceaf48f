package render

import (
	"image"
	"image/color"
	"math"
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
