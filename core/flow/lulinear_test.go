package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
)

// TestLULinearInit: with an rng, W starts as a rotation (norms kept, log-det
// 0) with a pivoting permutation; without, it is the identity.
func TestLULinearInit(t *testing.T) {
	t.Parallel()
	// W = P·L·U rebuilt from the factors matches the rotation to rounding
	const tol = 1e-12
	const d, n = 5, 7
	rng := rand.New(rand.NewPCG(4, 4))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	l := NewLULinear("l", d, rng)
	tape := ad.NewTape()
	z, ld := l.Forward(tape, tape.Const(n, d, x))
	for i := range n {
		var nx, nz float64
		for j := range d {
			nx += x[i*d+j] * x[i*d+j]
			nz += z.At(i, j) * z.At(i, j)
		}
		if math.Abs(math.Sqrt(nx)-math.Sqrt(nz)) > tol || math.Abs(ld.Val[i]) > tol {
			t.Errorf("test %d: |x| %v |z| %v log-det %v, want equal norms and 0", i, math.Sqrt(nx), math.Sqrt(nz), ld.Val[i])
		}
	}
	t.Logf("pivoting permutation %v", l.Perm)
	id := NewLULinear("i", d, nil)
	z, _ = id.Forward(tape, tape.Const(n, d, x))
	for i, v := range z.Val {
		if v != x[i] {
			t.Fatalf("identity init: entry %d got %v want %v", i, v, x[i])
		}
	}
}
