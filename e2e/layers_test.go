package e2e

import (
	"testing"
	"time"
)

// TestLayersViewKeepsTraining switches a training page to the layers view
// (the base grid deforming into the data) through the URL: the run must go
// on rather than restart, and the picture must show the view.
func TestLayersViewKeepsTraining(t *testing.T) {
	b := openPage(t, "#data=moons&layers=6&hidden=32")
	ctx := b.ctx
	before, err := poll(ctx, 60*time.Second, "100 steps", func(s Status) bool { return s.Step >= 100 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval[any](ctx, `window.likelab.configure("data=moons&layers=6&hidden=32&view=layers&layer=3")`); err != nil {
		t.Fatal(err)
	}
	after, err := poll(ctx, 20*time.Second, "training to go on in the layers view", func(s Status) bool { return s.Step > before.Step+50 })
	if err != nil {
		t.Fatalf("%v (a view change must not restart the run)", err)
	}
	if h, _ := eval[string](ctx, `location.hash`); h != "#scene=flow&data=moons&layers=6&hidden=32&view=layers&layer=3" {
		t.Errorf("hash after the view change: %q", h)
	}
	time.Sleep(1500 * time.Millisecond) // a frame with the new view
	t.Logf("layers view: %+v", after)
	checkCanvas(t, ctx, "layers-view")
}

// TestPresetStartsTrained opens the "layers" preset: its model was trained
// in advance (make presets), so the page starts at step 3000, not 0.
func TestPresetStartsTrained(t *testing.T) {
	b := openPage(t, "#scene=flow&data=moons&hidden=64&pretrained=1&view=layers")
	st, err := poll(b.ctx, 60*time.Second, "the shipped model", func(s Status) bool { return s.Step >= 3000 })
	if err != nil {
		t.Fatal(err)
	}
	if st.Error != "" {
		t.Errorf("preset: %q", st.Error)
	}
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, b.ctx, "preset-layers")
}
