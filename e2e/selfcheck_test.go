package e2e

import (
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fakePage stands in for the wasm app: a canvas that draws a moving density, a
// window.likelab whose status, configure, pause and play behave as the real one's
// contract says, a #message element, and hooks the self-check uses to make the
// harness's detectors fire.
const fakePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>fake likelab</title>
<style>html, body { margin: 0; height: 100%; background: #000; overflow: hidden; }
canvas { display: block; width: 100%; height: 100%; }
#message { position: fixed; bottom: 0; left: 0; right: 0; background: #600; color: #fff; }
#message:empty { display: none; }</style></head>
<body><canvas></canvas><div id="message" role="alert"></div>
<script>
"use strict";
const canvas = document.querySelector("canvas"), g = canvas.getContext("2d");
let step = 0, loss = 3, paused = false, blank = false, error = "", seed = 1;
function frame() {
  if (!paused) {
    step += 5;
    loss = 1 + 2 * Math.exp(-step / 300) + 0.01 * Math.sin(step);
  }
  const w = canvas.width = canvas.clientWidth, h = canvas.height = canvas.clientHeight;
  if (!blank) {
    const cx = w * (0.5 + 0.2 * Math.sin(step / 200 + seed)), cy = h / 2;
    const grad = g.createRadialGradient(cx, cy, 0, cx, cy, Math.min(w, h) / 2);
    grad.addColorStop(0, "#fde725"); grad.addColorStop(0.5, "#21918c"); grad.addColorStop(1, "#440154");
    g.fillStyle = grad;
    g.fillRect(0, 0, w, h);
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
window.likelab = {
  status: () => ({ scene: "flow", step, loss, stepsPerSec: 300, fps: 60, error }),
  configure(hash) {
    const m = /layers=([^&]*)/.exec(hash);
    if (m && !/^[0-9]+$/.test(m[1])) {
      error = 'layers: "' + m[1] + '" is not a whole number (1–32)';
      document.getElementById("message").textContent = error;
      return;
    }
    error = "";
    document.getElementById("message").textContent = "";
    step = 0; loss = 3; seed++;
  },
  pause() { paused = true; },
  play() { paused = false; },
};
// Hooks for the self-check. Port 9 is on Chromium's unsafe-port list, so the
// request is announced (and must be flagged) but never leaves the browser.
window.reachOut = () => fetch("http://localhost:9/e2e-probe").catch(() => {});
window.busy = (ms) => { const end = performance.now() + ms; while (performance.now() < end) {} };
window.goBlank = () => { blank = true; };
</script></body></html>
`

// TestHarnessSelfCheck runs the browser scenarios against fakePage, then makes each
// detector fire once: the harness must be able to fail, or its passes mean nothing.
func TestHarnessSelfCheck(t *testing.T) {
	findChromium(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(fakePage), 0o644); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, startServer(t, dir), longTaskScript)
	b.navigate(t, "")
	ctx := b.ctx

	checkFlowScene(t, b, "selfcheck")
	checkFramePacing(t, b)
	if foreign, problems := b.take(); len(foreign)+len(problems) > 0 {
		t.Fatalf("the fake page itself: foreign requests %q, errors %q", foreign, problems)
	}

	// A request to another host, a console error and an uncaught exception are caught.
	for _, js := range []string{
		`window.reachOut()`,
		`console.error("e2e self-check: console error")`,
		`setTimeout(() => { throw new Error("e2e self-check: uncaught") }, 0)`,
	} {
		if _, err := eval[chromedp.Void](ctx, js); err != nil {
			t.Fatalf("%s: %v", js, err)
		}
	}
	var foreign, problems []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(pollInterval) {
		f, p := b.take()
		foreign, problems = append(foreign, f...), append(problems, p...)
		if len(foreign) > 0 && hasAll(problems, "console error", "uncaught") {
			break
		}
	}
	if !slices.ContainsFunc(foreign, func(u string) bool { return strings.HasPrefix(u, "http://localhost:9/") }) {
		t.Errorf("the request to localhost:9 was not flagged; foreign: %q", foreign)
	}
	if !hasAll(problems, "e2e self-check: console error", "e2e self-check: uncaught") {
		t.Errorf("console error or exception not flagged; problems: %q", problems)
	}

	// A long task is seen by the observer. It must be a task of the page's own:
	// Chromium does not report work done inside a DevTools evaluation.
	if _, err := eval[chromedp.Void](ctx, `setTimeout(() => window.busy(300), 0)`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond) // the observer reports after the task
	tasks, err := longTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(tasks, func(lt longTask) bool { return lt.Duration >= 290 }) {
		t.Errorf("a 300 ms busy loop was not seen as a long task: %+v", tasks)
	}

	// A blank canvas is seen as blank (with the bad-hash message, which lies over
	// the canvas, cleared first).
	if _, err := eval[chromedp.Void](ctx, `window.likelab.configure(""); window.goBlank()`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // a few frames
	img := screenshot(t, ctx, "selfcheck-blank")
	r, err := canvasRect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if std, colours := canvasStats(img, r); std >= minCanvasStd || colours >= minCanvasColours {
		t.Errorf("a blank canvas passed as drawn: std %.1f, %d colours", std, colours)
	}
}

func hasAll(lines []string, subs ...string) bool {
	for _, s := range subs {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, s) }) {
			return false
		}
	}
	return true
}

// The harness's pure parts, tested without a browser.

func TestDecodeStatus(t *testing.T) {
	t.Parallel()
	want := Status{Scene: "flow", Step: 12, Loss: 2.5, StepsPerSec: 40, FPS: 30, Error: "x"}
	obj := `{"scene":"flow","step":12,"loss":2.5,"stepsPerSec":40,"fps":30,"error":"x"}`
	for i, in := range []string{
		obj,           // status() returned an object
		jsString(obj), // status() returned a JSON string
		`{"scene":"flow","step":12,"loss":2.5,"stepsPerSec":40,"fps":30,"error":"x","extra":1}`,
	} {
		got, err := decodeStatus(in)
		if err != nil || got != want {
			t.Errorf("test %d: got %+v, %v want %+v", i, got, err, want)
		}
	}
	for i, in := range []string{`undefined`, `"not json"`, `[1,2]`} {
		if _, err := decodeStatus(in); err == nil {
			t.Errorf("test %d: decodeStatus(%q): no error", i, in)
		}
	}
}

func TestIsForeign(t *testing.T) {
	t.Parallel()
	const host = "127.0.0.1:4321"
	for i, test := range []struct {
		url  string
		want bool
	}{
		{"http://127.0.0.1:4321/", false},
		{"http://127.0.0.1:4321/likelab.wasm", false},
		{"ws://127.0.0.1:4321/ws", false},
		{"data:,", false},
		{"blob:http://127.0.0.1:4321/0b9c", false},
		{"about:blank", false},
		{"http://127.0.0.1:4322/", true}, // another port is another server
		{"http://localhost:4321/", true},
		{"https://127.0.0.1:4321/", true}, // the test server speaks no TLS
		{"https://fonts.googleapis.com/css", true},
		{"chrome-extension://abc/x.js", true},
		{"%zz", true},
	} {
		if got := isForeign(test.url, host); got != test.want {
			t.Errorf("test %d: isForeign(%q): got %v want %v", i, test.url, got, test.want)
		}
	}
}

// TestCanvasStats pins the blank-canvas thresholds from both sides: blank and
// text-only canvases fall below them, a drawn picture lies above.
func TestCanvasStats(t *testing.T) {
	t.Parallel()
	const w, h = 400, 300
	r := image.Rect(0, 0, w, h)
	fill := func(c color.RGBA) *image.RGBA {
		img := image.NewRGBA(r)
		for y := range h {
			for x := range w {
				img.SetRGBA(x, y, c)
			}
		}
		return img
	}
	blank := fill(color.RGBA{0, 0, 0, 255})

	// A "Loading…" label: a 120×16 block of antialiased-looking pixels, 1.6% of the
	// canvas, in 40 grey levels.
	text := fill(color.RGBA{17, 20, 24, 255})
	rnd := rand.New(rand.NewPCG(1, 1))
	for y := 140; y < 156; y++ {
		for x := 140; x < 260; x++ {
			if rnd.IntN(3) == 0 {
				v := uint8(100 + 4*rnd.IntN(40))
				text.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			}
		}
	}

	// A density picture: a smooth two-colour gradient with noise, as a heatmap is.
	drawn := image.NewRGBA(r)
	for y := range h {
		for x := range w {
			drawn.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8(rnd.IntN(32)), 255})
		}
	}

	for i, test := range []struct {
		name string
		img  image.Image
		want bool // passes as drawn
	}{
		{"blank", blank, false},
		{"text only", text, false},
		{"drawn", drawn, true},
	} {
		std, colours := canvasStats(test.img, r)
		got := std >= minCanvasStd && colours >= minCanvasColours
		if got != test.want {
			t.Errorf("test %d (%s): std %.1f, %d colours: drawn %v want %v", i, test.name, std, colours, got, test.want)
		}
	}
	if std, colours := canvasStats(blank, r); std != 0 || colours != 1 {
		t.Errorf("blank: got std %v, %d colours want 0, 1", std, colours)
	}
	// Only the given region counts.
	if std, _ := canvasStats(drawn, image.Rect(0, 0, 1, 1)); std != 0 {
		t.Errorf("one pixel: std %v want 0", std)
	}
}
