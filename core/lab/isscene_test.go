package lab

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"likelab/render"
)

func TestISSceneTrainsEstimatesAndDraws(t *testing.T) {
	t.Parallel()
	c, err := ParseHash("scene=is&energy=u2&layers=4&hidden=16&batch=64")
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash() != "scene=is&layers=4&hidden=16&batch=64&energy=u2" {
		t.Errorf("hash: %q", c.Hash())
	}
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	is := s.(*ISScene)
	for i := 0; i < 30; i++ {
		s.Work(5 * time.Millisecond)
	}
	st := s.Status()
	if st.Step < 30 || math.IsNaN(st.Loss) || st.Error != "" || st.Scene != "is" {
		t.Errorf("after 30 slices: %+v", st)
	}
	// The loss is KL(q‖p) − log Z ≥ −log Z; a 64-draw batch can dip below
	// by its sampling error, which is far less than 1 nat here.
	_, _, trueLogZ := is.Estimates()
	if st.Loss < -trueLogZ-1 {
		t.Errorf("loss %v is far below its floor −log Z = %v", st.Loss, -trueLogZ)
	}
	Apply(s, "pause")
	is.Settle()
	f, g, _ := is.Estimates()
	for i, r := range []struct {
		logZ, se, frac float64
		n              int
	}{{f.LogZ, f.StdErr, f.ESSFraction, f.N}, {g.LogZ, g.StdErr, g.ESSFraction, g.N}} {
		if math.IsNaN(r.logZ) || !(r.se > 0) || !(r.frac > 0 && r.frac <= 1) || r.n < isBatch {
			t.Errorf("test %d: estimate %+v", i, r)
		}
	}
	// Paused, the estimates of the unchanged flow accumulate.
	n0 := f.N
	for i := 0; i < 3; i++ {
		s.Work(time.Millisecond)
	}
	if f, _, _ := is.Estimates(); f.N <= n0 {
		t.Errorf("paused: draws %d, were %d", f.N, n0)
	}
	// The charts show the accumulated estimates the captions show, not the
	// first batch's.
	f, g, _ = is.Estimates()
	for i, c := range []struct {
		h    history
		want float64
	}{{is.flowESS, f.ESSFraction}, {is.gaussESS, g.ESSFraction}, {is.flowZ, f.LogZ}, {is.gaussZ, g.LogZ}} {
		if n := len(c.h.y); n == 0 || c.h.y[n-1] != c.want {
			t.Errorf("test %d: chart's last point %v, caption's estimate %v", i, c.h.y, c.want)
		}
	}
	// The Gaussian's estimate from the same number of draws is right within
	// its error bars: 5 standard errors.
	if _, g, tz := is.Estimates(); math.Abs(g.LogZ-tz) > 5*g.StdErr {
		t.Errorf("Gaussian estimate %v ± %v, true %v", g.LogZ, g.StdErr, tz)
	}

	dst := image.NewRGBA(image.Rect(0, 0, 960, 640))
	if !s.Draw(dst) {
		t.Fatalf("first Draw drew nothing")
	}
	if s.Draw(dst) {
		t.Errorf("Draw redrew an unchanged picture")
	}
	colours := map[[4]uint8]bool{}
	for i := 0; i < len(dst.Pix); i += 4 {
		colours[[4]uint8(dst.Pix[i:i+4])] = true
	}
	if len(colours) < 200 {
		t.Errorf("picture has %d colours; heatmaps and charts have hundreds", len(colours))
	}
	if dir := os.Getenv("LIKELAB_PICTURES"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "isscene.png"))
		render.EncodePNG(f, dst)
		f.Close()
	}
	// small and odd sizes draw without panicking
	for _, r := range []image.Rectangle{image.Rect(0, 0, 10, 10), image.Rect(0, 0, 1200, 300), image.Rect(5, 7, 400, 900)} {
		s.Draw(image.NewRGBA(r))
	}

	// the saved model records the objective and the energy
	cfg, weights, err := is.Save()
	if err != nil {
		t.Fatal(err)
	}
	fl, mc, err := FlowFile.Decode(cfg, weights)
	if err != nil {
		t.Fatal(err)
	}
	if mc.Train.Objective != "reverse-kl" || mc.Train.Energy != "energy:u2" || mc.Train.Data != "energy:u2" ||
		mc.Train.Steps != s.Status().Step || fl.Dim() != 2 {
		t.Errorf("saved: %+v", mc.Train)
	}
}

func TestISSceneRejectsUnknownEnergy(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Scene, c.Energy = "is", "u9"
	if _, err := New(c); err == nil {
		t.Error("an unknown energy was accepted")
	}
	if _, err := ParseHash("scene=is&energy=u9"); err == nil {
		t.Error("ParseHash accepted energy=u9")
	}
}
