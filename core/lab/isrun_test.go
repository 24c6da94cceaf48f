package lab

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/nn"
)

func energy(t testing.TB, name string) *data.Energy {
	t.Helper()
	e, err := data.LookupEnergy(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEnergyNode: the node's value is log p̃ and backpropagation through it
// gives the energy's gradient.
func TestEnergyNode(t *testing.T) {
	t.Parallel()
	const tol = 1e-12 // c + g·x re-adds what c subtracted: a few ulps of |g·x|
	for _, name := range data.EnergyNames {
		e := energy(t, name)
		rng := rand.New(rand.NewPCG(1, 1))
		const n = 50
		val, grad := make([]float64, 2*n), make([]float64, 2*n)
		for i := range val {
			val[i] = 3 * rng.NormFloat64()
		}
		tp := ad.NewTape()
		x := tp.Param(n, 2, val, grad)
		out := EnergyNode(tp, e, x)
		tp.Backward(tp.Sum(out))
		for i := 0; i < n; i++ {
			v, gx, gy := e.LogUnnormGrad(val[2*i], val[2*i+1])
			if math.Abs(out.Val[i]-v) > tol*max(1, math.Abs(v), math.Abs(gx*val[2*i])+math.Abs(gy*val[2*i+1])) {
				t.Errorf("%s row %d: value %v want %v", name, i, out.Val[i], v)
			}
			if grad[2*i] != gx || grad[2*i+1] != gy {
				t.Errorf("%s row %d: gradient (%v, %v) want (%v, %v)", name, i, grad[2*i], grad[2*i+1], gx, gy)
			}
		}
	}
}

// TestReverseKLGradient checks both estimators of the reverse-KL gradient
// against central differences on the same base draws. The plain one,
// through the flow's own log q, is the derivative of the loss; the
// "sticking the landing" one that training uses is that minus the score
// term ∂/∂θ mean(log q_θ(x)) at fixed x.
func TestReverseKLGradient(t *testing.T) {
	t.Parallel()
	// step 1e-6 on a loss of order 1: truncation ~1e-12·L''', rounding
	// ~1e-16/1e-6 = 1e-10; 1e-6 relative leaves room for both.
	const h, tol = 1e-6, 1e-6
	for i, model := range []string{"realnvp", "nsf"} {
		r, err := NewISRun(flow.Spec{Model: model, Dim: 2, Layers: 2, Hidden: 8}, energy(t, "u1"), 1e-3, 32, 5)
		if err != nil {
			t.Fatal(err)
		}
		ps := r.Flow.Params()
		prng := rand.New(rand.NewPCG(9, 9))
		for _, p := range ps {
			for j := range p.Val {
				p.Val[j] += 0.1 * prng.NormFloat64()
			}
		}
		// gradient of one estimator on the fixed draws
		grads := func(naive bool) [][]float64 {
			r.naive = naive
			r.rng = nn.NewRNG(5, streamData)
			nn.ZeroGrad(ps)
			tp := ad.NewTape()
			tp.Backward(r.loss(tp))
			var g [][]float64
			for _, p := range ps {
				g = append(g, append([]float64(nil), p.Grad...))
			}
			return g
		}
		full, stl := grads(true), grads(false)
		noGrad := ad.NewTape()
		noGrad.NoGrad = true
		loss := func() float64 {
			r.rng = nn.NewRNG(5, streamData) // the same base draws each time
			noGrad.Reset()
			return r.loss(noGrad).Scalar()
		}
		noGrad.Reset()
		r.rng = nn.NewRNG(5, streamData)
		x0 := append([]float64(nil), r.Flow.Sample(noGrad, r.rng, r.Batch).Val...)
		meanLogQ := func() float64 { // at the fixed points x0
			lq := make([]float64, r.Batch)
			r.Flow.EvalLogProb(ad.NewTape(), x0, lq, r.Batch)
			return mean(lq)
		}
		checked := 0
		for k, p := range ps {
			for j := 0; j < len(p.Val); j += max(1, len(p.Val)/3) {
				old := p.Val[j]
				p.Val[j] = old + h
				up, qUp := loss(), meanLogQ()
				p.Val[j] = old - h
				down, qDown := loss(), meanLogQ()
				p.Val[j] = old
				want := (up - down) / (2 * h)
				if math.Abs(full[k][j]-want) > tol*max(1, math.Abs(want)) {
					t.Errorf("test %d (%s) %s[%d]: got %v want %v", i, model, p.Name, j, full[k][j], want)
				}
				want -= (qUp - qDown) / (2 * h)
				if math.Abs(stl[k][j]-want) > tol*max(1, math.Abs(want)) {
					t.Errorf("test %d (%s) %s[%d], sticking the landing: got %v want %v", i, model, p.Name, j, stl[k][j], want)
				}
				checked++
			}
		}
		if checked < 10 {
			t.Errorf("test %d: only %d gradients checked", i, checked)
		}
	}
}

// TestDecayOver: the rate follows the half cosine, and a rollback's halving
// is kept.
func TestDecayOver(t *testing.T) {
	t.Parallel()
	r, err := NewISRun(flow.Spec{Model: "realnvp", Dim: 2, Layers: 2, Hidden: 4}, energy(t, "banana"), 1e-2, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.DecayOver(4)
	const tol = 1e-15
	for k, want := range []float64{1e-2, 1e-2 * (1 + math.Sqrt2/2) / 2, 5e-3} {
		r.setLR()
		if math.Abs(r.Trainer.Opt.LR-want) > tol {
			t.Errorf("test %d: got rate %v want %v", k, r.Trainer.Opt.LR, want)
		}
		if _, err := r.Trainer.Step(); err != nil {
			t.Fatal(err)
		}
	}
	r.Trainer.Opt.LR /= 2 // as Trainer.recover does
	r.setLR()
	if want := 1e-2 * (1 - math.Sqrt2/2) / 2 / 2; math.Abs(r.Trainer.Opt.LR-want) > tol {
		t.Errorf("after a rollback: got rate %v want %v", r.Trainer.Opt.LR, want)
	}
}

// TestISAcceptance is issue 3's acceptance test: a flow trained by reverse
// KL to an energy with a known integral (the banana, Rosenbrock's valley:
// log Z in closed form) estimates log Z within 0.05 of the truth with
// 10 000 draws, with an ESS at least 10× the moment-matched Gaussian's.
// Measured: log Z off by 0.0012, ESS 97.5% against the Gaussian's 5.4%
// (18×); 32 s of CPU.
func TestISAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a flow for about a minute")
	}
	t.Parallel()
	const steps = 2000
	e := energy(t, "banana")
	r, err := NewISRun(flow.Spec{Model: "realnvp", Dim: 2, Layers: 6, Hidden: 64}, e, 2e-3, 256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.DecayOver(steps)
	for r.Trainer.Steps() < steps {
		if _, err := r.Trainer.Step(); err != nil {
			t.Log(err)
		}
	}
	rep, err := EvaluateIS(r.Flow, e, 10_000, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("flow: %+v; Gaussian: %+v; true log Z %v", rep.Result, rep.Gaussian, rep.TrueLogZ)
	if d := math.Abs(rep.LogZ - rep.TrueLogZ); d > 0.05 {
		t.Errorf("flow IS estimate %v is %v from the true log Z %v (want ≤ 0.05)", rep.LogZ, d, rep.TrueLogZ)
	}
	if rep.ESS < 10*rep.Gaussian.ESS {
		t.Errorf("flow ESS %v is less than 10× the Gaussian's %v", rep.ESS, rep.Gaussian.ESS)
	}
}
