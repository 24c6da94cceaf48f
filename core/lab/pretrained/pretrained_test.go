package pretrained_test

import (
	"math"
	"testing"

	"likelab/core/lab"
	_ "likelab/core/lab/pretrained"
)

// TestPresetsShip checks that every preset that promises a model trained in
// advance finds it (so a changed preset without `make presets` is caught),
// that the scene starts where the model left off, and that the model is good:
// its held-out NLL is within 0.1 nats of the target's entropy.
func TestPresetsShip(t *testing.T) {
	for _, p := range lab.Presets {
		c, err := lab.ParseHash(p.Hash)
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		if !c.Pretrained {
			continue
		}
		s, err := lab.New(c)
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		st := s.Status()
		if st.Error != "" {
			t.Errorf("preset %s: %s (run make presets)", p.Name, st.Error)
			continue
		}
		fs, ok := s.(*lab.FlowScene)
		if !ok { // a VAE preset: it must start from the shipped model
			t.Logf("preset %s: step %d", p.Name, st.Step)
			if st.Step != p.Steps {
				t.Errorf("preset %s starts at step %d, want the shipped model's %d", p.Name, st.Step, p.Steps)
			}
			continue
		}
		fs.Settle()
		nll, h := fs.HeldOutNLL()
		t.Logf("preset %s: step %d, held-out NLL %.4f, entropy %.4f", p.Name, st.Step, nll, h)
		if st.Step < 1000 {
			t.Errorf("preset %s starts at step %d, want the shipped model's", p.Name, st.Step)
		}
		if !(nll-h < 0.1) || math.IsNaN(nll) {
			t.Errorf("preset %s: held-out NLL %.4f is %.3f above the floor %.4f, want < 0.1", p.Name, nll, nll-h, h)
		}
	}
}
