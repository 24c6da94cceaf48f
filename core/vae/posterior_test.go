package vae

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"likelab/core/ad"
	"likelab/core/nn"
)

// smallVAE returns a randomly initialised small VAE with the given posterior,
// its parameters perturbed so that no head starts at a special value.
func smallVAE(t *testing.T, lik, posterior string, seed uint64) *VAE {
	t.Helper()
	rng := nn.NewRNG(seed, 0)
	v, err := New(Spec{Width: 3, Height: 2, Channels: 1, Latent: 3, Hidden: []int{5}, Activation: "tanh",
		Likelihood: lik, Posterior: posterior, FlowLayers: 3, FlowHidden: 4}, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range v.Params() {
		for i := range p.Val {
			p.Val[i] += 0.3 * rng.NormFloat64()
		}
	}
	return v
}

// TestFlowLogDetNumerically compares each posterior flow's log|det ∂z/∂z0|
// with the log-determinant of its Jacobian by central differences, at
// random codes and conditionings.
func TestFlowLogDetNumerically(t *testing.T) {
	t.Parallel()
	// Central differences with step 1e-6 on an O(1) smooth map: the Jacobian
	// entries are good to about 1e-9, and so is the log-determinant of a
	// well-conditioned 3×3 Jacobian; 1e-7 leaves a margin.
	const tol = 1e-7
	for i, post := range []string{"planar", "iaf", "realnvp"} {
		v := smallVAE(t, "bernoulli", post, uint64(i)+1)
		rng := nn.NewRNG(uint64(i)+10, 0)
		for trial := 0; trial < 5; trial++ {
			tape := ad.NewTape()
			h := make([]float64, v.Spec.Hidden[0])
			for j := range h {
				h[j] = rng.NormFloat64()
			}
			cond := append([]float64(nil), v.Flow.Cond(tape, tape.Const(1, len(h), h)).Val...)
			apply := func(z0 []float64) ([]float64, float64) {
				tape.Reset()
				c := tape.Const(1, len(cond), cond)
				z, ld := v.Flow.Apply(tape, tape.Const(1, len(z0), append([]float64(nil), z0...)), c)
				return append([]float64(nil), z.Val...), ld.Val[0]
			}
			z0 := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
			_, ld := apply(z0)
			d := len(z0)
			jac := mat.NewDense(d, d, nil)
			fd.Jacobian(jac, func(dst, x []float64) {
				z, _ := apply(x)
				copy(dst, z)
			}, z0, &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})
			logAbsDet, _ := mat.LogDet(jac)
			if math.Abs(logAbsDet-ld) > tol {
				t.Errorf("test %d (%s) trial %d: log-det got %v want %v", i, post, trial, ld, logAbsDet)
			}
		}
	}
}

// TestLossGradients checks the gradient of the whole training loss with
// respect to every parameter against central differences, for each
// likelihood and posterior, with the noise fixed by reseeding.
func TestLossGradients(t *testing.T) {
	t.Parallel()
	// As in core/ad's TestGradients: step 1e-6, rounding ~1e-10 relative.
	const tol = 1e-6
	for i, tc := range []struct{ lik, post string }{
		{"bernoulli", "gaussian"}, {"gaussian", "gaussian"}, {"bernoulli", "planar"}, {"gaussian", "iaf"}, {"bernoulli", "realnvp"},
	} {
		v := smallVAE(t, tc.lik, tc.post, uint64(i)+20)
		rng := nn.NewRNG(uint64(i)+30, 0)
		x := make([]float64, 4*v.Spec.Input())
		for j := range x {
			x[j] = rng.Float64()
		}
		tape := ad.NewTape()
		loss := func() float64 {
			tape.Reset()
			l, _ := v.Loss(tape, tape.Const(4, v.Spec.Input(), x), 0.7, nn.NewRNG(99, 0))
			return l.Scalar()
		}
		ps := v.Params()
		nn.ZeroGrad(ps)
		tape.Reset()
		l, _ := v.Loss(tape, tape.Const(4, v.Spec.Input(), x), 0.7, nn.NewRNG(99, 0))
		tape.Backward(l)
		for _, p := range ps {
			want := make([]float64, len(p.Val))
			fd.Gradient(want, func(y []float64) float64 {
				saved := append([]float64(nil), p.Val...)
				copy(p.Val, y)
				f := loss()
				copy(p.Val, saved)
				return f
			}, append([]float64(nil), p.Val...), &fd.Settings{Formula: fd.Central, Step: 1e-6})
			for j := range want {
				if d := math.Abs(p.Grad[j] - want[j]); d > tol*max(1, math.Abs(want[j])) {
					t.Errorf("test %d (%s/%s): %s[%d]: got gradient %v want %v", i, tc.lik, tc.post, p.Name, j, p.Grad[j], want[j])
				}
			}
		}
	}
}

// TestIWAEOneSampleIsTheELBOEstimate: with k = 1 the bound is log w of a
// single sample, which is the ELBO estimate with the sampled KL at the same
// noise — equal to rounding.
func TestIWAEOneSampleIsTheELBOEstimate(t *testing.T) {
	t.Parallel()
	const tol = 1e-12 // the same sums in a different grouping
	for i, post := range Posteriors {
		v := smallVAE(t, "bernoulli", post, uint64(i)+40)
		x := make([]float64, 6*v.Spec.Input())
		rng := nn.NewRNG(7, 7)
		for j := range x {
			x[j] = float64(rng.IntN(2))
		}
		tape := ad.NewTape()
		p := v.elbo(tape, tape.Const(6, v.Spec.Input(), x), nn.NewRNG(11, 0), false)
		elbo := make([]float64, 6)
		for r := range elbo {
			elbo[r] = -(p.Rec.Val[r] + p.KL.Val[r])
		}
		tape2 := ad.NewTape()
		iw := IWAE(tape2, v.LogWeights(tape2, tape2.Const(6, v.Spec.Input(), x), 1, nn.NewRNG(11, 0)))
		got := make([]float64, 6)
		v.EvalIWAE(x, 1, nn.NewRNG(11, 0), got)
		for r := range elbo {
			if math.Abs(iw.Val[r]-elbo[r]) > tol || math.Abs(got[r]-elbo[r]) > tol {
				t.Errorf("test %d (%s) row %d: IWAE k=1 got %v (tape) and %v (EvalIWAE) want %v", i, post, r, iw.Val[r], got[r], elbo[r])
			}
		}
	}
}

// TestEvalIWAEPassesMatchOneTape: for one image and k larger than one pass
// holds, EvalIWAE's running log-sum-exp over passes equals the bound taken
// on one tape over the same draws.
func TestEvalIWAEPassesMatchOneTape(t *testing.T) {
	t.Parallel()
	// log-sum-exp of ~5000 terms combined in two groups vs one: ~1e-13.
	const tol = 1e-10
	for i, post := range Posteriors {
		v := smallVAE(t, "gaussian", post, uint64(i)+50)
		x := make([]float64, v.Spec.Input())
		for j := range x {
			x[j] = float64(j) / float64(len(x))
		}
		k := evalRows + 904
		got := make([]float64, 1)
		v.EvalIWAE(x, k, nn.NewRNG(13, 0), got)
		tape := ad.NewTape()
		tape.NoGrad = true
		want := IWAE(tape, v.LogWeights(tape, tape.Const(1, len(x), x), k, nn.NewRNG(13, 0))).Val[0]
		if math.Abs(got[0]-want) > tol {
			t.Errorf("test %d (%s): got %v want %v", i, post, got[0], want)
		}
	}
}

func TestSpecValidate(t *testing.T) {
	t.Parallel()
	ok := Spec{Width: 28, Height: 28, Channels: 1, Latent: 20, Hidden: []int{400}, Likelihood: "bernoulli"}.WithDefaults()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid spec: %v", err)
	}
	for i, tc := range []struct {
		edit func(*Spec)
		want string
	}{
		{func(s *Spec) { s.Width = 0 }, "image size"},
		{func(s *Spec) { s.Channels = 5 }, "channels"},
		{func(s *Spec) { s.Latent = 0 }, "latent size"},
		{func(s *Spec) { s.Hidden = nil }, "hidden layers"},
		{func(s *Spec) { s.Hidden = []int{0} }, "hidden size"},
		{func(s *Spec) { s.Activation = "gelu" }, "activation"},
		{func(s *Spec) { s.Likelihood = "poisson" }, "likelihood"},
		{func(s *Spec) { s.Sigma = math.NaN() }, "σ"},
		{func(s *Spec) { s.Posterior = "nsf" }, "posterior"},
		{func(s *Spec) { s.Posterior, s.FlowLayers = "planar", 0 }, "flow layers"},
		{func(s *Spec) { s.Posterior, s.FlowLayers, s.FlowHidden = "iaf", 2, 0 }, "flow hidden"},
	} {
		s := ok
		s.Hidden = append([]int(nil), ok.Hidden...)
		tc.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("test %d: got %v want an error about %q", i, err, tc.want)
		}
	}
}
