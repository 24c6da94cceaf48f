package e2e

import (
	"context"
	"image/color"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"likelab/core/lab"
)

// TestEveryPreset opens every preset of the panel's menu (lab.Presets) from
// its link, as a lecturer's bookmark does: the page must run its scene
// with no error, start a shipped model at its shipped step, and train on
// (every preset autoplays); a screenshot of each goes to screenshotDir.
func TestEveryPreset(t *testing.T) {
	b := openBrowser(t)
	ctx := b.ctx
	for _, p := range lab.Presets {
		want, err := lab.ParseHash(p.Hash)
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		// a query of its own makes each preset a fresh page load, not a
		// hash change of the last one
		b.navigate(t, "?preset="+p.Name+"#"+p.Hash)
		first, err := poll(ctx, 60*time.Second, p.Name+" running", func(s Status) bool {
			return s.Scene == want.Scene && s.Step >= p.Steps && s.Step > 0
		})
		if err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
			continue
		}
		st, err := poll(ctx, 30*time.Second, p.Name+" training on", func(s Status) bool { return s.Step > first.Step })
		if err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
		if st.Error != "" {
			t.Errorf("preset %s: error %q", p.Name, st.Error)
		}
		t.Logf("preset %s: step %d → %d, %.0f steps/s", p.Name, first.Step, st.Step, st.StepsPerSec)
		// the morph's first frames wait for its latent flow's fit
		waitForPicture(t, b, 60*time.Second)
		checkCanvas(t, ctx, "preset-"+p.Name)
	}
}

// TestLightTheme opens the talk's preset with theme=light: the page and
// the picture are light (the canvas's corner is the picture's background,
// not the dark theme's), and in the flow-matching scene → and ← step the
// time shown while the model trains on.
func TestLightTheme(t *testing.T) {
	b := openBrowser(t)
	ctx := b.ctx
	b.navigate(t, "#scene=flow&pretrained=1&theme=light")
	if _, err := poll(ctx, 60*time.Second, "the shipped model", func(s Status) bool { return s.Step > 3000 }); err != nil {
		t.Fatal(err)
	}
	if light, _ := eval[bool](ctx, `document.documentElement.classList.contains("light")`); !light {
		t.Errorf("theme=light: the page has no light class")
	}
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, ctx, "theme-light")
	img := screenshot(t, ctx, "theme-light-page")
	r, err := canvasRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// a few pixels in from the canvas's corner: the picture's background
	if c := color.RGBAModel.Convert(img.At(r.Min.X+3, r.Min.Y+3)).(color.RGBA); luma(c) < 200 {
		t.Errorf("theme=light: the picture's corner is %v, not light", c)
	}
	panel, _ := eval[string](ctx, `getComputedStyle(document.getElementById("panel")).backgroundColor`)
	if !strings.HasPrefix(panel, "rgb(2") { // rgb(241, 241, 236)
		t.Errorf("theme=light: the panel's background is %s", panel)
	}

	// flow matching's time scrub, on the canvas's keys
	if _, err := eval[any](ctx, `window.likelab.configure("scene=fm&hidden=32&depth=2&theme=light")`); err != nil {
		t.Fatal(err)
	}
	// the scene's name changes at once, the step only when the worker has
	// built the new run: the talk's flow was past 3000
	before, err := poll(ctx, 60*time.Second, "fm training", func(s Status) bool {
		return s.Scene == "fm" && s.Step > 10 && s.Step < 3000
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(float64(r.Min.X+r.Dx()/2), float64(r.Min.Y+r.Dy()/2))); err != nil {
		t.Fatal(err)
	}
	t.Logf("fm: %+v", before)
	pressKey(t, ctx, kb.ArrowRight)
	if h, err := pollHash(ctx, 10*time.Second, "t=0"); err != nil {
		t.Errorf("→ in the fm scene did not fix t at 0: %q (%v)", h, err)
	}
	pressKey(t, ctx, kb.ArrowRight)
	if h, err := pollHash(ctx, 10*time.Second, "t=0.1"); err != nil {
		t.Errorf("a second → did not step t to 0.1: %q (%v)", h, err)
	}
	if st, err := poll(ctx, 30*time.Second, "training to go on while t is scrubbed", func(s Status) bool {
		return s.Scene == "fm" && s.Step > before.Step+10
	}); err != nil {
		t.Errorf("%v (a time step must not restart the run)", err)
	} else {
		t.Logf("fm after scrubbing: %+v", st)
	}
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, ctx, "theme-light-fm-t0.1")
}

// TestHiDPI opens the page on an emulated 2× screen: the canvas's buffer
// has twice its CSS width (the picture is drawn at device pixels, not
// stretched), and the picture is not blank.
func TestHiDPI(t *testing.T) {
	b := openBrowser(t)
	ctx := b.ctx
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 1280, Height: 800, DeviceScaleFactor: 2}); err != nil {
		t.Fatal(err)
	}
	b.navigate(t, "#scene=flow&pretrained=1")
	if _, err := poll(ctx, 60*time.Second, "the shipped model", func(s Status) bool { return s.Step > 3000 }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	sizes, err := eval[[]float64](ctx, `(() => {
		const c = document.querySelector("canvas");
		return [c.width, c.clientWidth, c.height, c.clientHeight, window.devicePixelRatio];
	})()`)
	if err != nil || len(sizes) != 5 {
		t.Fatalf("canvas sizes: %v %v", sizes, err)
	}
	t.Logf("canvas %v×%v buffer for %v×%v CSS pixels at devicePixelRatio %v", sizes[0], sizes[2], sizes[1], sizes[3], sizes[4])
	// 2 pixels of rounding either way
	if math.Abs(sizes[0]-2*sizes[1]) > 2 || math.Abs(sizes[2]-2*sizes[3]) > 2 {
		t.Errorf("canvas buffer %v×%v, want twice its CSS size %v×%v", sizes[0], sizes[2], sizes[1], sizes[3])
	}
	checkCanvas(t, ctx, "hidpi-2x")
}

// pressKey holds key down long enough for Ebiten to see it (it reads keys
// once a frame, and a busy machine's frames are long).
func pressKey(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	for _, k := range kb.Encode([]rune(key)[0]) {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, *k); err != nil {
			t.Fatal(err)
		}
		if k.Type == input.DispatchKeyEventTypeKeyDown || k.Type == input.DispatchKeyEventTypeRawKeyDown {
			time.Sleep(700 * time.Millisecond)
		}
	}
	time.Sleep(700 * time.Millisecond)
}

// luma is a colour's Rec. 601 grey level, 0–255.
func luma(c color.RGBA) float64 { return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B) }
