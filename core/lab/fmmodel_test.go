package lab

import (
	"errors"
	"math"
	"testing"

	"likelab/core/data"
	"likelab/core/fm"
	"likelab/core/nn"
	"likelab/core/vae"
)

// trainedFM trains a small velocity network on double-gaussian for a few
// hundred steps: enough to be far from its initialisation.
func trainedFM(t *testing.T, steps int) *FMRun {
	t.Helper()
	target, err := data.Lookup("double-gaussian")
	if err != nil {
		t.Fatal(err)
	}
	spec := fm.DefaultSpec()
	spec.Hidden, spec.Layers, spec.OT = 32, 2, true
	run, err := NewFMRun(spec, target, 3e-3, 128, 4)
	if err != nil {
		t.Fatal(err)
	}
	for range steps {
		if _, err := run.Trainer.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// TestFMModel2D reads a trained velocity network back through the family
// dispatch the CLI's sample and logprob use: its samples have finite exact
// log-densities.
func TestFMModel2D(t *testing.T) {
	t.Parallel()
	run := trainedFM(t, 50)
	dir := t.TempDir()
	if err := FMFile.Save(dir, run.Model.Spec, run.Model, TrainInfo{Data: "double-gaussian", Steps: 50}); err != nil {
		t.Fatal(err)
	}
	m, mc, err := LoadModel2D(dir)
	if err != nil || mc.Family != "fm" {
		t.Fatalf("LoadModel2D: %v (family %q)", err, mc.Family)
	}
	pts := make([]float64, 2*300)
	m.Sample(nn.NewRNG(1, 1), pts)
	lp := make([]float64, 300)
	m.LogProb(pts, lp)
	for i, v := range lp {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("sample %d: log-density %v", i, v)
		}
	}
	// a VAE is no density on the plane
	v, _ := vae.New(vae.Spec{Width: 2, Height: 2, Channels: 1, Latent: 2, Hidden: []int{3}, Likelihood: "bernoulli"}, nn.NewRNG(1, 0))
	if err := VAEFile.Save(dir, v.Spec, v, TrainInfo{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadModel2D(dir); !errors.Is(err, ErrModel) {
		t.Errorf("LoadModel2D of a VAE: %v", err)
	}
}

// TestLogProbStepsSuffice backs LogProbSteps: on a trained model, RK4 with
// LogProbSteps steps agrees with 8 times as many.
func TestLogProbStepsSuffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 400 steps and integrates with 128 RK4 steps; skipped with -short")
	}
	t.Parallel()
	run := trainedFM(t, 400)
	cnf := run.Model.CNF()
	const n = 200
	x := make([]float64, 2*n)
	run.Target.Sample(nn.NewRNG(9, 9), x)
	coarse, fine := make([]float64, n), make([]float64, n)
	cnf.LogProb(x, coarse, fm.RK4, LogProbSteps, nil)
	cnf.LogProb(x, fine, fm.RK4, 8*LogProbSteps, nil)
	worst := 0.0
	for i := range n {
		worst = max(worst, math.Abs(coarse[i]-fine[i]))
	}
	t.Logf("largest difference %.2g nats", worst)
	// measured 1.4e-5; 1e-3 is still far below what a KL estimate resolves
	if worst > 1e-3 {
		t.Errorf("RK4 with %d steps is %.3g nats from %d steps, want ≤ 1e-3", LogProbSteps, worst, 8*LogProbSteps)
	}
}
