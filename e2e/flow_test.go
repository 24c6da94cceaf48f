package e2e

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The talk's page: / trains an 8-layer RealNVP on double-gaussian.

func TestFlowSceneTrains(t *testing.T) {
	b := openPage(t, "")
	checkFlowScene(t, b, "flow")
}

func TestFramePacing(t *testing.T) {
	b := openPage(t, "", longTaskScript)
	checkFramePacing(t, b)
}

// moonsHash is the scene the test switches to: another target, a smaller model.
const moonsHash = "scene=flow&data=moons&layers=4&hidden=32&seed=3"

// checkFlowScene drives an open flow page through the scenario a lecturer would: it
// trains, it follows a new hash, it survives a bad one. TestHarnessSelfCheck runs
// the same function against a fake page, so the scenario itself is tested.
func checkFlowScene(t *testing.T, b *browser, name string) {
	t.Helper()
	ctx := b.ctx

	// 1. Training starts and makes progress: ≥ 200 more steps and a lower loss.
	first, err := poll(ctx, 60*time.Second, "the first training step", func(s Status) bool { return s.Step > 0 })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first status: %+v", first)
	if first.Error != "" {
		t.Errorf("status error on the default page: %q", first.Error)
	}
	trained, err := poll(ctx, 45*time.Second, "200 more steps and a lower loss", func(s Status) bool {
		return s.Step >= first.Step+200 && isFinite(s.Loss) && s.Loss < first.Loss
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after training: %+v", trained)
	if trained.Error != "" {
		t.Errorf("status error while training: %q", trained.Error)
	}
	checkCanvas(t, ctx, name+"-1-default")

	// 2. A new hash restarts the scene, which trains again.
	before, err := status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval[chromedp.Void](ctx, `window.likelab.configure(`+jsString(moonsHash)+`)`); err != nil {
		t.Fatalf("configure(%q): %v", moonsHash, err)
	}
	restarted, err := poll(ctx, 20*time.Second, "the step count to restart after configure", func(s Status) bool {
		return s.Step < before.Step
	})
	if err != nil {
		t.Fatal(err)
	}
	moons, err := poll(ctx, 45*time.Second, "100 steps of the reconfigured scene", func(s Status) bool {
		return s.Step >= restarted.Step+100
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after configure(%q): %+v", moonsHash, moons)
	if moons.Error != "" {
		t.Errorf("status error after a valid configure: %q", moons.Error)
	}
	if moons.Scene != "flow" {
		t.Errorf("scene %q after configure(%q), want flow", moons.Scene, moonsHash)
	}
	if h, err := eval[string](ctx, `location.hash`); err == nil {
		t.Logf("location.hash: %s", h)
	}
	checkCanvas(t, ctx, name+"-2-moons")

	// 3. A bad hash shows a message and the page keeps working.
	threw, err := eval[string](ctx, `(() => {
		try { window.likelab.configure("layers=banana"); return ""; }
		catch (e) { return String(e); }
	})()`)
	if err != nil {
		t.Fatalf(`configure("layers=banana"): %v`, err)
	}
	if threw != "" {
		t.Logf(`configure("layers=banana") threw: %s`, threw)
	}
	var msg message
	deadline := time.Now().Add(10 * time.Second)
	for {
		msg, err = eval[message](ctx, messageJS)
		if (err == nil && msg.Text != "" && msg.Visible) || time.Now().After(deadline) {
			break
		}
		time.Sleep(pollInterval)
	}
	if err != nil {
		t.Fatalf("reading #message: %v", err)
	}
	if !msg.Found {
		t.Fatalf("the page has no #message element")
	}
	if msg.Text == "" || !msg.Visible {
		t.Errorf(`after configure("layers=banana"): #message text %q, visible %v; want a visible message`, msg.Text, msg.Visible)
	}
	t.Logf("message: %q", msg.Text)
	after, err := status(ctx)
	if err != nil {
		t.Fatalf("status() after a bad hash: %v", err)
	}
	if after.Error == "" && msg.Text == "" {
		t.Errorf("a bad hash left neither status().error nor #message set")
	}
	if err := waitSteps(t, b, 30*time.Second, 100); err != nil {
		t.Errorf("after a bad hash: %v", err)
	}
	checkCanvas(t, ctx, name+"-3-bad-setting")
}

// message is what messageJS reads of #message.
type message struct {
	Found   bool   `json:"found"`
	Text    string `json:"text"`
	Visible bool   `json:"visible"`
}

const messageJS = `(() => {
	const m = document.querySelector("#message");
	if (!m) return { found: false, text: "", visible: false };
	const r = m.getBoundingClientRect(), st = getComputedStyle(m);
	return {
		found: true,
		text: m.textContent.trim(),
		visible: r.width > 0 && r.height > 0 && st.visibility !== "hidden" && st.display !== "none",
	};
})()`

// waitSteps waits until the page has trained n more steps, counting across a restart
// of the step counter (a reconfigured scene starts again from 0).
func waitSteps(t *testing.T, b *browser, timeout time.Duration, n int) error {
	t.Helper()
	last, progress := -1, 0
	_, err := poll(b.ctx, timeout, "training to go on", func(s Status) bool {
		switch {
		case last < 0:
		case s.Step >= last:
			progress += s.Step - last
		default: // restarted
			progress += s.Step
		}
		last = s.Step
		return progress >= n
	})
	return err
}

// checkFramePacing measures how training affects the page's frames: it counts
// animation frames over 3 s while training and 3 s paused, and reads the main-thread
// long tasks. The design goal is no task over 50 ms and training fps ≥ 0.9 × paused
// (issue 7). On an idle 2-core machine, where headless Chromium renders WebGL2 in
// software beside the training worker, the page measured 0.89–0.93 and no long task
// after start-up; the test asserts looser bounds (100 ms, 0.8), so that noise does not
// fail it but a large regression does: a multisampled canvas (0.62–0.67) would.
func checkFramePacing(t *testing.T, b *browser) {
	t.Helper()
	const (
		// startup is excluded from the long-task check: compiling the wasm and Go's
		// package init block the main thread ~0.5 s by design (NOTES-browser.md).
		startup     = 5000.0 // ms since navigation
		maxLongTask = 100.0  // ms
		minFPSRatio = 0.8
		window      = 3 * time.Second
	)
	ctx := b.ctx
	if _, err := poll(ctx, 60*time.Second, "the first training step", func(s Status) bool { return s.Step > 0 }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		now, err := eval[float64](ctx, `performance.now()`)
		if err != nil {
			t.Fatal(err)
		}
		if now >= startup {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("performance.now() stuck at %.0f ms", now)
		}
		time.Sleep(time.Duration(startup-now) * time.Millisecond)
	}

	s0, err := status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	training, err := frameRate(ctx, window)
	if err != nil {
		t.Fatalf("counting frames while training: %v", err)
	}
	s1, err := status(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := eval[chromedp.Void](ctx, `window.likelab.pause()`); err != nil {
		t.Fatalf("pause(): %v", err)
	}
	time.Sleep(300 * time.Millisecond) // let a step in flight finish
	p0, err := status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paused, err := frameRate(ctx, window)
	if err != nil {
		t.Fatalf("counting frames while paused: %v", err)
	}
	p1, err := status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval[chromedp.Void](ctx, `window.likelab.play && window.likelab.play()`); err != nil {
		t.Errorf("play(): %v", err)
	}

	tasks, err := longTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var worst, worstAt float64
	late := 0
	for _, lt := range tasks {
		if lt.Start < startup {
			continue
		}
		late++
		if lt.Duration > worst {
			worst, worstAt = lt.Duration, lt.Start
		}
	}
	t.Logf("frames: %.1f fps training (%d steps in %v), %.1f fps paused (%d steps while paused); ratio %.2f (goal ≥ 0.9)",
		training, s1.Step-s0.Step, window, paused, p1.Step-p0.Step, training/paused)
	t.Logf("status: %.0f steps/s, %.1f fps (as the page reports them)", s1.StepsPerSec, s1.FPS)
	t.Logf("long tasks after %.0f ms: %d, longest %.0f ms at %.0f ms (goal ≤ 50 ms); %d in all",
		startup, late, worst, worstAt, len(tasks))
	if paused < 1 {
		t.Errorf("only %.2f fps while paused: the page is not drawing", paused)
	}
	// Frame pacing says something about the page only when the page has the
	// machine's cores: with many more runnable processes than cores, every
	// task stretches by the queue length and the figures measure the queue.
	if load, ok := loadAverage(); ok && load > 2*float64(runtime.NumCPU()) {
		t.Logf("not judging frame pacing: load average %.1f on %d cores (the page did draw, %.1f fps paused)",
			load, runtime.NumCPU(), paused)
		return
	}
	if worst > maxLongTask {
		t.Errorf("a main-thread task took %.0f ms at %.0f ms, want ≤ %.0f ms after startup", worst, worstAt, maxLongTask)
	}
	if training < minFPSRatio*paused {
		t.Errorf("%.1f fps while training vs %.1f paused: ratio %.2f, want ≥ %.1f", training, paused, training/paused, minFPSRatio)
	}
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// loadAverage is the one-minute load average, where the system reports it.
func loadAverage() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	var l float64
	if _, err := fmt.Sscanf(string(b), "%f", &l); err != nil {
		return 0, false
	}
	return l, true
}

// TestPictureRegions checks the way pictures travel from the training worker
// to the screen: only the regions that changed are posted, patched into the
// page's copy and drawn (render.Changed). After training on two scenes, the
// worker's picture, the page's copy and the screen (read back from WebGL,
// drawn whole only for a whole new picture) must be the same pixels, and
// most pictures must have come as regions, or the test would not have
// tested them.
func TestPictureRegions(t *testing.T) {
	b := openPage(t, "?testhooks=1")
	ctx := b.ctx
	// only regions reach the screen after the first picture: no periodic
	// whole redraw that would cover a region drawn in the wrong place
	if _, err := poll(ctx, 30*time.Second, "the page's API", func(Status) bool { return true }); err != nil {
		t.Fatal(err)
	}
	if _, err := eval[chromedp.Void](ctx, `window.likelab.drawRegionsOnly()`); err != nil {
		t.Fatal(err)
	}
	first, err := poll(ctx, 60*time.Second, "the first training step", func(s Status) bool { return s.Step > 0 })
	if err != nil {
		t.Fatal(err)
	}
	trained, err := poll(ctx, 30*time.Second, "100 steps", func(s Status) bool { return s.Step > first.Step+100 })
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := eval[string](ctx, `window.likelab.configure(`+jsString(moonsHash)+`)`); err != nil || msg != "" {
		t.Fatalf("configure(moons): %q, %v", msg, err)
	}
	// the new scene starts again from step 0
	if _, err := poll(ctx, 30*time.Second, "the moons scene", func(s Status) bool { return s.Step < trained.Step }); err != nil {
		t.Fatal(err)
	}
	if _, err := poll(ctx, 30*time.Second, "100 steps on moons", func(s Status) bool { return s.Step > 100 }); err != nil {
		t.Fatal(err)
	}
	if _, err := eval[chromedp.Void](ctx, `window.likelab.pause()`); err != nil {
		t.Fatal(err)
	}
	type check struct {
		Host, Page, Screen string
		Partial            int
	}
	var last check
	// The page catches up with the worker's last picture within a frame or
	// two of its reply; paused, the picture stops changing, so the three
	// agree from then on.
	for try := 0; try < 10; try++ {
		time.Sleep(300 * time.Millisecond)
		if _, err := eval[chromedp.Void](ctx, `window.likelab.checkPicture()`); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			c, err := eval[*check](ctx, `window.likelab.status().pictureCheck`)
			if err != nil {
				t.Fatal(err)
			}
			if c != nil {
				last = *c
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("checkPicture() gave no answer in 5 s")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if last.Host != "" && last.Host == last.Page && last.Page == last.Screen {
			break
		}
	}
	t.Logf("pictures: %+v", last)
	if last.Host == "" || last.Host == "local" {
		t.Fatalf("no worker picture to compare (%q): the page trains without its worker", last.Host)
	}
	if last.Host != last.Page || last.Page != last.Screen {
		t.Errorf("the copies of the picture differ: worker %s, page %s, screen %s", last.Host, last.Page, last.Screen)
	}
	if last.Partial < 10 {
		t.Errorf("only %d pictures came as regions: the regions were hardly tested", last.Partial)
	}
	checkCanvas(t, ctx, "picture-regions")
}
