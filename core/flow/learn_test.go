package flow

import (
	"math"
	"testing"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/train"
)

// TestRealNVPLearnsDoubleGaussian trains the talk's flow — 8 affine
// couplings, here with 32 hidden units to keep the test quick — by maximum
// likelihood on the talk's double Gaussian and checks the forward KL
// divergence to the exact density on held-out samples.
func TestRealNVPLearnsDoubleGaussian(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for 1500 steps; skipped with -short")
	}
	t.Parallel()
	target, err := data.Lookup("double-gaussian")
	if err != nil {
		t.Fatal(err)
	}
	exact := target.(data.Exact)
	f, err := New(Spec{Model: "realnvp", Dim: 2, Layers: 8, Hidden: 32}, nn.NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	const batch, steps = 256, 1500
	rng := nn.NewRNG(1, 1)
	buf := make([]float64, 2*batch)
	tr := train.New(f.Params(), func(tp *ad.Tape) *ad.Node {
		target.Sample(rng, buf)
		return f.NLL(tp, tp.Const(batch, 2, buf))
	}, 3e-3)
	for tr.Steps() < steps {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	const n = 20000
	x := make([]float64, 2*n)
	target.Sample(nn.NewRNG(99, 0), x)
	lq := make([]float64, n)
	f.EvalLogProb(ad.NewTape(), x, lq, 4096)
	var kl, kl2 float64
	for i := 0; i < n; i++ {
		d := exact.LogProb(x[2*i], x[2*i+1]) - lq[i]
		kl += d
		kl2 += d * d
	}
	kl /= n
	se := math.Sqrt((kl2/n - kl*kl) / n)
	t.Logf("forward KL after %d steps: %.4f ± %.4f nats", steps, kl, se)
	// An untrained flow (the standard normal) is ~1.9 nats away; a flow that
	// has found both modes with the right widths is within a few hundredths.
	if kl > 0.03 {
		t.Errorf("forward KL %.4f nats, want ≤ 0.03", kl)
	}
}
