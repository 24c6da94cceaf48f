package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"likelab/core/data"
)

// TestUploadImageSet gives the vae scene two .npy files of 28×28 grey
// bitmaps as Quick, Draw!'s are (drawn from the procedural fruits): the VAE
// trains on them, then the morph scene joins their two classes, whose names
// the page has never heard of; a truncated .npy is refused with a message
// naming it, and the morph's training goes on.
func TestUploadImageSet(t *testing.T) {
	b := openPage(t, "#scene=vae&hidden=64")
	ctx := b.ctx
	if _, err := poll(ctx, 90*time.Second, "the fruit VAE to train", func(s Status) bool { return s.Step > 10 }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	apples, bananas := filepath.Join(dir, "grey apple.npy"), filepath.Join(dir, "grey banana.npy")
	writeFile(t, apples, greyFruitNPY(t, "apple", uploadImages))
	writeFile(t, bananas, greyFruitNPY(t, "banana", uploadImages))

	// through the model picker, which takes dropped files too: the page
	// tells an image set from a model by the files' names
	fruit := pauseAt(t, ctx)
	upload(t, b, apples, bananas)
	msg := waitMessage(t, b, "Training on")
	t.Logf("uploaded: %q", msg)
	for _, want := range []string{fmt.Sprint(2*uploadImages, " images of 28×28"), "grey apple, grey banana", "cannot carry your files"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message %q does not say %q", msg, want)
		}
	}
	if h, err := pollHash(ctx, 10*time.Second, "dataset=files"); err != nil {
		t.Errorf("the link does not say the images came from files: %v", err)
	} else if !strings.Contains(h, "from=grey%20apple") {
		t.Errorf("hash %q: the morph's endpoints are not the files' classes", h)
	}
	st := restarted(t, ctx, "vae", fruit, 30)
	if st.Error != "" {
		t.Errorf("vae on the files: %q", st.Error)
	}
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, ctx, "upload-vae")

	// the morph scene on the same files: the worker kept them
	vaeStep := pauseAt(t, ctx)
	if _, err := eval[any](ctx, `window.likelab.configure("scene=morph&hidden=64&dataset=files&path=linear&from=grey%20banana&to=grey%20apple")`); err != nil {
		t.Fatal(err)
	}
	st = restarted(t, ctx, "morph", vaeStep, 20)
	if st.Error != "" {
		t.Errorf("morph on the files: %q", st.Error)
	}
	// a morph of a VAE that has learnt something: the morph is redone every
	// few seconds as the VAE trains
	if _, err := poll(ctx, 60*time.Second, "300 steps of the morph's VAE", func(s Status) bool { return s.Step > 300 }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	waitForPicture(t, b, 60*time.Second)
	checkCanvas(t, ctx, "upload-morph")
	// the panel offers the files' classes as the morph's endpoints
	if from, _ := eval[string](ctx, `document.querySelector("select[name=from]").value`); from != "grey banana" {
		t.Errorf("the panel's from shows %q; want grey banana", from)
	}

	// a truncated .npy: named in the message; the morph trains on
	good, _ := os.ReadFile(apples)
	bad := filepath.Join(dir, "cut.npy")
	writeFile(t, bad, good[:len(good)-1000])
	before, _ := status(ctx)
	useFile(t, b, bad) // through Your data…
	msg = waitMessage(t, b, "cut.npy")
	t.Logf("truncated file: %q", msg)
	if !strings.Contains(msg, "truncated") || !strings.Contains(msg, "current run goes on") {
		t.Errorf("the message %q does not say the file is truncated and the run goes on", msg)
	}
	if _, err := poll(ctx, 30*time.Second, "the morph's training to go on", func(s Status) bool {
		return s.Scene == "morph" && s.Step > before.Step+20
	}); err != nil {
		t.Error(err)
	}
	b.check(t)
}

// TestUploadFolder picks a folder of PNG pictures, one sub-folder per
// class, with the Folder… button's input (webkitdirectory): the vae scene
// learns them in colour.
func TestUploadFolder(t *testing.T) {
	b := openPage(t, "#scene=flow&layers=2&hidden=16")
	ctx := b.ctx
	if _, err := poll(ctx, 60*time.Second, "the flow to train", func(s Status) bool { return s.Step > 50 }); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "fruit")
	const perClass = 30
	for _, kind := range []string{"lemon", "strawberry"} {
		im, err := data.Fruits(perClass, data.FruitOptions{Size: 40, Kinds: []string{kind}, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(root, kind), 0o755)
		for i := 0; i < im.N(); i++ {
			pic := image.NewRGBA(image.Rect(0, 0, im.W, im.H))
			for j := range im.W * im.H {
				p := im.Image(i)[3*j:]
				pic.Pix[4*j], pic.Pix[4*j+1], pic.Pix[4*j+2], pic.Pix[4*j+3] = byte(255*p[0]), byte(255*p[1]), byte(255*p[2]), 255
			}
			var buf bytes.Buffer
			png.Encode(&buf, pic)
			writeFile(t, filepath.Join(root, kind, fmt.Sprintf("%03d.png", i)), buf.Bytes())
		}
	}
	writeFile(t, filepath.Join(root, "notes.txt"), []byte("not a picture: ignored"))
	flow := pauseAt(t, ctx)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.ID("folder-input"), []string{root})); err != nil {
		t.Fatal(err)
	}
	msg := waitMessage(t, b, "Training on")
	t.Logf("folder: %q", msg)
	if !strings.Contains(msg, fmt.Sprint(2*perClass, " images of 32×32 in 2 classes (lemon, strawberry)")) {
		t.Errorf("the message %q does not describe the folder's %d pictures of two classes", msg, 2*perClass)
	}
	st := restarted(t, ctx, "vae", flow, 20)
	if st.Error != "" {
		t.Errorf("vae on the folder: %q", st.Error)
	}
	time.Sleep(1500 * time.Millisecond)
	checkCanvas(t, ctx, "upload-folder")
	b.check(t)
}

// pauseAt pauses training and returns the step it stopped at, once two
// looks half a second apart agree.
func pauseAt(t *testing.T, ctx context.Context) int {
	t.Helper()
	if _, err := eval[any](ctx, `window.likelab.pause()`); err != nil {
		t.Fatal(err)
	}
	last := -1
	for range 40 {
		st, err := status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Step == last {
			return last
		}
		last = st.Step
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("training did not pause: step %d", last)
	return 0
}

// restarted waits for a new scene of the given kind, which trains from
// step 0, to replace the paused one (stopped at step paused) and to take
// more than steps steps; it returns the new scene's status.
func restarted(t *testing.T, ctx context.Context, scene string, paused, steps int) Status {
	t.Helper()
	st, err := poll(ctx, 60*time.Second, fmt.Sprintf("%d steps of the new %s scene", steps, scene), func(s Status) bool {
		return s.Scene == scene && s.Step != paused && s.Step > steps
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// uploadImages bitmaps per class: a few hundred, as a user's first try
// would have, and enough for a VAE to tell two fruits apart in a minute.
const uploadImages = 200

// greyFruitNPY returns a .npy file of n procedural fruits of one kind as
// 28×28 grey bitmaps, bright on black like Quick, Draw!'s doodles.
func greyFruitNPY(t *testing.T, kind string, n int) []byte {
	t.Helper()
	const side = 28
	im, err := data.Fruits(n, data.FruitOptions{Size: side, Kinds: []string{kind}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]byte, 0, n*side*side)
	for i := 0; i < im.N(); i++ {
		p := im.Image(i)
		for j := 0; j < side*side; j++ {
			luma := 0.299*p[3*j] + 0.587*p[3*j+1] + 0.114*p[3*j+2] // Rec. 601
			pix = append(pix, byte(255*(1-luma)+0.5))
		}
	}
	return data.EncodeNPY(pix, n, side*side)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
