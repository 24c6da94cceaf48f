package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"likelab/core/lab"
)

// TestLoadVAEWithImages loads a VAE trained outside the page — as a
// lecturer trains the talk's MNIST VAE natively — on a page that has none
// of its images: the model's files alone are refused with a message saying
// which images to pick, and nothing changes; picked together with its .npy
// files, the model comes back in the vae scene at its saved step, on those
// images, and trains on when played; the page keeps the images, so the
// model's files alone then load on them.
func TestLoadVAEWithImages(t *testing.T) {
	findChromium(t)
	dir := t.TempDir()
	apples, bananas := filepath.Join(dir, "grey apple.npy"), filepath.Join(dir, "grey banana.npy")
	writeFile(t, apples, greyFruitNPY(t, "apple", uploadImages))
	writeFile(t, bananas, greyFruitNPY(t, "banana", uploadImages))
	model := filepath.Join(dir, "model")
	trainVAE(t, model, apples, bananas)
	config, weights := filepath.Join(model, lab.ConfigFile), filepath.Join(model, lab.WeightsFile)

	base := startServer(t, buildSite(t))
	b := newBrowser(t, base)
	ctx := b.ctx
	b.navigate(t, "#scene=vae&hidden=16&autoplay=0")
	if _, err := poll(ctx, 60*time.Second, "the fruit VAE", func(s Status) bool { return s.Scene == "vae" }); err != nil {
		t.Fatal(err)
	}

	// the model alone: its images are not here
	upload(t, b, config, weights)
	msg := waitMessage(t, b, "not loaded")
	t.Logf("model alone: %q", msg)
	for _, want := range []string{"28×28 grey images (mnist)", "pick its images together with", "the current one is kept"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message %q does not say %q", msg, want)
		}
	}
	time.Sleep(time.Second) // a scene wrongly built would show by now
	screenshot(t, ctx, "loadvae-refused")
	if h, _ := eval[string](ctx, `location.hash`); strings.Contains(h, "dataset=files") || !strings.Contains(h, "hidden=16") {
		t.Errorf("the hash changed to %q after a refused model", h)
	}
	if st, _ := status(ctx); st.Scene != "vae" || st.Step == vaeSteps {
		t.Errorf("after a refused model the page shows %+v; want the fruit VAE as it was", st)
	}

	// the model with its images, in one pick, in no particular order
	upload(t, b, bananas, weights, apples, config)
	msg = waitMessage(t, b, "Loaded the model on")
	t.Logf("model with images: %q", msg)
	if want := "400 images of 28×28 in 2 classes (grey apple, grey banana)"; !strings.Contains(msg, want) {
		t.Errorf("the message %q does not say %q", msg, want)
	}
	h, err := pollHash(ctx, 10*time.Second, "dataset=files")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "hidden=32") || !strings.Contains(h, "latent=2") {
		t.Errorf("hash %q: not the loaded model's architecture (hidden=32, latent=2)", h)
	}
	st, err := poll(ctx, 30*time.Second, "the loaded vae scene at the saved step", func(s Status) bool {
		return s.Scene == "vae" && s.Step == vaeSteps
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Error != "" {
		t.Errorf("the loaded scene says %q", st.Error)
	}
	time.Sleep(2 * time.Second) // the loaded model's first pictures
	checkCanvas(t, ctx, "loadvae-loaded")
	if again, _ := status(ctx); again.Step != vaeSteps {
		t.Errorf("a paused loaded scene moved from step %d to %d", vaeSteps, again.Step)
	}
	eval[any](ctx, `window.likelab.play()`)
	if _, err := poll(ctx, 60*time.Second, "training on from the saved step", func(s Status) bool {
		return s.Scene == "vae" && s.Step > vaeSteps+20
	}); err != nil {
		t.Error(err)
	}
	checkCanvas(t, ctx, "loadvae-trained")

	// the page keeps the images: the model alone now loads on them
	pauseAt(t, ctx)
	upload(t, b, config, weights)
	waitMessage(t, b, "Loaded the model from the chosen files")
	if _, err := poll(ctx, 30*time.Second, "the model reloaded on the kept images", func(s Status) bool {
		return s.Scene == "vae" && s.Step == vaeSteps
	}); err != nil {
		t.Error(err)
	}
	b.check(t)
}

// vaeSteps is how long trainVAE trains: enough for the reconstructions to
// look like fruit, and distinct from any step the page reaches unaided
// while the test looks (it stays paused).
const vaeSteps = 400

// trainVAE trains a small VAE on .npy files in the test process and saves
// it into dir. It records its data as mnist, as `likelab train vae --data
// mnist` does: the page, which has no MNIST, needs the images picked.
func trainVAE(t *testing.T, dir string, npys ...string) {
	t.Helper()
	var files []lab.UploadFile
	for _, p := range npys {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, lab.UploadFile{Name: filepath.Base(p), Size: int64(len(b)), Data: b})
	}
	set, err := lab.ReadImageSet(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := lab.Default()
	c.Scene, c.Hidden, c.Latent = "vae", 32, 2
	run, err := lab.NewVAERun(c, nil, set.Train, set.Test, "mnist")
	if err != nil {
		t.Fatal(err)
	}
	for range vaeSteps {
		if _, err := run.Trainer.Step(); err != nil {
			t.Fatal(err)
		}
	}
	config, weights, err := run.Save(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.WriteModel(dir, config, weights); err != nil {
		t.Fatal(err)
	}
}
