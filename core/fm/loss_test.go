package fm

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
)

// TestLossByHand recomputes the CFM and OT-CFM losses from the same random
// draws, in the order Loss documents: all of x0, then t row by row.
func TestLossByHand(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		ot   bool
		skew float64
	}{{false, 0}, {true, 0}, {false, 2}} {
		ot := tc.ot
		spec := Spec{Dim: 2, Hidden: 8, Layers: 2, Activation: "tanh", TimeFreqs: 2, Std: 0.7, OT: ot, TimeSkew: tc.skew, Solver: "euler", NFE: 1}
		m := randomModel(t, spec, 5)
		const n = 9
		x1 := make([]float64, 2*n)
		data := rand.New(rand.NewPCG(6, 6))
		for k := range x1 {
			x1[k] = 1.5 + data.NormFloat64()
		}
		tape := ad.NewTape()
		got := m.Loss(tape, x1, rand.New(rand.NewPCG(7, 7))).Scalar()

		rng := rand.New(rand.NewPCG(7, 7))
		x0 := make([]float64, 2*n)
		for k := range x0 {
			x0[k] = 0.7 * rng.NormFloat64()
		}
		if ot {
			perm := Pair(x0, x1, 2, nil)
			p := make([]float64, 2*n)
			for r, j := range perm {
				copy(p[2*r:2*r+2], x0[2*j:2*j+2])
			}
			x0 = p
		}
		cnf := m.CNF()
		want := 0.0
		for r := range n {
			tt := rng.Float64()
			if tc.skew > 0 {
				tt = 1 - math.Pow(1-tt, 1+tc.skew)
			}
			psi := []float64{(1-tt)*x0[2*r] + tt*x1[2*r], (1-tt)*x0[2*r+1] + tt*x1[2*r+1]}
			v := make([]float64, 2)
			cnf.Velocity(psi, tt, v)
			for c := range 2 {
				e := v[c] - (x1[2*r+c] - x0[2*r+c])
				want += e * e
			}
		}
		want /= n
		// the same arithmetic in a different order: rounding only
		if math.Abs(got-want) > 1e-12*want {
			t.Errorf("test %d (ot %v): got loss %v want %v", i, ot, got, want)
		}
	}
}

// TestLossGradient checks the parameters' gradient of the loss against
// central differences with the random draws held fixed.
func TestLossGradient(t *testing.T) {
	t.Parallel()
	spec := Spec{Dim: 2, Hidden: 6, Layers: 2, Activation: "softplus", TimeFreqs: 1, SpaceFreqs: 2, Std: 1, OT: true, Solver: "euler", NFE: 1}
	m := randomModel(t, spec, 9)
	x1 := []float64{1, 2, -1, 0.5, 0.3, -2, 2, 2}
	tape := ad.NewTape()
	loss := func() float64 {
		tape.Reset()
		return m.Loss(tape, x1, rand.New(rand.NewPCG(3, 3))).Scalar()
	}
	tape.Reset()
	tape.Backward(m.Loss(tape, x1, rand.New(rand.NewPCG(3, 3))))
	// central differences at h = 1e-6: O(h²) truncation and ~1e-10 rounding
	const h, tol = 1e-6, 1e-6
	for _, p := range m.Params() {
		for k := range p.Val {
			v := p.Val[k]
			p.Val[k] = v + h
			lp := loss()
			p.Val[k] = v - h
			lm := loss()
			p.Val[k] = v
			want := (lp - lm) / (2 * h)
			if math.Abs(p.Grad[k]-want) > tol*max(1, math.Abs(want)) {
				t.Errorf("%s[%d]: got gradient %v want %v", p.Name, k, p.Grad[k], want)
			}
		}
	}
}

func TestSpecValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultSpec().Validate(); err != nil {
		t.Fatalf("default spec: %v", err)
	}
	for i, f := range []func(*Spec){
		func(s *Spec) { s.Dim = 0 },
		func(s *Spec) { s.Layers = MaxLayers + 1 },
		func(s *Spec) { s.Hidden = 0 },
		func(s *Spec) { s.TimeFreqs = -1 },
		func(s *Spec) { s.SpaceFreqs = MaxSpaceFreqs + 1 },
		func(s *Spec) { s.Std = 0 },
		func(s *Spec) { s.TimeSkew = -1 },
		func(s *Spec) { s.Std = math.NaN() },
		func(s *Spec) { s.NFE = 0 },
		func(s *Spec) { s.Solver = "heun" },
		func(s *Spec) { s.Activation = "gelu" },
	} {
		s := DefaultSpec()
		f(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("test %d: %+v accepted", i, s)
		}
		if _, err := New(s, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("test %d: New accepted %+v", i, s)
		}
	}
}
