package ad

import (
	"math"
	"testing"
)

// TestVAEOpValues checks the fused VAE ops' values against their formulas
// written out by hand, at points where a naive formula would overflow.
func TestVAEOpValues(t *testing.T) {
	t.Parallel()
	// Each expected value is a short sum evaluated in float64 by other means
	// (closed forms below); 1e-12 allows a few ulps of summation order.
	const tol = 1e-12
	tape := NewTape()
	c := func(r, cc int, v ...float64) *Node { return tape.Const(r, cc, v) }
	for i, tc := range []struct {
		name string
		got  *Node
		want []float64
	}{
		// softplus(l) − x·l: 0 → log 2; l = 1000, x = 1 → 0 (log σ(1000)
		// rounds to 0); l = −1000, x = 1 → 1000; l = 3, x = 0.25 → log(1+e³) − 0.75.
		{"BCE", tape.BCEWithLogitsEachRow(c(2, 2, 0, 1000, -1000, 3), c(2, 2, 0.5, 1, 1, 0.25)),
			[]float64{math.Ln2, 1000 + math.Log1p(math.Exp(3)) - 0.75}},
		// log N(1; 0, 1) + log N(2; 1, e²) = −½(log 2π + 1) − ½(log 2π + 2 + e⁻²).
		{"Gauss", tape.GaussianLogProbEachRow(c(1, 2, 1, 2), c(1, 2, 0, 1), c(1, 2, 0, 2)),
			[]float64{-0.5*(log2Pi+1) - 0.5*(log2Pi+2+math.Exp(-2))}},
		// nil μ and log-variance: the standard normal, −½(|z|² + 2 log 2π) per row.
		{"GaussStd", tape.GaussianLogProbEachRow(c(2, 2, 3, 4, 0, 0), nil, nil),
			[]float64{-0.5 * (25 + 2*log2Pi), -log2Pi}},
		// a scalar log-variance broadcast over a row: v = log 4 → σ = 2.
		{"GaussScalarVar", tape.GaussianLogProbEachRow(c(1, 2, 2, -2), nil, c(1, 1, math.Log(4))),
			[]float64{-0.5 * (2*log2Pi + 2*math.Log(4) + 2)}},
		// ½(μ² + e^v − 1 − v): (1, 0) → ½; (0, log 2) → ½(1 − log 2); sum.
		{"KL", tape.KLStdNormalEachRow(c(1, 2, 1, 0), c(1, 2, 0, math.Ln2)),
			[]float64{0.5 + 0.5*(1-math.Ln2)}},
		{"RepeatRows", tape.RepeatRows(c(2, 2, 1, 2, 3, 4), 2), []float64{1, 2, 1, 2, 3, 4, 3, 4}},
		{"Reshape", tape.Reshape(c(2, 3, 1, 2, 3, 4, 5, 6), 3, 2), []float64{1, 2, 3, 4, 5, 6}},
	} {
		if len(tc.got.Val) != len(tc.want) {
			t.Errorf("test %d (%s): got %d values want %d", i, tc.name, len(tc.got.Val), len(tc.want))
			continue
		}
		for j, w := range tc.want {
			if g := tc.got.Val[j]; math.Abs(g-w) > tol*max(1, math.Abs(w)) {
				t.Errorf("test %d (%s) entry %d: got %v want %v", i, tc.name, j, g, w)
			}
		}
	}
	if r := tape.Reshape(c(2, 3, 1, 2, 3, 4, 5, 6), 3, 2); r.R != 3 || r.C != 2 {
		t.Errorf("Reshape: got %d×%d want 3×2", r.R, r.C)
	}
}

func TestVAEOpShapesPanic(t *testing.T) {
	t.Parallel()
	for i, f := range []func(t *Tape){
		func(t *Tape) { t.BCEWithLogitsEachRow(t.Zeros(2, 3), t.Zeros(2, 2)) },
		func(t *Tape) { t.GaussianLogProbEachRow(t.Zeros(2, 3), t.Zeros(2, 2), nil) },
		func(t *Tape) { t.GaussianLogProbEachRow(t.Zeros(2, 3), nil, t.Zeros(3, 3)) },
		func(t *Tape) { t.KLStdNormalEachRow(t.Zeros(2, 3), t.Zeros(2, 1)) },
		func(t *Tape) { t.RepeatRows(t.Zeros(2, 3), 0) },
		func(t *Tape) { t.Reshape(t.Zeros(2, 3), 4, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("test %d: no panic on a shape mismatch", i)
				}
			}()
			f(NewTape())
		}()
	}
}
