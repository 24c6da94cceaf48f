package lab

import (
	"image"
	"testing"
	"time"
)

func TestScrub(t *testing.T) {
	t.Parallel()
	flow := Default()
	fmc := Default()
	fmc.Scene = "fm"
	at := func(c Config, v float64) Config { c.T = v; return c }
	layer := func(c Config, k int) Config { c.View, c.Layer = "layers", k; return c }
	tests := []struct {
		in   Config
		dir  int
		want Config
	}{
		{fmc, +1, at(fmc, 0)},                // from the animation, → starts at the base
		{fmc, -1, at(fmc, 1)},                // ← at the data
		{at(fmc, 0), +1, at(fmc, 0.1)},       // one step of 1/TimeSteps
		{at(fmc, 0.5), -1, at(fmc, 0.4)},     //
		{at(fmc, 1), +1, at(fmc, 1)},         // clamped at the ends
		{at(fmc, 0), -1, at(fmc, 0)},         //
		{at(fmc, 0.33), +1, at(fmc, 0.4)},    // off the grid: to the next grid point
		{at(fmc, 0.33), -1, at(fmc, 0.3)},    //
		{at(fmc, 0.7), 0, at(fmc, 0.7)},      // no direction, no change
		{flow, +1, layer(flow, 0)},           // the flow scene opens the layers view at the base
		{layer(flow, 3), +1, layer(flow, 4)}, //
		{layer(flow, 8), +1, layer(flow, 8)}, // at most every layer
		{layer(flow, 0), -1, layer(flow, 0)}, //
	}
	for i, test := range tests {
		got := Scrub(test.in, test.dir)
		// steps of 0.1 accumulate no error: t is k/TimeSteps, exactly as
		// ParseHash reads "0.4"
		if got != test.want {
			t.Errorf("test %d: got view %q layer %d t %v want %q %d %v", i, got.View, got.Layer, got.T,
				test.want.View, test.want.Layer, test.want.T)
		}
		if !SameRun(got, test.in) {
			t.Errorf("test %d: scrubbing changed the run", i)
		}
	}
	// stepping ten times from 0 reaches exactly 1 and the hash says so
	c := at(fmc, 0)
	for range TimeSteps {
		c = Scrub(c, +1)
	}
	if c.T != 1 {
		t.Errorf("ten steps from 0: got t = %v want 1", c.T)
	}
}

// TestFMSceneScrub checks that stepping t on a running fm scene is a view
// change: the model and its step count are kept, paused or training, and
// the picture follows (the flow panel is redrawn for the new time).
func TestFMSceneScrub(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Scene, c.Hidden, c.Depth, c.Batch, c.Autoplay, c.NFE = "fm", 16, 1, 64, false, 4
	s, err := NewFMScene(c)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s.Step()
	}
	s.Settle()
	dst := image.NewRGBA(image.Rect(0, 0, 300, 200))
	s.Draw(dst)
	for i, dir := range []int{+1, +1, +1, -1} {
		before := s.Status().Step
		c = Scrub(s.Config(), dir)
		s.SetView(c)
		if got := s.Status().Step; got != before {
			t.Errorf("test %d: step went from %d to %d", i, before, got)
		}
		if got := s.timeShown(time.Now()); got != c.T {
			t.Errorf("test %d: time shown %v want %v", i, got, c.T)
		}
		if !s.Draw(dst) {
			t.Errorf("test %d: the picture was not redrawn for t = %v", i, c.T)
		}
		if i == 1 {
			s.SetPlaying(true) // and while training
			s.Work(5 * time.Millisecond)
		}
	}
	if got := s.Config().T; got != 0.1 {
		t.Errorf("after → → → ←: got t = %v want 0.1", got)
	}
}
