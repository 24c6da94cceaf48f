package lab

import (
	"errors"
	"math"
	"slices"
	"testing"

	"likelab/core/ad"
	"likelab/core/flow"
	"likelab/core/nn"
)

// probe is a few fixed points of the plane and codes of a latent space, on
// which a loaded model must give exactly what the saved one gave.
var probe = []float64{0, 0, 0.5, -1, -1.5, 2, 3, 0.25}

// flowOut is the flow's log-density at the probe points.
func flowOut(f *flow.Flow) []float64 {
	dst := make([]float64, len(probe)/2)
	f.EvalLogProb(ad.NewTape(), probe, dst, len(dst))
	return dst
}

// outputs is what the model of a scene computes on the probe: log-densities
// of the 2D models, decoded images of the VAEs.
func outputs(t *testing.T, s Scene) []float64 {
	t.Helper()
	switch s := s.(type) {
	case *FlowScene:
		return flowOut(s.run.Flow)
	case *ISScene:
		return flowOut(s.run.Flow)
	case *FMScene:
		m, err := NewFMModel2D(s.run.Model)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float64, len(probe)/2)
		m.LogProb(probe, dst)
		return dst
	case *VAEScene:
		return decoded(s.run)
	case *MorphScene:
		return decoded(s.run)
	}
	t.Fatalf("no outputs for a %T", s)
	return nil
}

// decoded is the VAE's decoded means at codes made of the probe's values.
func decoded(r *VAERun) []float64 {
	d := r.Model.Spec.Latent
	z := make([]float64, 2*d)
	for i := range z {
		z[i] = probe[i%len(probe)]
	}
	dst := make([]float64, 2*r.Model.Spec.Input())
	r.Model.DecodeMeans(z, dst)
	return dst
}

// savedScene builds the scene a hash describes, takes steps training steps
// and saves its model.
func savedScene(t testing.TB, hash string, steps int) (s Scene, config, weights []byte) {
	t.Helper()
	c, err := ParseHash(hash)
	if err == nil {
		s, err = New(c)
	}
	if err != nil {
		t.Fatalf("%s: %v", hash, err)
	}
	for range steps {
		s.Step()
	}
	if config, weights, err = s.(Saver).Save(); err != nil {
		t.Fatalf("%s: save: %v", hash, err)
	}
	return s, config, weights
}

// TestSaveLoadEveryScene saves every scene's model and loads it on a page
// showing something else: the right scene comes back, its Config valid and
// with the model's architecture, its model computing exactly what the saved
// one did, at the saved step, and training goes on from there. A damaged
// file builds nothing.
func TestSaveLoadEveryScene(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		saved, page string   // hashes of the saved scene and of the page loading it
		scene       string   // the scene loaded
		same        []string // settings the loaded Config takes from the model
	}{
		{"scene=flow&data=moons&layers=3&hidden=12&batch=32", "scene=flow", "flow", []string{"model", "layers", "hidden"}},
		{"scene=flow&model=nsf&layers=2&hidden=8&batch=32", "scene=fm", "flow", []string{"model", "layers", "hidden"}},
		{"scene=is&energy=u2&model=maf&layers=2&hidden=8&batch=32", "scene=flow", "is", []string{"energy", "model", "layers", "hidden"}},
		{"scene=fm&hidden=16&depth=2&batch=32&ot=1&std=2&solver=midpoint&nfe=6", "scene=is", "fm",
			[]string{"hidden", "depth", "ot", "std", "solver", "nfe"}},
		// the QR network (ReLU, Fourier features) has no page setting: the
		// scene takes the file's whole spec, whatever the page's data
		{"scene=fm&data=qr:likelab&hidden=8&depth=1&batch=32", "scene=flow", "fm", []string{"hidden", "depth"}},
		{"scene=vae&hidden=16&latent=3&posterior=planar&batch=16", "scene=flow", "vae", []string{"hidden", "latent", "posterior"}},
		{"scene=morph&hidden=16&latent=2&batch=16", "scene=morph", "morph", []string{"hidden", "latent", "posterior"}},
	} {
		steps := 3 + i
		s, config, weights := savedScene(t, tc.saved, steps)
		c := s.Config()
		page, _ := ParseHash(tc.page)
		loaded, lc, err := Load(page, config, weights)
		if err != nil {
			t.Fatalf("test %d: load: %v", i, err)
		}
		if err := lc.Validate(); err != nil || lc.Scene != tc.scene || loaded.Config() != lc {
			t.Errorf("test %d: loaded config %q (%v), scene config %q; want scene %s", i, lc.Hash(), err, loaded.Config().Hash(), tc.scene)
		}
		for _, name := range tc.same {
			if got, _ := lc.Get(name); got != must(c.Get(name)) {
				t.Errorf("test %d: loaded %s=%s want %s", i, name, got, must(c.Get(name)))
			}
		}
		if (lc.Scene == "flow" || lc.Scene == "fm") && lc.Data != page.Data {
			t.Errorf("test %d: loaded on data %q, want the page's %q", i, lc.Data, page.Data)
		}
		if got := loaded.Status().Step; got != steps {
			t.Errorf("test %d: loaded at step %d want %d", i, got, steps)
		}
		if got, want := outputs(t, loaded), outputs(t, s); !slices.Equal(got, want) {
			t.Errorf("test %d: the loaded model computes %v want %v", i, got[:min(4, len(got))], want[:min(4, len(want))])
		}
		loaded.Step()
		if got := loaded.Status().Step; got != steps+1 {
			t.Errorf("test %d: a step after loading reached step %d want %d", i, got, steps+1)
		}
		for j, w := range [][]byte{weights[:len(weights)-8], weights[:len(weights)/2]} {
			if sc, _, err := Load(page, config, w); !errors.Is(err, ErrModel) || sc != nil {
				t.Errorf("test %d: truncated weights %d: got %v, %v want ErrModel and no scene", i, j, sc, err)
			}
		}
	}
}

func must(v string, _ bool) string { return v }

// TestLoadFlowScene: the flow scene takes a flow however it was trained
// (`likelab render` draws a reverse-KL flow so), and nothing but a flow.
func TestLoadFlowScene(t *testing.T) {
	t.Parallel()
	s, config, weights := savedScene(t, "scene=is&layers=2&hidden=8&batch=32", 1)
	fs, lc, err := LoadFlowScene(Default(), nil, config, weights)
	if err != nil || lc.Scene != "flow" || fs.Status().Step != 1 || !slices.Equal(outputs(t, fs), outputs(t, s)) {
		t.Errorf("reverse-KL flow in the flow scene: %v, config %q", err, lc.Hash())
	}
	_, config, weights = savedScene(t, "scene=fm&hidden=4&depth=1", 0)
	if sc, _, err := LoadFlowScene(Default(), nil, config, weights); !errors.Is(err, ErrModel) || sc != nil {
		t.Errorf("an fm model in the flow scene: %v, %v", sc, err)
	}
}

// TestLoadRefuses: files the page cannot show build nothing and say why.
func TestLoadRefuses(t *testing.T) {
	t.Parallel()
	sc, config, weights := savedScene(t, "scene=flow&layers=2&hidden=8&batch=32", 1)
	s := sc.(*FlowScene)
	p := s.run.Flow.Params()[0]
	saved := p.Val[0]
	p.Val[0] = math.NaN()
	_, nanWeights, _ := s.Save()
	p.Val[0] = saved
	config3, weights3 := flowFiles(t, flow.Spec{Model: "realnvp", Dim: 3, Layers: 2, Hidden: 8})
	wide, wideWeights := flowFiles(t, flow.Spec{Model: "realnvp", Dim: 2, Layers: 40, Hidden: 4})
	rkl, rklWeights, _ := FlowFile.Encode(s.run.Spec, s.run.Flow, TrainInfo{Objective: "reverse-kl", Energy: "energy:nowhere"})
	for i, tc := range []struct {
		config, weights []byte
	}{
		{[]byte(`{"format":"something-else"}`), weights},
		{config, nanWeights},
		{config3, weights3},   // 3D flows have no scene
		{wide, wideWeights},   // more layers than the page offers
		{rkl, rklWeights},     // an energy the page does not know
		{config, weights[8:]}, // no safetensors header
	} {
		if sc, _, err := Load(Default(), tc.config, tc.weights); !errors.Is(err, ErrModel) || sc != nil {
			t.Errorf("test %d: got %v, %v want ErrModel and no scene", i, sc, err)
		}
	}
}

// flowFiles returns the model files of a new flow of the given spec.
func flowFiles(t *testing.T, spec flow.Spec) (config, weights []byte) {
	t.Helper()
	f, err := flow.New(spec, nn.NewRNG(1, 1))
	if err == nil {
		config, weights, err = FlowFile.Encode(spec, f, TrainInfo{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return config, weights
}

// FuzzLoad: whatever the files, Load either refuses them or builds a scene
// whose Config is valid. The seeds are a saved model of every family.
func FuzzLoad(f *testing.F) {
	for _, hash := range []string{
		"scene=flow&layers=1&hidden=4", "scene=is&layers=1&hidden=4", "scene=fm&hidden=4&depth=1",
		"scene=vae&hidden=4&latent=2",
	} {
		_, config, weights := savedScene(f, hash, 0)
		f.Add(config, weights)
	}
	f.Add([]byte("{}"), []byte{})
	f.Fuzz(func(t *testing.T, config, weights []byte) {
		sc, lc, err := Load(Default(), config, weights)
		if err != nil {
			if sc != nil {
				t.Fatalf("Load failed (%v) but returned scene %v", err, sc)
			}
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
