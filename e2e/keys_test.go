package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyboardInEmbedMode drives an embedded page (no panel) from the
// keyboard, as a lecturer does on a slide: space pauses, n takes one step,
// → switches to the layers view without restarting the run.
func TestKeyboardInEmbedMode(t *testing.T) {
	b := openPage(t, "#data=moons&layers=4&hidden=32&embed=1")
	ctx := b.ctx
	if _, err := poll(ctx, 60*time.Second, "training", func(s Status) bool { return s.Step > 20 }); err != nil {
		t.Fatal(err)
	}
	if hidden, _ := eval[bool](ctx, `getComputedStyle(document.getElementById("panel")).display === "none"`); !hidden {
		t.Errorf("embed=1 shows the panel")
	}
	r, err := canvasRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Ebiten listens on the canvas: click it to give it the focus
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(float64(r.Min.X+r.Dx()/2), float64(r.Min.Y+r.Dy()/2))); err != nil {
		t.Fatal(err)
	}
	playing := func() bool { p, _ := eval[bool](ctx, `window.likelab.status().playing`); return p }
	press := func(key string) { t.Helper(); pressKey(t, ctx, key) } // presets_test.go
	press(" ")
	if playing() {
		t.Fatalf("space did not pause")
	}
	paused, _ := status(ctx)
	time.Sleep(time.Second)
	if again, _ := status(ctx); again.Step != paused.Step {
		t.Errorf("paused, yet the step moved from %d to %d", paused.Step, again.Step)
	}
	press("n")
	if st, _ := status(ctx); st.Step != paused.Step+1 {
		t.Errorf("n: step %d, want %d", st.Step, paused.Step+1)
	}
	press(" ")
	if !playing() {
		t.Errorf("space did not resume")
	}
	before, _ := status(ctx)
	press(kbRight)
	if h, err := pollHash(ctx, 10*time.Second, "view=layers"); err != nil || !containsAll(h, "layer=0") {
		t.Errorf("→ did not switch to the layers view: %q (%v)", h, err)
	}
	if _, err := poll(ctx, 20*time.Second, "the run to go on in the layers view", func(s Status) bool { return s.Step > before.Step+10 }); err != nil {
		t.Error(err)
	}
	checkCanvas(t, ctx, "keyboard-embed")
}

// kbRight is the right arrow as chromedp's KeyEvent takes it.
const kbRight = kb.ArrowRight

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
