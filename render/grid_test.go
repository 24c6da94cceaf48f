package render

import (
	"image"
	"math"
	"testing"
)

func TestGridPoint(t *testing.T) {
	t.Parallel()
	g := NewGrid(4, 2, -2, 2, 0, 1)
	for k, test := range []struct {
		i, j int
		x, y float64
	}{
		{0, 0, -1.5, 0.75}, // row 0 is the top
		{3, 0, 1.5, 0.75},
		{0, 1, -1.5, 0.25},
		{2, 1, 0.5, 0.25},
	} {
		x, y := g.Point(test.i, test.j)
		if x != test.x || y != test.y {
			t.Errorf("test %d: got (%v, %v) want (%v, %v)", k, x, y, test.x, test.y)
		}
	}
	g.Fill(func(x, y float64) float64 { return 10*x + y })
	if got, want := g.At(2, 1), 10*0.5+0.25; got != want {
		t.Errorf("Fill/At: got %v want %v", got, want)
	}
	g.Set(1, 0, -7)
	if got := g.V[1]; got != -7 {
		t.Errorf("Set: V[1] = %v want -7", got)
	}
	if !panics(func() { NewGrid(0, 3, 0, 1, 0, 1) }) {
		t.Error("NewGrid(0, …): no panic")
	}
}

func TestGridRange(t *testing.T) {
	t.Parallel()
	inf, nan := math.Inf(1), math.NaN()
	for i, test := range []struct {
		v      []float64
		lo, hi float64
	}{
		{[]float64{3, -1, 2}, -1, 3},
		{[]float64{nan, 5, -inf, inf, 4}, 4, 5},
		{[]float64{nan, inf}, nan, nan},
	} {
		g := Grid{W: len(test.v), H: 1, V: test.v}
		lo, hi := g.Range()
		if !sameFloat(lo, test.lo) || !sameFloat(hi, test.hi) {
			t.Errorf("test %d: got (%v, %v) want (%v, %v)", i, lo, hi, test.lo, test.hi)
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (a != a && b != b) }

func TestViewRoundTrip(t *testing.T) {
	t.Parallel()
	v := View{X0: -4, X1: 4, Y0: -2, Y1: 6}
	r := image.Rect(10, 20, 110, 220)
	for i, test := range []struct{ x, y, px, py float64 }{
		{-4, 6, 10, 20},   // top-left corner
		{4, -2, 110, 220}, // bottom-right corner
		{0, 2, 60, 120},
	} {
		px, py := v.Pixel(r, test.x, test.y)
		if math.Abs(px-test.px) > 1e-12 || math.Abs(py-test.py) > 1e-12 {
			t.Errorf("test %d: Pixel got (%v, %v) want (%v, %v)", i, px, py, test.px, test.py)
		}
		x, y := v.World(r, px, py)
		if math.Abs(x-test.x) > 1e-12 || math.Abs(y-test.y) > 1e-12 {
			t.Errorf("test %d: World got (%v, %v) want (%v, %v)", i, x, y, test.x, test.y)
		}
	}
	// A grid with as many cells as pixels puts cell centres on pixel centres.
	g := NewGrid(100, 200, -4, 4, -2, 6)
	x, y := g.Point(7, 9)
	px, py := g.View().Pixel(r, x, y)
	if math.Abs(px-(10+7.5)) > 1e-9 || math.Abs(py-(20+9.5)) > 1e-9 {
		t.Errorf("cell (7, 9) centre at pixel (%v, %v) want (17.5, 29.5)", px, py)
	}
}
