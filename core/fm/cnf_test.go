package fm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"likelab/core/ad"
	"likelab/core/nn"
)

// linearField is v(x, t) = a(t)·A·x with a(t) = 1 + t: its flow map from 0
// to 1 is x ↦ exp(1.5·A)·x, so a Gaussian base stays Gaussian in closed form.
type linearField struct {
	a   []float64 // D×D, row-major
	d   int
	col []float64
}

func (f *linearField) Dim() int { return f.d }

func (f *linearField) Velocity(t *ad.Tape, x *ad.Node, ts []float64) *ad.Node {
	s := t.Input(x.R, 1)
	for i, tt := range ts {
		s.Val[i] = 1 + tt
	}
	return t.Mul(t.MatMulT(x, t.Const(f.d, f.d, f.a), false, true), s)
}

// gaussLogProb is log N(x; 0, cov).
func gaussLogProb(x []float64, cov *mat.SymDense) float64 {
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		panic("covariance not positive definite")
	}
	d := len(x)
	var sol mat.VecDense
	if err := ch.SolveVecTo(&sol, mat.NewVecDense(d, x)); err != nil {
		panic(err)
	}
	return -0.5*mat.Dot(mat.NewVecDense(d, x), &sol) - 0.5*ch.LogDet() - 0.5*float64(d)*math.Log(2*math.Pi)
}

// TestLogProbLinearFieldClosedForm is the known answer: a linear
// velocity field carries N(0, σ²I) to N(0, σ²·M·Mᵀ), M = exp(∫a dt·A), and
// the exact ODE log-likelihood with RK4 must match log N(x; 0, σ²MMᵀ) to 1e-4.
func TestLogProbLinearFieldClosedForm(t *testing.T) {
	t.Parallel()
	// 1e-4 is the bar; RK4 with 40 steps on a field of norm ≈ 1
	// is accurate to ~1e-8 here, so the test has room without being loose.
	const tol = 1e-4
	for i, tc := range []struct {
		a   []float64
		std float64
	}{
		{[]float64{-0.3, 0.8, -0.5, 0.2}, 1},  // rotation with shear
		{[]float64{0.4, 0.1, 0.0, -0.7}, 0.5}, // stretch one way, squeeze the other
		{[]float64{0.2, -0.1, 0.3, 0.1, 0.0, 0.4, -0.2, 0.3, -0.3}, 1.5},
	} {
		d := int(math.Sqrt(float64(len(tc.a))))
		f := &linearField{a: tc.a, d: d}
		var e mat.Dense
		e.Exp(mat.NewDense(d, d, floatsScaled(tc.a, 1.5)))
		var cov mat.Dense
		cov.Mul(&e, e.T())
		cov.Scale(tc.std*tc.std, &cov)
		sym := mat.NewSymDense(d, nil)
		for r := range d {
			for c := range d {
				sym.SetSym(r, c, (cov.At(r, c)+cov.At(c, r))/2)
			}
		}
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		const n = 50
		x := make([]float64, n*d)
		for k := range x {
			x[k] = 2 * tc.std * rng.NormFloat64()
		}
		cnf := NewCNF(f, tc.std)
		got := make([]float64, n)
		if nfe := cnf.LogProb(x, got, RK4, 40, nil); nfe != 160 {
			t.Errorf("test %d: got NFE %d want 160", i, nfe)
		}
		for k := range n {
			want := gaussLogProb(x[k*d:(k+1)*d], sym)
			if math.Abs(got[k]-want) > tol {
				t.Errorf("test %d point %d: got log p %v want %v", i, k, got[k], want)
			}
		}
		// Sampling is the same map forwards: the sample covariance of many
		// draws approaches σ²MMᵀ (4000 draws: ~3% relative standard error).
		const ns = 4000
		s := make([]float64, ns*d)
		cnf.Sample(rng, s, RK4, 20)
		for r := range d {
			for c := range d {
				m := 0.0
				for k := range ns {
					m += s[k*d+r] * s[k*d+c]
				}
				m /= ns
				if w := sym.At(r, c); math.Abs(m-w) > 0.12*math.Sqrt(sym.At(r, r)*sym.At(c, c)) {
					t.Errorf("test %d: sample covariance (%d,%d) = %v want %v", i, r, c, m, w)
				}
			}
		}
	}
}

func floatsScaled(a []float64, k float64) []float64 {
	out := make([]float64, len(a))
	for i, v := range a {
		out[i] = k * v
	}
	return out
}

// randomModel is a small velocity network with every layer random (New
// zeroes the output layer, which would make v ≡ 0).
func randomModel(t *testing.T, spec Spec, seed uint64) *Model {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	m, err := New(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	last := m.Layers[len(m.Layers)-1]
	nn.GlorotUniform(last.W, rng)
	for i := range last.B.Val {
		last.B.Val[i] = 0.1 * rng.NormFloat64()
	}
	return m
}

// TestDivergenceMatchesFiniteDifferences checks the exact divergence through
// the tape against central differences of the velocity, for every activation.
func TestDivergenceMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	// central differences with h = 1e-5 on a smooth net: truncation ~h²,
	// rounding ~1e-16/h ≈ 1e-11; 1e-6 has a wide margin.
	const h, tol = 1e-5, 1e-6
	for i, act := range Activations {
		spec := Spec{Dim: 3, Hidden: 16, Layers: 2, Activation: act, TimeFreqs: 2, SpaceFreqs: i % 3, Std: 1, Solver: "euler", NFE: 1}
		m := randomModel(t, spec, uint64(i)+10)
		cnf := m.CNF()
		rng := rand.New(rand.NewPCG(1, 2))
		const n = 7
		x := make([]float64, n*3)
		for k := range x {
			x[k] = rng.NormFloat64()
		}
		tt := 0.37
		v, div := make([]float64, n*3), make([]float64, n)
		cnf.Divergence(x, tt, nil, v, div)
		plain := make([]float64, n*3)
		cnf.Velocity(x, tt, plain)
		vp, vm := make([]float64, n*3), make([]float64, n*3)
		for k := range n {
			want := 0.0
			for j := range 3 {
				xp := append([]float64(nil), x...)
				xm := append([]float64(nil), x...)
				xp[k*3+j] += h
				xm[k*3+j] -= h
				cnf.Velocity(xp, tt, vp)
				cnf.Velocity(xm, tt, vm)
				want += (vp[k*3+j] - vm[k*3+j]) / (2 * h)
			}
			if math.Abs(div[k]-want) > tol {
				t.Errorf("test %d (%s) point %d: got divergence %v want %v", i, act, k, div[k], want)
			}
			for j := range 3 {
				if v[k*3+j] != plain[k*3+j] {
					t.Errorf("test %d (%s): Divergence's velocity %v differs from Velocity's %v", i, act, v[k*3+j], plain[k*3+j])
				}
			}
		}
		for _, p := range m.Params() {
			for _, g := range p.Grad {
				if g != 0 {
					t.Fatalf("test %d (%s): a likelihood pass wrote into the gradient of %s", i, act, p.Name)
				}
			}
		}
	}
}

// TestHutchinsonIsUnbiased averages Hutchinson's estimate over many probes
// and compares it with the exact divergence.
func TestHutchinsonIsUnbiased(t *testing.T) {
	t.Parallel()
	spec := Spec{Dim: 4, Hidden: 16, Layers: 2, Activation: "tanh", TimeFreqs: 1, Std: 1, Solver: "euler", NFE: 1}
	m := randomModel(t, spec, 3)
	exact, est := m.CNF(), m.CNF()
	const probes = 4000
	est.Probes = probes
	rng := rand.New(rand.NewPCG(4, 4))
	const n = 3
	x := make([]float64, n*4)
	for k := range x {
		x[k] = rng.NormFloat64()
	}
	v, want, got := make([]float64, n*4), make([]float64, n), make([]float64, n)
	exact.Divergence(x, 0.5, nil, v, want)
	est.Divergence(x, 0.5, rng, v, got)
	// With Rademacher probes the estimator's variance is 2·Σ_{i≠j} J_ij²
	// (a few units here); over 4000 probes the standard error is ≲ 0.05, and
	// 0.2 is four of them.
	for k := range n {
		if math.Abs(got[k]-want[k]) > 0.2 {
			t.Errorf("point %d: got Hutchinson estimate %v want ≈ %v", k, got[k], want[k])
		}
	}
	// one probe per point still gives a log-density (noisy, finite)
	est.Probes = 1
	lp := make([]float64, n)
	est.LogProb(x, lp, Euler, 4, rng)
	for k, v := range lp {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("point %d: Hutchinson log-density %v", k, v)
		}
	}
}

// TestLogProbIntegratesToOne sums the density of a trained-looking random
// field over a fine grid: a CNF is a normalised density whatever its field.
func TestLogProbIntegratesToOne(t *testing.T) {
	t.Parallel()
	spec := Spec{Dim: 2, Hidden: 16, Layers: 2, Activation: "softplus", TimeFreqs: 2, Std: 1, Solver: "rk4", NFE: 1}
	m := randomModel(t, spec, 8)
	cnf := m.CNF()
	const side, half = 80, 6.0
	cell := 2 * half / side
	x := make([]float64, 0, 2*side*side)
	for i := range side {
		for j := range side {
			x = append(x, -half+(float64(i)+0.5)*cell, -half+(float64(j)+0.5)*cell)
		}
	}
	lp := make([]float64, side*side)
	cnf.LogProb(x, lp, RK4, 8, nil)
	mass := 0.0
	for _, v := range lp {
		mass += math.Exp(v) * cell * cell
	}
	// Measured 1 − 2e-7: the midpoint rule at cell 0.15 on a smooth density
	// and RK4's error are both far below 1e-3, and so are the tails beyond ±6.
	if math.Abs(mass-1) > 1e-3 {
		t.Errorf("the density integrates to %v, want 1", mass)
	}
}
