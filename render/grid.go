package render

import "math"

// Grid is a W×H array of values over the box [X0, X1]×[Y0, Y1], laid out
// like an image: V[j*W+i] is the value at the centre of cell (i, j),
//
//	x = X0 + (i+0.5)·(X1−X0)/W,  y = Y1 − (j+0.5)·(Y1−Y0)/H,
//
// so row 0 is at the top (largest y).
type Grid struct {
	W, H           int
	X0, X1, Y0, Y1 float64
	V              []float64
}

// NewGrid returns a zero grid of w×h cells over [x0, x1]×[y0, y1]. It panics
// if w or h is not positive.
func NewGrid(w, h int, x0, x1, y0, y1 float64) Grid {
	if w <= 0 || h <= 0 {
		panic("render: grid size must be positive")
	}
	return Grid{W: w, H: h, X0: x0, X1: x1, Y0: y0, Y1: y1, V: make([]float64, w*h)}
}

// check panics if the grid's shape is inconsistent.
func (g Grid) check() {
	if g.W <= 0 || g.H <= 0 || len(g.V) != g.W*g.H {
		panic("render: grid V length does not match W×H")
	}
}

// At returns the value of cell (i, j).
func (g Grid) At(i, j int) float64 { return g.V[j*g.W+i] }

// Set sets the value of cell (i, j).
func (g Grid) Set(i, j int, v float64) { g.V[j*g.W+i] = v }

// Point returns the centre of cell (i, j) in world coordinates.
func (g Grid) Point(i, j int) (x, y float64) {
	x = g.X0 + (float64(i)+0.5)*(g.X1-g.X0)/float64(g.W)
	y = g.Y1 - (float64(j)+0.5)*(g.Y1-g.Y0)/float64(g.H)
	return x, y
}

// Fill sets every cell to f at its centre.
func (g Grid) Fill(f func(x, y float64) float64) {
	g.check()
	for j := 0; j < g.H; j++ {
		for i := 0; i < g.W; i++ {
			x, y := g.Point(i, j)
			g.V[j*g.W+i] = f(x, y)
		}
	}
}

// Range returns the smallest and largest finite values, or NaN, NaN if no
// value is finite.
func (g Grid) Range() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range g.V {
		if v-v == 0 { // finite: NaN−NaN and ±Inf−±Inf are NaN
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if lo > hi {
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// View returns the grid's box as a View.
func (g Grid) View() View { return View{X0: g.X0, X1: g.X1, Y0: g.Y0, Y1: g.Y1} }
