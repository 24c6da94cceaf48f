package lab

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"

	"likelab/core/ad"
	"likelab/core/flow"
	"likelab/core/nn"
	"likelab/core/vae"
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

// TestLoadOnImages loads a VAE trained on a user's .npy files back on a
// page that holds images: on images of its shape it comes back at the
// saved step computing what it computed; without them, or on images of
// another shape, nothing is built and the message names both shapes. A
// fruit model still loads on the fruits, whatever images the page holds.
func TestLoadOnImages(t *testing.T) {
	t.Parallel()
	grey, err := ReadImageSet(twoShapes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var pictures []UploadFile
	for i := range 25 {
		pictures = append(pictures,
			whole(fmt.Sprintf("fruit/red/%02d.png", i), pngOf(color.RGBA{220, 30, 30, 255}, uint64(i))),
			whole(fmt.Sprintf("fruit/yellow/%02d.png", i), pngOf(color.RGBA{240, 220, 40, 255}, uint64(i+100))))
	}
	colour, err := ReadImageSet(pictures, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Hidden, c.Latent, c.Batch = 16, 2, 16
	saved, sc, err := NewSceneOnImages(c, grey)
	if err != nil {
		t.Fatal(err)
	}
	const steps = 3
	for range steps {
		saved.Step()
	}
	config, weights, err := saved.(Saver).Save()
	if err != nil {
		t.Fatal(err)
	}

	// on images of its shape, from a page on another scene and from the morph
	morph := sc
	morph.Scene, morph.From, morph.To = "morph", "square", "circle"
	for i, tc := range []struct {
		page  Config
		load  func(Config, *ImageSet, []byte, []byte) (Scene, Config, error)
		scene string
	}{
		{Default(), LoadWith, "vae"},
		{Default(), LoadOnImages, "vae"},
		{morph, LoadWith, "morph"},
	} {
		s, lc, err := tc.load(tc.page, grey, config, weights)
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		// the set's classes stand in for the table's, as in NewOn
		check := lc
		check.From, check.To = Default().From, Default().To
		if err := check.Validate(); err != nil || lc.Scene != tc.scene || lc.Dataset != FilesDataset || s.Config() != lc {
			t.Errorf("test %d: loaded config %q (%v); want the %s scene on dataset=files", i, lc.Hash(), err, tc.scene)
		}
		if lc.Hidden != c.Hidden || lc.Latent != c.Latent {
			t.Errorf("test %d: loaded hidden=%d latent=%d want the model's %d and %d", i, lc.Hidden, lc.Latent, c.Hidden, c.Latent)
		}
		if tc.scene == "morph" && (lc.From != "square" || lc.To != "circle") {
			t.Errorf("test %d: the morph goes from %s to %s; want the page's square to circle", i, lc.From, lc.To)
		}
		if got := s.Status().Step; got != steps {
			t.Errorf("test %d: loaded at step %d want %d", i, got, steps)
		}
		if got, want := outputs(t, s), outputs(t, saved); !slices.Equal(got, want) {
			t.Errorf("test %d: the loaded VAE computes %v want %v", i, got[:4], want[:4])
		}
		s.Step()
		if got := s.Status().Step; got != steps+1 || s.Status().Error != "" {
			t.Errorf("test %d: a step after loading reached step %d (error %q) want %d", i, got, s.Status().Error, steps+1)
		}
	}

	// nothing built without the images, or on images of another shape
	_, flowConfig, flowWeights := savedScene(t, "scene=flow&layers=2&hidden=8&batch=32", 1)
	odd, err := vae.New(vae.Spec{Width: 20, Height: 20, Channels: 3, Latent: 2, Hidden: []int{8}, Likelihood: "gaussian"}.WithDefaults(), nn.NewRNG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	oddConfig, oddWeights, err := VAEFile.Encode(odd.Spec, odd, TrainInfo{Data: "/home/me/pictures/of/my/holidays/in/twenty-twenty-five", Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		load            func(Config, *ImageSet, []byte, []byte) (Scene, Config, error)
		set             *ImageSet
		config, weights []byte
		want            error
		says            []string
	}{
		{LoadWith, nil, config, weights, ErrNeedImages, []string{"28×28 grey images (circle.npy, square.npy)", "pick its images"}},
		{LoadWith, colour, config, weights, ErrNeedImages, []string{"28×28 grey images", "(50 pictures in 2 folders) are 32×32 colour images"}},
		{LoadOnImages, colour, config, weights, ErrModel, []string{"takes 28×28 grey images", "50 pictures in 2 folders are 32×32 colour images"}},
		{LoadOnImages, grey, flowConfig, flowWeights, ErrModel, []string{`a "flow" model`}},
		{LoadOnImages, grey, config, weights[:len(weights)-8], ErrModel, []string{WeightsFile}},
		// pictures are read at 32×32, so a 20×20 colour model has none here
		{LoadWith, colour, oddConfig, oddWeights, nil, []string{"20×20 colour images (…/twenty-twenty-five)", "likelab render"}},
	} {
		s, _, err := tc.load(Default(), tc.set, tc.config, tc.weights)
		if s != nil || err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("test %d: got %v, %v want %v and no scene", i, s, err, tc.want)
			continue
		}
		t.Logf("test %d: %v", i, err)
		for _, want := range tc.says {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("test %d: the message %q does not say %q", i, err, want)
			}
		}
	}

	// a fruit model loads on the fruits, though the page holds grey images
	_, fruitConfig, fruitWeights := savedScene(t, "scene=vae&hidden=16&latent=2&batch=16", 2)
	if s, lc, err := LoadWith(Default(), grey, fruitConfig, fruitWeights); err != nil || lc.Dataset != "fruits" || s.Status().Step != 2 {
		t.Errorf("a fruit model on a page holding grey images: %v, config %q", err, lc.Hash())
	}
}
