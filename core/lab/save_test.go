package lab

import (
	"errors"
	"math"
	"testing"
)

func TestSaveLoadKeepsTheModel(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Batch, c.Data = 3, 12, 32, "moons"
	s, err := NewFlowScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		s.Step()
	}
	config, weights, err := s.Save()
	if err != nil {
		t.Fatal(err)
	}
	other := Default() // the page may show another configuration when loading
	loaded, lc, err := Load(other, config, weights)
	if err != nil {
		t.Fatal(err)
	}
	if lc.Layers != 3 || lc.Hidden != 12 || lc.Data != "double-gaussian" {
		t.Errorf("loaded config %+v: want the model's architecture and the page's data", lc)
	}
	if got := loaded.Status().Step; got != 30 {
		t.Errorf("loaded scene at step %d, want 30", got)
	}
	a, b := s.run.Flow.Params(), loaded.(*FlowScene).run.Flow.Params()
	for i := range a {
		for j := range a[i].Val {
			if a[i].Val[j] != b[i].Val[j] {
				t.Fatalf("%s[%d]: got %v want %v", b[i].Name, j, b[i].Val[j], a[i].Val[j])
			}
		}
	}
	// a corrupted file is refused and says so
	bad := append([]byte(nil), weights...)
	bad = bad[:len(bad)-8]
	if _, _, err := Load(other, config, bad); !errors.Is(err, ErrModel) {
		t.Errorf("truncated weights: got %v want ErrModel", err)
	}
	if _, _, err := Load(other, []byte(`{"format":"something-else"}`), weights); !errors.Is(err, ErrModel) {
		t.Errorf("foreign config: got %v want ErrModel", err)
	}
	// non-finite weights are refused
	p := s.run.Flow.Params()[0]
	saved := p.Val[0]
	p.Val[0] = math.NaN()
	_, nanWeights, _ := s.Save()
	p.Val[0] = saved
	if _, _, err := Load(other, config, nanWeights); !errors.Is(err, ErrModel) {
		t.Errorf("NaN weights: got %v want ErrModel", err)
	}
}

func FuzzLoad(f *testing.F) {
	c := Default()
	c.Layers, c.Hidden = 1, 4
	s, _ := NewFlowScene(c)
	config, weights, _ := s.Save()
	f.Add(config, weights)
	f.Add([]byte("{}"), []byte{})
	f.Fuzz(func(t *testing.T, config, weights []byte) {
		sc, lc, err := Load(Default(), config, weights)
		if err != nil {
			return
		}
		if sc == nil || lc.Validate() != nil {
			t.Fatalf("Load succeeded with scene %v and config %+v", sc, lc)
		}
	})
}

func TestPretrainedMissingTrainsFromScratch(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Pretrained = 2, 8, true
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Step != 0 || st.Error != noPretrained {
		t.Errorf("pretrained=1 with no shipped model: step %d, error %q", st.Step, st.Error)
	}
	a, b := c, c
	b.View, b.Layer = "layers", 3
	if PretrainedDir(a) != PretrainedDir(b) {
		t.Errorf("views of one run look for different shipped models")
	}
	b.Seed = 9
	if PretrainedDir(a) == PretrainedDir(b) {
		t.Errorf("different runs share a shipped model")
	}
}
