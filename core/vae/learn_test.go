package vae

import (
	"math"
	"testing"

	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/train"
)

// fruitVAE trains a small VAE on 16×16 procedural fruits for steps steps and
// returns it with held-out fruits.
func fruitVAE(t *testing.T, posterior string, steps int) (trained, untrained *VAE, test []float64) {
	t.Helper()
	const size = 16
	trainSet, err := data.Fruits(1800, data.FruitOptions{Size: size, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	testSet, _ := data.Fruits(300, data.FruitOptions{Size: size, Seed: 1 << 40})
	spec := Spec{Width: size, Height: size, Channels: 3, Latent: 8, Hidden: []int{128}, Likelihood: "gaussian", Posterior: posterior}
	untrained, _ = New(spec, nn.NewRNG(5, 0))
	untrained.SetOutputBias(trainSet.Mean())
	v, _ := New(spec, nn.NewRNG(5, 0))
	v.SetOutputBias(trainSet.Mean())
	o := NewObjective(v, trainSet.Pix, 50, nn.NewRNG(6, 0))
	tr := train.New(v.Params(), o.Loss, 2e-3)
	tr.ClipNorm = 1e4
	for tr.Steps() < steps {
		if _, err := tr.Step(); err != nil {
			t.Fatalf("step %d: %v", tr.Steps(), err)
		}
	}
	return v, untrained, testSet.Pix
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func testELBO(v *VAE, x []float64) float64 {
	n := v.rows(x)
	rec, kl := make([]float64, n), make([]float64, n)
	v.EvalELBO(x, nn.NewRNG(8, 0), rec, kl)
	return -(meanOf(rec) + meanOf(kl))
}

// TestVAELearnsFruits is the statistical test of training: a small VAE
// trained for 400 steps on procedural fruits must raise the held-out ELBO
// far above the same VAE untrained (with the same data-mean output bias, so
// the average image alone does not count), and its importance-weighted bound
// must rise with K.
func TestVAELearnsFruits(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: statistical training test")
	}
	t.Parallel()
	v, v0, test := fruitVAE(t, "gaussian", 400)
	before, after := testELBO(v0, test), testELBO(v, test)
	t.Logf("held-out ELBO %.1f → %.1f: %.3f nats per value", before, after, (after-before)/768)
	// Per pixel value (768 of them): the untrained model's ELBO is that of
	// the mean image under σ = 0.1; a model that reconstructs fruits to
	// within σ ≈ 0.05 gains log 2 ≈ 0.69 nats per value. Measured: ≈ 2.1
	// after 400 steps (seed 5); 0.7 asks for a real model of the fruits.
	const minGain = 0.7
	if gain := (after - before) / 768; gain < minGain {
		t.Errorf("held-out ELBO %.1f → %.1f: gain %.3f nats per value, want ≥ %v", before, after, gain, minGain)
	}
	// IWAE: paired over the same images, the bound must rise from K = 1 to
	// 10 to 100 by more than three standard errors of the paired change.
	n := v.rows(test)
	prev := make([]float64, n)
	v.EvalIWAE(test, 1, nn.NewRNG(9, 0), prev)
	for _, k := range []int{10, 100} {
		cur := make([]float64, n)
		v.EvalIWAE(test, k, nn.NewRNG(9, uint64(k)), cur)
		d := make([]float64, n)
		for i := range d {
			d[i] = cur[i] - prev[i]
		}
		m := meanOf(d)
		ss := 0.0
		for _, x := range d {
			ss += (x - m) * (x - m)
		}
		se := math.Sqrt(ss / float64(n-1) / float64(n))
		if m < 3*se {
			t.Errorf("IWAE K=%d over the previous K: mean change %.3f, standard error %.3f; want a rise over 3 SE", k, m, se)
		}
		t.Logf("IWAE K=%d: %.2f (+%.2f ± %.2f)", k, meanOf(cur), m, se)
		prev = cur
	}
}

// TestFlowPosteriorsTrain checks that planar, IAF and RealNVP posteriors train as
// stably as the Gaussian: no divergence, and a held-out ELBO well above the
// untrained model's, after a few hundred steps.
func TestFlowPosteriorsTrain(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: statistical training test")
	}
	t.Parallel()
	for i, post := range []string{"planar", "iaf", "realnvp"} {
		v, v0, test := fruitVAE(t, post, 200)
		before, after := testELBO(v0, test), testELBO(v, test)
		t.Logf("%s: held-out ELBO %.1f → %.1f: %.3f nats per value", post, before, after, (after-before)/768)
		// as in TestVAELearnsFruits, at half the steps
		const minGain = 0.5
		if gain := (after - before) / 768; gain < minGain {
			t.Errorf("test %d (%s): held-out ELBO %.1f → %.1f: gain %.3f nats per value, want ≥ %v", i, post, before, after, gain, minGain)
		}
	}
}
