package nn

import (
	"testing"

	"likelab/core/ad"
)

// TestMADEIsAutoregressive checks the MADE property through the tape: the
// gradient of every output of dimension i with respect to input j is exactly
// zero for j ≥ i, and (with random weights) not zero for some j < i, so the
// masks neither leak nor cut more than they must.
func TestMADEIsAutoregressive(t *testing.T) {
	t.Parallel()
	for ti, tc := range []struct {
		d      int
		hidden []int
		perDim int
	}{
		{2, []int{8, 8}, 2},
		{3, []int{5}, 2},
		{4, []int{7, 2}, 3}, // a layer narrower than D−1 drops degree 3
		{5, nil, 1},
	} {
		rng := NewRNG(uint64(ti)+1, 0)
		m := NewMADE("m", tc.d, tc.hidden, tc.perDim, Tanh, false, rng)
		for _, p := range m.Params() { // nonzero biases and weights everywhere the masks allow
			for i := range p.Val {
				p.Val[i] += 0.5 * rng.NormFloat64()
			}
		}
		x := make([]float64, tc.d)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		// which inputs reach which dimensions: dependence on j < i may be cut
		// only when a hidden layer is too narrow to carry every degree
		reached := make([][]bool, tc.d)
		for i := range reached {
			reached[i] = make([]bool, tc.d)
		}
		for col := 0; col < tc.d*tc.perDim; col++ {
			dim := col % tc.d
			xg := make([]float64, tc.d)
			tape := ad.NewTape()
			out := m.Forward(tape, tape.Param(1, tc.d, x, xg))
			tape.Backward(tape.SliceCols(out, col, col+1))
			for j, g := range xg {
				if j >= dim && g != 0 {
					t.Errorf("test %d: output %d (dimension %d) depends on input %d: gradient %v", ti, col, dim, j, g)
				}
				if g != 0 {
					reached[dim][j] = true
				}
			}
		}
		narrow := false
		for _, h := range tc.hidden {
			narrow = narrow || h < tc.d-1
		}
		for i := range reached {
			for j := 0; j < i; j++ {
				if !reached[i][j] && !narrow {
					t.Errorf("test %d: dimension %d does not see input %d", ti, i, j)
				}
			}
		}
	}
}

func TestMADEZeroLastAndShape(t *testing.T) {
	t.Parallel()
	m := NewMADE("m", 3, []int{6}, 2, ReLU, true, NewRNG(1, 0))
	tape := ad.NewTape()
	out := m.Forward(tape, tape.Const(4, 3, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))
	if out.R != 4 || out.C != 6 {
		t.Fatalf("got %d×%d want 4×6", out.R, out.C)
	}
	for i, v := range out.Val {
		if v != 0 {
			t.Errorf("test %d: zero-initialised output got %v want 0", i, v)
		}
	}
}
