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

// smallFM is a fast fm scene configuration for tests.
func smallFM() Config {
	c := Default()
	c.Scene, c.Hidden, c.Depth, c.Batch, c.T = "fm", 24, 2, 64, 0.5
	return c
}

func countColours(img *image.RGBA) int {
	colours := map[[4]uint8]bool{}
	for i := 0; i < len(img.Pix); i += 4 {
		colours[[4]uint8(img.Pix[i:i+4])] = true
	}
	return len(colours)
}

func TestFMSceneTrainsAndDraws(t *testing.T) {
	t.Parallel()
	s, err := New(smallFM())
	if err != nil {
		t.Fatal(err)
	}
	fs := s.(*FMScene)
	for i := 0; i < 30; i++ {
		s.Work(5 * time.Millisecond)
	}
	fs.Settle()
	st := s.Status()
	if st.Step < 30 || math.IsNaN(st.Loss) || st.Error != "" || st.Scene != "fm" {
		t.Errorf("after 30 slices: %+v", st)
	}
	// double-gaussian's entropy is log(2πe·0.25) + log 2 ≈ 2.14; a model
	// barely trained has a finite NLL above it
	if math.IsNaN(st.HeldOut) || st.HeldOut < st.Entropy-0.1 || math.Abs(st.Entropy-2.14) > 0.05 {
		t.Errorf("held-out NLL %v, entropy %v", st.HeldOut, st.Entropy)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 900, 520))
	if !s.Draw(dst) {
		t.Fatalf("first Draw drew nothing")
	}
	if s.Draw(dst) {
		t.Errorf("Draw redrew an unchanged picture (t fixed at 0.5)")
	}
	if n := countColours(dst); n < 200 {
		t.Errorf("picture has %d colours; heatmaps, arrows and charts have hundreds", n)
	}
	savePicture(t, dst, "fmscene.png")
	if err := Apply(s, "pause"); err != nil || s.Playing() {
		t.Errorf("pause: %v, playing %v", err, s.Playing())
	}
	before := s.Status().Step
	Apply(s, "step")
	if got := s.Status().Step; got != before+1 {
		t.Errorf("step: got step %d want %d", got, before+1)
	}
}

func savePicture(t *testing.T, img *image.RGBA, name string) {
	t.Helper()
	if dir := os.Getenv("LIKELAB_PICTURES"); dir != "" {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		render.EncodePNG(f, img)
		f.Close()
	}
}

// TestFMSceneSetView switches the solver and its budget live: the particles'
// paths are recomputed with the new number of steps, the model is kept.
func TestFMSceneSetView(t *testing.T) {
	t.Parallel()
	c := smallFM()
	c.Autoplay = false
	s, err := NewFMScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		s.Step()
	}
	s.Settle()
	if got := len(s.traj); got != 17 {
		t.Fatalf("euler with nfe 16: %d states, want 17", got)
	}
	first := append([]float64(nil), s.traj[len(s.traj)-1]...)
	for i, tc := range []struct {
		solver string
		nfe    int
		states int
	}{{"rk4", 16, 5}, {"midpoint", 6, 4}, {"euler", 16, 17}} {
		v := s.Config()
		v.Solver, v.NFE, v.T = tc.solver, tc.nfe, 1
		if !SameRun(v, s.Config()) {
			t.Fatalf("test %d: solver settings are not view settings", i)
		}
		s.SetView(v)
		s.Settle()
		if got := len(s.traj); got != tc.states || s.Config().Solver != tc.solver {
			t.Errorf("test %d: %s with nfe %d: %d states, want %d", i, tc.solver, tc.nfe, got, tc.states)
		}
		if got := s.Status().Step; got != 5 {
			t.Errorf("test %d: SetView changed the run: step %d", i, got)
		}
		if k := slot(1); len(s.arrows[k]) != 2*fmArrowsN*fmArrowsN || s.arrowGen[k] != s.viewGen {
			t.Errorf("test %d: arrows at t = 1 missing or stale after a new snapshot", i)
		}
	}
	// back to the first solver: the same paths as before
	for i, v := range s.traj[len(s.traj)-1] {
		if v != first[i] {
			t.Fatalf("particle coordinate %d: %v after switching back, %v before", i, v, first[i])
		}
	}
	// the shown time moves the particles: t = 0 is the base
	v := s.Config()
	v.T = 0
	s.SetView(v)
	if got := s.particlesAt(s.timeShown(time.Now())); got[0] != s.base[0] || got[1] != s.base[1] {
		t.Errorf("particles at t = 0: %v, want the base draws %v", got[:2], s.base[:2])
	}
}

// TestFMSceneAnimates checks that with t = -1 the time shown runs from 0 to
// 1 and the picture changes between frames.
func TestFMSceneAnimates(t *testing.T) {
	t.Parallel()
	c := smallFM()
	c.T, c.Autoplay = -1, false
	s, err := NewFMScene(c)
	if err != nil {
		t.Fatal(err)
	}
	s.Settle()
	seen := map[int]bool{}
	start := s.clock
	for k := 0; k <= 46; k++ {
		// sample the cycle every 0.1 s without waiting for it
		tt := s.timeShown(start.Add(time.Duration(k) * 100 * time.Millisecond))
		if tt < 0 || tt > 1 {
			t.Fatalf("time shown %v outside [0, 1]", tt)
		}
		seen[int(math.Round(tt*4))] = true
	}
	if len(seen) != 5 {
		t.Errorf("one cycle showed the times %v (in quarters), want all of 0…4", seen)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 600, 400))
	// 1.4 s into the cycle (t ≈ 0.33), then a second later (t ≈ 0.67)
	s.clock = time.Now().Add(-1400 * time.Millisecond)
	s.Draw(dst)
	s.clock = s.clock.Add(-time.Second)
	if !s.Draw(dst) {
		t.Errorf("an animating scene did not redraw")
	}
}

func TestFMSceneSameSeedSameRun(t *testing.T) {
	t.Parallel()
	c := smallFM()
	c.OT = true
	run := func() float64 {
		s, err := NewFMScene(c)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			s.Step()
		}
		return s.Status().Loss
	}
	if a, b := run(), run(); a != b {
		t.Errorf("same config, different losses: %v and %v", a, b)
	}
}

func TestFMSpecForQR(t *testing.T) {
	t.Parallel()
	c := smallFM()
	if s := FMSpec(c); s.SpaceFreqs != 0 || s.TimeSkew != 0 || s.Hidden != 24 || s.Layers != 2 {
		t.Errorf("double-gaussian: %+v, want the default network at the config's size", s)
	}
	c.Data = "qr:likelab"
	s := FMSpec(c)
	if s.SpaceFreqs != fmQRSpaceFreqs || s.TimeSkew != 2 || s.Activation != "relu" {
		t.Errorf("qr:likelab: %+v, want the QR demo's network", s)
	}
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}
