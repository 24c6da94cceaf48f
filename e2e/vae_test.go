package e2e

import (
	"testing"
	"time"
)

// TestVAESceneTrains opens the VAE scene on the procedural fruits: training
// progresses in the page and the picture is drawn.
func TestVAESceneTrains(t *testing.T) {
	b := openPage(t, "#scene=vae&hidden=64")
	st, err := poll(b.ctx, 120*time.Second, "30 VAE steps", func(s Status) bool { return s.Step >= 30 })
	if err != nil {
		t.Fatal(err)
	}
	if st.Error != "" || st.Scene != "vae" {
		t.Errorf("status %+v", st)
	}
	t.Logf("vae scene: %+v", st)
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, b.ctx, "vae-scene")
	b.check(t)
}

// TestMorphSceneSwitchesPath opens apple → banana, then switches the path
// and the endpoints as the panel does: the run goes on (they are view
// settings) and the picture keeps drawing.
func TestMorphSceneSwitchesPath(t *testing.T) {
	b := openPage(t, "#scene=morph&hidden=64")
	before, err := poll(b.ctx, 120*time.Second, "30 steps of the morph's VAE", func(s Status) bool { return s.Step >= 30 })
	if err != nil {
		t.Fatal(err)
	}
	waitForPicture(t, b, 60*time.Second)
	checkCanvas(t, b.ctx, "morph-flow")
	if _, err := eval[any](b.ctx, `window.likelab.configure("scene=morph&hidden=64&path=linear&from=lemon&to=strawberry")`); err != nil {
		t.Fatal(err)
	}
	after, err := poll(b.ctx, 60*time.Second, "training to go on after the path change", func(s Status) bool { return s.Step > before.Step+10 })
	if err != nil {
		t.Fatalf("%v (a path change must not restart the run)", err)
	}
	if after.Error != "" {
		t.Errorf("status %+v", after)
	}
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, b.ctx, "morph-linear-lemon-strawberry")
	b.check(t)
}

// TestMorphPresetStartsTrained opens the "morph" preset: its VAE was
// trained in advance (make presets) and ships in the worker, so the page
// starts at the shipped step with fruit-like frames at once.
func TestMorphPresetStartsTrained(t *testing.T) {
	b := openPage(t, "#scene=morph&hidden=64&pretrained=1&autoplay=0")
	st, err := poll(b.ctx, 90*time.Second, "the shipped VAE", func(s Status) bool { return s.Step >= 4000 })
	if err != nil {
		t.Fatal(err)
	}
	if st.Error != "" {
		t.Errorf("preset: %q", st.Error)
	}
	// the first morph waits for the latent flow's fit (400 steps, seconds
	// in wasm): wait for the picture before judging it
	waitForPicture(t, b, 90*time.Second)
	checkCanvas(t, b.ctx, "preset-morph")
	b.check(t)
}

// waitForPicture waits until the canvas shows more than text (the morph's
// "fitting…" message), looking every two seconds.
func waitForPicture(t *testing.T, b *browser, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r, err := canvasRect(b.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, colours := canvasStats(screenshot(t, b.ctx, "waiting"), r); colours >= minCanvasColours || time.Now().After(deadline) {
			return
		}
		time.Sleep(2 * time.Second)
	}
}
