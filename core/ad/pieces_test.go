package ad

import (
	"math"
	"math/rand/v2"
	"testing"
)

// pairNet is the weights of a ReLUPair1 on constant nodes.
type pairNet struct {
	h1, h2         int
	w1, b1, w2, b2 []float64
}

func newPairNet(rng *rand.Rand, h1, h2 int) *pairNet {
	n := &pairNet{h1: h1, h2: h2, w1: make([]float64, h1), b1: make([]float64, h1), w2: make([]float64, h1*h2), b2: make([]float64, h2)}
	for _, v := range [][]float64{n.w1, n.b1, n.w2, n.b2} {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
	}
	return n
}

// eval returns ReLUPair1 of x on a NoGrad tape, piecewise when pc is given.
func (n *pairNet) eval(x []float64, pc *PieceCache) []float64 {
	t := NewTape()
	t.NoGrad = true
	out := t.ReLUPair1(t.Const(len(x), 1, x), t.Const(1, n.h1, n.w1), t.Const(1, n.h1, n.b1),
		t.Const(n.h1, n.h2, n.w2), t.Const(1, n.h2, n.b2), pc)
	return out.Val
}

// TestReLUPair1PiecesMatchDirect: the piecewise evaluation agrees with the
// two layers computed directly, at random points, at the knots themselves,
// left and right of every knot and far out; after a weight changes (the
// tables must be rebuilt); with units of slope 0; and it leaves non-finite
// weights and inputs to the direct path, NaN for NaN.
func TestReLUPair1PiecesMatchDirect(t *testing.T) {
	t.Parallel()
	// The two ways group the same sums differently: a unit's row is added
	// to A and B once per knot crossed (up to h1 = 128 times) instead of
	// once, so rounding differs by up to ~h1·ε relative to the largest
	// terms; 1e-12 of the largest partial sum leaves a wide margin.
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(3, 3))
	for ci, tc := range []struct{ h1, h2 int }{{1, 1}, {9, 5}, {128, 128}} {
		n := newPairNet(rng, tc.h1, tc.h2)
		if tc.h1 > 2 {
			n.w1[0], n.w1[1] = 0, 0 // slope-0 units: constant, on and off
			n.b1[0], n.b1[1] = 1, -1
		}
		pc := new(PieceCache)
		for round := 0; round < 3; round++ {
			var x []float64
			for j := range n.w1 {
				if n.w1[j] != 0 {
					k := -n.b1[j] / n.w1[j]
					x = append(x, k, math.Nextafter(k, math.Inf(-1)), math.Nextafter(k, math.Inf(1)))
				}
			}
			for range 50 {
				x = append(x, 3*rng.NormFloat64())
			}
			x = append(x, -1e3, 1e3, 0)
			got, want := n.eval(x, pc), n.eval(x, nil)
			scale := 1.0
			for _, v := range n.w2 {
				scale += math.Abs(v)
			}
			for i := range want {
				r := i / n.h2
				if d := math.Abs(got[i] - want[i]); d > tol*scale*(1+math.Abs(x[r])) {
					t.Errorf("test %d round %d: x = %v output %d: got %v want %v", ci, round, x[r], i%n.h2, got[i], want[i])
				}
			}
			// change one weight of each layer: the next round must rebuild
			n.w1[len(n.w1)-1] += 0.5
			n.w2[len(n.w2)/2] -= 0.25
		}
		// non-finite values take the direct path: NaN where it gives NaN
		x := []float64{0.5, math.NaN(), math.Inf(1)}
		if got := n.eval(x, pc); !math.IsNaN(got[n.h2]) {
			t.Errorf("test %d: NaN input gave %v", ci, got[n.h2])
		}
		n.b1[0] = math.NaN()
		got, want := n.eval(x[:1], pc), n.eval(x[:1], nil)
		for i := range want {
			if math.IsNaN(got[i]) != math.IsNaN(want[i]) || (!math.IsNaN(want[i]) && got[i] != want[i]) {
				t.Errorf("test %d: NaN weight: output %d: got %v want %v", ci, i, got[i], want[i])
			}
		}
	}
}

// TestReLUPair1WithGradientsIsDirect: on a tape that records gradients the
// op is the two fused layers, bit for bit, whether or not a cache is given.
func TestReLUPair1WithGradientsIsDirect(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 4))
	n := newPairNet(rng, 7, 6)
	x := []float64{-1, 0.3, 2}
	gx := make([]float64, len(x))
	tp := NewTape()
	got := tp.ReLUPair1(tp.Param(3, 1, x, gx), tp.Const(1, 7, n.w1), tp.Const(1, 7, n.b1), tp.Const(7, 6, n.w2), tp.Const(1, 6, n.b2), new(PieceCache))
	want := n.eval(x, nil)
	for i := range want {
		if got.Val[i] != want[i] {
			t.Errorf("output %d: got %v want %v", i, got.Val[i], want[i])
		}
	}
	if !got.NeedsGrad() {
		t.Errorf("output needs no gradient")
	}
}

// TestPieceRowsMatchGo: the platform's row pass of the piecewise evaluation
// (on js/wasm the SIMD module) gives pieceRowsGo's values bit for bit.
func TestPieceRowsMatchGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	for ci, s := range [][2]int{{1, 2}, {7, 6}, {100, 128}, {33, 9}} {
		n, h := s[0], s[1]
		const pieces = 5
		x, a, b := make([]float64, n), make([]float64, pieces*h), make([]float64, pieces*h)
		at := make([]int32, n)
		for i := range x {
			x[i] = 3 * rng.NormFloat64()
			at[i] = int32(rng.IntN(pieces) * h)
		}
		for i := range a {
			a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()
		}
		b[0] = math.Copysign(0, -1)
		got, want := make([]float64, n*h), make([]float64, n*h)
		pieceRows(got, x, at, a, b, h)
		pieceRowsGo(want, x, at, a, b, h)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Errorf("test %d: entry %d: got %v want %v", ci, i, got[i], want[i])
				break
			}
		}
	}
}
