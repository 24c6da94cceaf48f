package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
)

// TestPlanarRoot solves α + m·tanh(α + b) = s where it is hard: m near −1
// (slope near 0 at the ridge), large m, far-out s, large b.
func TestPlanarRoot(t *testing.T) {
	t.Parallel()
	// the residual of a root found to a few ulps of α, times a slope ≤ 1+|m|
	const tol = 1e-12
	for i, tc := range []struct{ s, m, b float64 }{
		{0, 0, 0}, {0.3, 0.5, -0.2}, {1e6, 3, 0}, {-1e6, 3, 1}, {0, -0.999999, 0},
		{1e-3, -0.999999, 0}, {-2, -0.9, 2}, {5, 50, -5}, {0, 50, 0}, {2, 1e-9, 300},
	} {
		a := planarRoot(tc.s, tc.m, tc.b)
		if r := a + tc.m*math.Tanh(a+tc.b) - tc.s; math.Abs(r) > tol*max(1, math.Abs(tc.s)) {
			t.Errorf("test %d: %+v: root %v leaves residual %v", i, tc, a, r)
		}
	}
}

// TestRadialRoot checks r + β·r/(α + r) = ρ at zero, tiny and huge radii and
// with β close to its limit −α.
func TestRadialRoot(t *testing.T) {
	t.Parallel()
	const tol = 1e-13
	for i, tc := range []struct{ rho, alpha, beta float64 }{
		{0, 1, 1}, {1e-12, 0.5, 2}, {1e8, 0.7, -0.3}, {1, 0.7, -0.7 + 1e-9}, {3, 1e-6, 5},
		{0.5, 2, 10}, {2, 0.3, 0},
	} {
		r := radialRoot(tc.rho, tc.alpha, tc.beta)
		if res := r + tc.beta*r/(tc.alpha+r) - tc.rho; r < 0 || math.Abs(res) > tol*max(1, tc.rho) {
			t.Errorf("test %d: %+v: root %v leaves residual %v", i, tc, r, res)
		}
	}
}

// TestPlanarRadialInvertNearSingular: the shared test's round trip with the
// invertibility constraint nearly active (ûᵀw → −1 for planar, β → −α for
// radial), where the inverse is steepest.
func TestPlanarRadialInvertNearSingular(t *testing.T) {
	t.Parallel()
	// near-singular maps amplify the root's rounding: 1e-7 relative
	const tol = 1e-7
	rng := rand.New(rand.NewPCG(8, 8))
	p := NewPlanar("p", 2, rng)
	p.W.Val[0], p.W.Val[1] = 1, 0.5
	p.U.Val[0], p.U.Val[1] = -30, 0 // wᵀu = −30: m = −1 + softplus(−30) ≈ −1 + 1e-13
	r := NewRadial("r", 2, rng)
	r.B.Val[0] = -30 // β = −α + softplus(−30)
	for ti, tr := range []Transform{p, r} {
		x := []float64{0, 0, 0.1, -0.2, 3, 1, -5, 4, 1e-3, 1e-3}
		tape := ad.NewTape()
		z, _ := tr.Forward(tape, tape.Const(5, 2, x))
		back, _ := tr.Inverse(tape, z)
		for i, v := range x {
			if math.Abs(back.Val[i]-v) > tol*max(1, math.Abs(v)) || math.IsNaN(back.Val[i]) {
				t.Errorf("test %d: entry %d got %v want %v", ti, i, back.Val[i], v)
			}
		}
	}
}
