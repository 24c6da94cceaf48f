package lab

import (
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"likelab/render"
)

func TestFlowSceneTrainsAndDraws(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Batch = 4, 16, 64
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Playing() {
		t.Fatalf("autoplay=1 scene is paused")
	}
	for i := 0; i < 40; i++ {
		s.Work(5 * time.Millisecond)
	}
	st := s.Status()
	if st.Step < 40 || math.IsNaN(st.Loss) || st.Error != "" || st.Scene != "flow" {
		t.Errorf("after 40 slices: %+v", st)
	}
	if math.IsNaN(st.HeldOut) || math.Abs(st.Entropy-2.14) > 0.05 {
		t.Errorf("held-out NLL %v, entropy %v (want ≈ log(2πe·0.25)+log 2 = 2.14)", st.HeldOut, st.Entropy)
	}
	dst := image.NewRGBA(image.Rect(0, 0, 800, 500))
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
		t.Errorf("picture has %d colours; a heatmap and chart have hundreds", len(colours))
	}
	if dir := os.Getenv("LIKELAB_PICTURES"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "flowscene.png"))
		render.EncodePNG(f, dst)
		f.Close()
	}
	// commands
	if err := Apply(s, "pause"); err != nil || s.Playing() {
		t.Errorf("pause: %v, playing %v", err, s.Playing())
	}
	before := s.Status().Step
	Apply(s, "step")
	if got := s.Status().Step; got != before+1 {
		t.Errorf("step: got step %d want %d", got, before+1)
	}
	s.Work(time.Millisecond)
	if got := s.Status().Step; got != before+1 {
		t.Errorf("a paused scene trained: step %d", got)
	}
	if err := Apply(s, "explode"); err == nil {
		t.Errorf("unknown command accepted")
	}
}

func TestSameSeedSameRun(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Batch, c.Data = 2, 8, 32, "moons"
	run := func() float64 {
		s, err := NewFlowScene(c)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 25; i++ {
			s.Step()
		}
		return s.Status().Loss
	}
	if a, b := run(), run(); a != b {
		t.Errorf("same config, different losses: %v and %v", a, b)
	}
}

func TestHistoryThins(t *testing.T) {
	t.Parallel()
	var h history
	for i := 0; i < 100*maxHistory; i++ {
		h.add(float64(i), float64(i))
	}
	if len(h.x) > maxHistory || len(h.x) < maxHistory/4 {
		t.Errorf("history holds %d points, want between %d and %d", len(h.x), maxHistory/4, maxHistory)
	}
	if h.x[0] != 0 || h.x[len(h.x)-1] < 90*maxHistory {
		t.Errorf("history spans %v…%v, want the whole run", h.x[0], h.x[len(h.x)-1])
	}
}

// TestFlowSceneLayouts draws the scene at the sizes it meets — a laptop
// page, a projector, a wide slide iframe, a phone — and checks that the
// picture is not blank in any of them (LIKELAB_PICTURES=dir saves them).
func TestFlowSceneLayouts(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Batch = 2, 8, 32
	s, err := NewFlowScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		s.Work(2 * time.Millisecond)
	}
	for _, size := range []image.Point{{980, 657}, {1920, 1080}, {1180, 430}, {360, 640}} {
		dst := image.NewRGBA(image.Rectangle{Max: size})
		s.dirty = true
		s.Draw(dst)
		colours := map[[4]uint8]bool{}
		for i := 0; i < len(dst.Pix); i += 4 {
			colours[[4]uint8(dst.Pix[i:i+4])] = true
		}
		if len(colours) < 100 {
			t.Errorf("%v: %d colours, the picture is nearly blank", size, len(colours))
		}
		if dir := os.Getenv("LIKELAB_PICTURES"); dir != "" {
			f, _ := os.Create(filepath.Join(dir, fmt.Sprintf("flowscene-%dx%d.png", size.X, size.Y)))
			render.EncodePNG(f, dst)
			f.Close()
		}
	}
}

// TestLayersView traces the base through every layer: layer 0 is the base
// itself, the last is the model's samples of the same base points, and the
// view can change while the run goes on.
func TestLayersView(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Layers, c.Hidden, c.Batch = 4, 16, 64
	s, err := NewFlowScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		s.Work(3 * time.Millisecond)
	}
	step := s.Status().Step
	v := c
	v.View, v.Layer = "layers", 2
	if !SameRun(c, v) {
		t.Fatal("a view change is not the same run")
	}
	s.SetView(v)
	lt := s.layers
	if len(lt.layers) != 5 {
		t.Fatalf("%d traced layers for a 4-layer flow, want 5 (base + 4)", len(lt.layers))
	}
	for i, x := range lt.layers[0] {
		if x != lt.base[i] {
			t.Fatalf("layer 0 differs from the base at %d", i)
		}
	}
	if s.Status().Step != step {
		t.Errorf("changing the view changed the run")
	}
	if got := lt.position(2, time.Now()); got != 2 {
		t.Errorf("fixed layer 2: position %v", got)
	}
	for _, dt := range []float64{0, 1, 3, 5, 8} {
		if p := lt.position(-1, lt.start.Add(time.Duration(dt*float64(time.Second)))); p < 0 || p > 4 {
			t.Errorf("animation at %vs: layer %v outside 0…4", dt, p)
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, 900, 500))
	if !s.Draw(dst) {
		t.Fatal("nothing drawn")
	}
	if dir := os.Getenv("LIKELAB_PICTURES"); dir != "" {
		f, _ := os.Create(filepath.Join(dir, "flowscene-layers.png"))
		render.EncodePNG(f, dst)
		f.Close()
	}
}
