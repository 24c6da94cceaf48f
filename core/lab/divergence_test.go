package lab

import (
	"math"
	"strings"
	"testing"

	"likelab/core/train"
)

// TestDivergenceRecoveryEveryFamily injects a non-finite parameter into a
// training run of each model family the lab trains and checks the promise
// of the Trainer: the step reports it, the model goes back to its last
// finite snapshot with half the learning rate, the scene says so in its
// status, and training goes on.
func TestDivergenceRecoveryEveryFamily(t *testing.T) {
	t.Parallel()
	small := Default()
	small.Layers, small.Hidden, small.Batch = 2, 8, 32
	fm := small
	fm.Scene, fm.Depth = "fm", 1
	vae := small
	vae.Scene, vae.Hidden, vae.Latent = "vae", 16, 2
	for _, tc := range []struct {
		name    string
		cfg     Config
		trainer func(Scene) *train.Trainer
	}{
		{"flow", small, func(s Scene) *train.Trainer { return s.(*FlowScene).Run().Trainer }},
		{"fm", fm, func(s Scene) *train.Trainer { return s.(*FMScene).Run().Trainer }},
		{"vae", vae, func(s Scene) *train.Trainer { return s.(*VAEScene).Run().Trainer }},
	} {
		s, err := New(tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		tr := tc.trainer(s)
		for i := 0; i < 60; i++ {
			s.Step()
		}
		lr := tr.Opt.LR
		tr.Params[0].Val[0] = math.NaN() // what an overflowing update leaves behind
		s.Step()
		st := s.Status()
		if !strings.Contains(st.Error, "rolled back") {
			t.Errorf("%s: status error %q, want a rollback message", tc.name, st.Error)
		}
		if math.IsNaN(tr.Params[0].Val[0]) || tr.Opt.LR != lr/2 {
			t.Errorf("%s: after the fault: parameter %v, lr %v (want finite and %v)", tc.name, tr.Params[0].Val[0], tr.Opt.LR, lr/2)
		}
		at := st.Step
		for i := 0; i < 10; i++ {
			s.Step()
		}
		if got := s.Status().Step; got != at+10 {
			t.Errorf("%s: training did not go on after the rollback: step %d, want %d", tc.name, got, at+10)
		}
	}
}
