package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/dist"
	"likelab/core/nn"
	"likelab/core/train"
)

// fit trains f by maximum likelihood for steps steps of batch samples drawn
// by sample (from rng stream 1 of seed 1), with Adam at lr.
func fit(t *testing.T, f *Flow, sample func(rng *rand.Rand, dst []float64), steps, batch int, lr float64) {
	t.Helper()
	rng := nn.NewRNG(1, 1)
	buf := make([]float64, f.Dim()*batch)
	tr := train.New(f.Params(), func(tp *ad.Tape) *ad.Node {
		sample(rng, buf)
		return f.NLL(tp, tp.Const(batch, f.Dim(), buf))
	}, lr)
	for tr.Steps() < steps {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
}

// forwardKL estimates KL(p‖q) = E_p[log p − log q] on 20 000 held-out 2D
// samples from p, with its standard error.
func forwardKL(f *Flow, sample func(rng *rand.Rand, dst []float64), logp func(x []float64) float64) (kl, se float64) {
	const n = 20000
	x := make([]float64, 2*n)
	sample(nn.NewRNG(99, 0), x)
	lq := make([]float64, n)
	f.EvalLogProb(ad.NewTape(), x, lq, 4096)
	var s, s2 float64
	for i := 0; i < n; i++ {
		d := logp(x[2*i:2*i+2]) - lq[i]
		s += d
		s2 += d * d
	}
	kl = s / n
	return kl, math.Sqrt((s2/n - kl*kl) / n)
}

// namedTarget returns a named 2D target's sampler and exact log-density.
func namedTarget(t *testing.T, name string) (func(*rand.Rand, []float64), func([]float64) float64) {
	t.Helper()
	target, err := data.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	exact := target.(data.Exact)
	return target.Sample, func(x []float64) float64 { return exact.LogProb(x[0], x[1]) }
}

// unseenMixture is issue 3's held-out target, the CLI acceptance test's: a
// 5-component mixture from dist.RandomMixture with means in [−3, 3]², drawn
// with seed 2026, which no flow here was tuned on.
func unseenMixture() *dist.GaussianMixture {
	return dist.RandomMixture(nn.NewRNG(2026, 0), 5, 2, -3, 3)
}

// TestZooLearns trains each family briefly, at a size that keeps each case
// to a few seconds of CPU, on a named 2D target with an exact density, and
// checks the forward KL divergence to it on held-out samples. An untrained
// flow (the standard normal) is ~1.9 nats from the double Gaussian. Each
// bound is the value measured at this seed (in the comment) with room for
// the wobble a different matrix kernel's rounding brings over a run (up to
// ~0.006 seen on issue 3's mixture); a flow that misses a mode or its width
// is tenths of a nat away.
func TestZooLearns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for seconds per family; skipped with -short")
	}
	t.Parallel()
	for _, tc := range []struct {
		model, target         string
		layers, hidden, steps int
		lr, maxKL             float64
	}{
		{"nsf", "double-gaussian", 4, 16, 800, 5e-3, 0.03},  // 0.014
		{"nsf", "moons", 4, 32, 1000, 3e-3, 0.05},           // 0.028
		{"maf", "double-gaussian", 8, 32, 1500, 3e-3, 0.06}, // 0.045
		// IAF's density is its slow direction: a smaller net, fewer steps
		{"iaf", "double-gaussian", 8, 16, 1000, 5e-3, 0.1}, // 0.067
		// a handful of parameters per layer: larger steps
		{"planar", "double-gaussian", 32, 1, 1000, 1e-2, 0.03}, // 0.017
		{"radial", "double-gaussian", 32, 1, 1000, 1e-2, 0.06}, // 0.042
	} {
		t.Run(tc.model+"/"+tc.target, func(t *testing.T) {
			t.Parallel()
			s := Defaults(tc.model, 2)
			s.Layers, s.Hidden = tc.layers, tc.hidden
			f, err := New(s, nn.NewRNG(1, 0))
			if err != nil {
				t.Fatal(err)
			}
			sample, logp := namedTarget(t, tc.target)
			fit(t, f, sample, tc.steps, 256, tc.lr)
			kl, se := forwardKL(f, sample, logp)
			t.Logf("forward KL after %d steps: %.4f ± %.4f nats", tc.steps, kl, se)
			if kl > tc.maxKL {
				t.Errorf("forward KL %.4f nats, want ≤ %v", kl, tc.maxKL)
			}
		})
	}
}

// TestUnseenMixture is issue 3's acceptance check, run on the flows directly
// rather than through the CLI: NSF and MAF of 8 layers with hidden width 64,
// trained for 3000 steps of batch 256 at the CLI's default learning rate 1e-3
// on 20 000 samples (the CLI test's points.csv) of a mixture they were never
// tuned on, must reach a forward KL of at most 0.03 (NSF) and 0.05 (MAF)
// nats on held-out samples. The standard errors (~0.002) are far below the
// margins. About 40 s natively with the two in parallel on 2 idle cores.
func TestUnseenMixture(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two 8×64 flows for 3000 steps; skipped with -short")
	}
	t.Parallel()
	mix := unseenMixture()
	pts := make([]float64, 2*20000)
	mix.Sample(nn.NewRNG(2026, 1), pts)
	points, err := data.NewPoints("mixture", pts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		model string
		maxKL float64
	}{{"nsf", 0.03}, {"maf", 0.05}} {
		t.Run(tc.model, func(t *testing.T) {
			t.Parallel()
			s := Defaults(tc.model, 2)
			s.Layers, s.Hidden = 8, 64
			f, err := New(s, nn.NewRNG(1, 0))
			if err != nil {
				t.Fatal(err)
			}
			fit(t, f, points.Sample, 3000, 256, 1e-3)
			kl, se := forwardKL(f, mix.Sample, mix.LogProb)
			t.Logf("forward KL after 3000 steps: %.4f ± %.4f nats", kl, se)
			if kl > tc.maxKL {
				t.Errorf("forward KL %.4f nats, want ≤ %v", kl, tc.maxKL)
			}
		})
	}
}
