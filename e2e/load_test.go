package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"likelab/core/lab"
)

// savedModel is a model directory and the step its config.json records.
type savedModel struct {
	dir  string
	step int
}

// TestLoadEveryFamily saves the fm and is scenes from the page, trains a
// reverse-KL flow with the CLI, and loads each back through the file picker
// on a paused page showing another scene: the loaded scene is the model's,
// at exactly the saved step, and trains on from there when played.
func TestLoadEveryFamily(t *testing.T) {
	findChromium(t)
	site := buildSite(t)
	cli := buildCLI(t)
	base := startServer(t, site)
	b := newBrowser(t, base)
	ctx := b.ctx
	downloads := downloadsDir(t, b)

	// Train each scene a little on the page and save it.
	b.navigate(t, "#scene=fm&hidden=16&depth=2&batch=64&nfe=8&seed=3")
	fmSaved := trainAndSave(t, b, downloads, "fm")
	if _, err := eval[string](ctx, `window.likelab.configure("scene=is&energy=u2&layers=2&hidden=16&batch=64")`); err != nil {
		t.Fatal(err)
	}
	isSaved := trainAndSave(t, b, downloads, "is")

	// The CLI trains a flow by reverse KL to another energy.
	cliDir := filepath.Join(t.TempDir(), "ring")
	cmd := exec.Command(cli, "train", "flow", "--objective", "reverse-kl", "--target", "energy:ring",
		"--layers", "3", "--hidden", "8", "--steps", "20", "--batch", "64", "--out", cliDir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("likelab train: %v\n%s", err, out)
	}

	// A paused flow page loads each in turn.
	if _, err := eval[string](ctx, `window.likelab.configure("scene=flow&layers=2&hidden=8&autoplay=0")`); err != nil {
		t.Fatal(err)
	}
	if _, err := poll(ctx, 30*time.Second, "the flow scene", func(s Status) bool { return s.Scene == "flow" }); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		saved savedModel
		scene string
		hash  []string // in the page's hash after loading
	}{
		{fmSaved, "fm", []string{"scene=fm", "hidden=16", "depth=2", "nfe=8"}},
		{savedModel{cliDir, 20}, "is", []string{"scene=is", "energy=ring", "layers=3", "hidden=8"}},
		{isSaved, "is", []string{"scene=is", "energy=u2", "layers=2", "hidden=16"}},
	} {
		upload(t, b, filepath.Join(tc.saved.dir, lab.ConfigFile), filepath.Join(tc.saved.dir, lab.WeightsFile))
		if _, err := pollHash(ctx, 30*time.Second, tc.hash[1]); err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		st, err := poll(ctx, 30*time.Second, "the loaded "+tc.scene+" scene", func(s Status) bool {
			return s.Scene == tc.scene && s.Step == tc.saved.step
		})
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		h, _ := eval[string](ctx, `location.hash`)
		for _, want := range tc.hash {
			if !strings.Contains(h+"&", want+"&") {
				t.Errorf("test %d: hash %q after loading lacks %q", i, h, want)
			}
		}
		msg := waitMessage(t, b, "Loaded the model")
		time.Sleep(2 * time.Second) // the loaded model's first pictures
		screenshot(t, ctx, "load-"+tc.scene+"-"+string(rune('0'+i)))
		if again, _ := status(ctx); again.Step != tc.saved.step {
			t.Errorf("test %d: a paused loaded scene moved from step %d to %d", i, tc.saved.step, again.Step)
		}
		t.Logf("test %d: %q; status %+v", i, msg, st)
		eval[any](ctx, `window.likelab.play()`)
		if _, err := poll(ctx, 30*time.Second, "training on from the loaded step", func(s Status) bool {
			return s.Scene == tc.scene && s.Step > tc.saved.step+5
		}); err != nil {
			t.Errorf("test %d: %v", i, err)
		}
		eval[any](ctx, `window.likelab.pause()`)
	}
	b.check(t)
}

// trainAndSave waits for the page's scene to train a little, saves its
// model and moves the two downloaded files into a folder of their own.
func trainAndSave(t *testing.T, b *browser, downloads, scene string) savedModel {
	t.Helper()
	if _, err := poll(b.ctx, 60*time.Second, scene+" training", func(s Status) bool { return s.Scene == scene && s.Step >= 30 }); err != nil {
		t.Fatal(err)
	}
	if _, err := eval[any](b.ctx, `window.likelab.save()`); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), scene)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{lab.WeightsFile, lab.ConfigFile} {
		waitFile(t, filepath.Join(downloads, f))
		if err := os.Rename(filepath.Join(downloads, f), filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	b2, err := os.ReadFile(filepath.Join(dir, lab.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	mc, err := lab.ReadModelConfig(b2)
	if err != nil {
		t.Fatalf("the page saved a %s model the CLI cannot read: %v", scene, err)
	}
	t.Logf("saved the %s scene at step %d", scene, mc.Train.Steps)
	return savedModel{dir, mc.Train.Steps}
}

// buildCLI builds cmd/likelab and returns the binary.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "likelab")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/likelab")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/likelab: %v\n%s", err, out)
	}
	return bin
}

// downloadsDir makes the page's downloads go to a new folder, which it
// returns.
func downloadsDir(t *testing.T, b *browser) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.Call(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}
