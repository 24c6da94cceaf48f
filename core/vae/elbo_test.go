package vae

import (
	"math"
	"testing"

	"likelab/core/ad"
	"likelab/core/nn"
)

// handVAE is a VAE with weights set by hand: on x = (x0, x1) the encoder
// gives μ = (x0 + x1)/2 and σ² = 0.64; the decoder ignores z and gives the
// Bernoulli means (1/2, 3/4) (logits 0 and log 3), or those Gaussian means.
func handVAE(t *testing.T, likelihood string, sigma float64) *VAE {
	t.Helper()
	v, err := New(Spec{Width: 2, Height: 1, Channels: 1, Latent: 1, Hidden: []int{1}, Likelihood: likelihood, Sigma: sigma}, nn.NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	set := func(p *nn.Param, vals ...float64) { copy(p.Val, vals) }
	set(v.Enc.Layers[0].W, 1, 1)
	set(v.Enc.Layers[0].B, 0)
	set(v.Mu.W, 0.5)
	set(v.Mu.B, 0)
	set(v.LogVar.W, 0)
	set(v.LogVar.B, math.Log(0.64))
	set(v.Dec.Layers[0].W, 0)
	set(v.Dec.Layers[0].B, 1)
	set(v.Dec.Layers[1].W, 0, 0)
	set(v.Dec.Layers[1].B, 0, math.Log(3))
	return v
}

// handTol: every expected value below is a handful of float64 operations on
// exact inputs; 1e-12 leaves room for a few ulps of rounding.
const handTol = 1e-12

func TestELBOPartsByHand(t *testing.T) {
	t.Parallel()
	x := []float64{1, 0, 1, 1}
	// μ = 0.5 and 1; σ² = 0.64. KL = ½(μ² + σ² − 1 − log σ²).
	kl := func(mu float64) float64 { return 0.5 * (mu*mu + 0.64 - 1 - math.Log(0.64)) }
	// Bernoulli: −log p = −log ½ − log(1 − ¾) = log 8 for (1, 0);
	// −log ½ − log ¾ = log(8/3) for (1, 1).
	// Gaussian with σ = 0.5: Σ ½(log 2π + log ¼ + (x − m)²/¼).
	g := func(d0, d1 float64) float64 {
		return 0.5*(2*math.Log(2*math.Pi)+2*math.Log(0.25)) + 0.5*(d0*d0+d1*d1)/0.25
	}
	for i, tc := range []struct {
		lik     string
		sigma   float64
		wantRec []float64
	}{
		{"bernoulli", 0, []float64{math.Log(8), math.Log(8.0 / 3)}},
		{"gaussian", 0.5, []float64{g(0.5, 0.75), g(0.5, 0.25)}},
	} {
		v := handVAE(t, tc.lik, tc.sigma)
		tape := ad.NewTape()
		p := v.ELBO(tape, tape.Const(2, 2, x), nn.NewRNG(3, 0))
		for r, want := range [][2]float64{{tc.wantRec[0], kl(0.5)}, {tc.wantRec[1], kl(1)}} {
			if got := p.Rec.Val[r]; math.Abs(got-want[0]) > handTol {
				t.Errorf("test %d (%s) row %d: Rec got %v want %v", i, tc.lik, r, got, want[0])
			}
			if got := p.KL.Val[r]; math.Abs(got-want[1]) > handTol {
				t.Errorf("test %d (%s) row %d: KL got %v want %v", i, tc.lik, r, got, want[1])
			}
		}
	}
}

// TestMonteCarloKLByHand checks the sampled KL at the sample itself: with
// z = μ + σε, log q(z) − log p(z) = −½ε² − log σ + ½z².
func TestMonteCarloKLByHand(t *testing.T) {
	t.Parallel()
	v := handVAE(t, "bernoulli", 0)
	tape := ad.NewTape()
	p := v.elbo(tape, tape.Const(1, 2, []float64{1, 1}), nn.NewRNG(5, 0), false)
	eps := nn.NewRNG(5, 0).NormFloat64() // the same draw
	z := 1 + 0.8*eps
	want := -0.5*eps*eps - math.Log(0.8) + 0.5*z*z
	if got := p.KL.Val[0]; math.Abs(got-want) > handTol {
		t.Errorf("got %v want %v", got, want)
	}
}

// TestIWAEConvergesToLogLikelihood uses the hand VAE, whose decoder ignores
// z: then p(x) = p(x|z) exactly, and the importance-weighted bound must
// approach it from below as k grows, while the ELBO stays a KL below.
func TestIWAEConvergesToLogLikelihood(t *testing.T) {
	t.Parallel()
	v := handVAE(t, "bernoulli", 0)
	x := []float64{1, 0}
	want := -math.Log(8)
	got := make([]float64, 1)
	// The weights p(z)/q(z) have finite variance here (σ_q² = 0.64 > ½σ_p²),
	// so the bound's gap at k = 20000 is O(1/k) and its noise O(1/√k):
	// about 1e-3 in total. 5e-3 is the tolerance; the ELBO's gap is the
	// KL, 0.5·(0.25 + 0.64 − 1 − log 0.64) ≈ 0.168.
	const tol = 5e-3
	v.EvalIWAE(x, 20000, nn.NewRNG(9, 0), got)
	if d := want - got[0]; d < -tol || d > tol {
		t.Errorf("IWAE k=20000: got %v want %v ± %v", got[0], want, tol)
	}
}
