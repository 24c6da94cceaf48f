package flow

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"likelab/core/ad"
)

// TestAutoregressiveJacobianIsTriangular checks the autoregressive property
// of MAF and IAF layers on the transforms themselves: with a numerical
// Jacobian, ∂z_i/∂x_j is exactly zero for j > i (a masked path contributes
// exact zeros, so central differences see no change at all) and not zero for
// j ≤ i, in both directions.
func TestAutoregressiveJacobianIsTriangular(t *testing.T) {
	t.Parallel()
	const d = 4
	for ti, tc := range []struct {
		name string
		tr   Transform
	}{
		{"MAF", NewMAF("m", d, []int{12, 12}, rand.New(rand.NewPCG(1, 2)))},
		{"IAF", Invert{NewMAF("m", d, []int{12, 12}, rand.New(rand.NewPCG(3, 4)))}},
	} {
		rng := rand.New(rand.NewPCG(uint64(ti), 9))
		perturb(tc.tr.Params(), rng, 0.3)
		for _, inverse := range []bool{false, true} {
			// ReLU units can all be off around one point, so a dependence
			// allowed by the masks need only show at one of a few points
			var seen [d][d]bool
			for range 5 {
				x := make([]float64, d)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				jac := mat.NewDense(d, d, nil)
				fd.Jacobian(jac, func(y, xx []float64) {
					tape := ad.NewTape()
					tape.NoGrad = true
					var out *ad.Node
					if inverse {
						out, _ = tc.tr.Inverse(tape, tape.Const(1, d, xx))
					} else {
						out, _ = tc.tr.Forward(tape, tape.Const(1, d, xx))
					}
					copy(y, out.Val)
				}, x, &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						v := jac.At(i, j)
						if j > i && v != 0 {
							t.Errorf("test %d (%s, inverse=%v): ∂z%d/∂x%d got %v want 0", ti, tc.name, inverse, i, j, v)
						}
						seen[i][j] = seen[i][j] || v != 0
					}
				}
			}
			for i := 0; i < d; i++ {
				for j := 0; j <= i; j++ {
					if !seen[i][j] {
						t.Errorf("test %d (%s, inverse=%v): ∂z%d/∂x%d is 0 everywhere: the layer ignores an input it may use", ti, tc.name, inverse, i, j)
					}
				}
			}
		}
	}
}

// TestMAFFirstDimensionIsFixedAffine: in 2D the first dimension's scale and
// shift come from biases alone, so z0 is the same affine map of x0 whatever
// x1 is, and dimension 1 does depend on x0.
func TestMAFFirstDimensionIsFixedAffine(t *testing.T) {
	t.Parallel()
	m := NewMAF("m", 2, []int{8, 8}, rand.New(rand.NewPCG(5, 5)))
	perturb(m.Params(), rand.New(rand.NewPCG(6, 6)), 0.5)
	tape := ad.NewTape()
	x := []float64{0.3, -1, 0.3, 2, 0.3, 7}
	z, _ := m.Forward(tape, tape.Const(3, 2, x))
	if z.At(0, 0) != z.At(1, 0) || z.At(0, 0) != z.At(2, 0) {
		t.Errorf("z0 depends on x1: %v %v %v", z.At(0, 0), z.At(1, 0), z.At(2, 0))
	}
	x = []float64{0.3, 1, -2, 1}
	z, _ = m.Forward(tape, tape.Const(2, 2, x))
	if z.At(0, 1) == z.At(1, 1) {
		t.Errorf("z1 does not depend on x0")
	}
}
