package main

import (
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMorphWritesGIFAndStrip trains a tiny fruit VAE from the CLI and morphs
// apple → banana along each path: the GIF plays the frames forwards and
// back, the PNG strip holds the frames side by side, and frames differ from
// one another (the path moves).
func TestMorphWritesGIFAndStrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	trainCLI(t, "vae", "--data", "fruits", "--size", "16", "--n", "600",
		"--hidden", "32", "--latent", "4", "--epochs", "2", "--batch", "50", "--out", model)
	const frames, scale = 5, 2
	for _, path := range []string{"linear", "slerp", "flow"} {
		out := filepath.Join(dir, path+".gif")
		if code, stdout, stderr := likelab(t, "", "morph", "--model", model, "--from", "apple", "--to", "banana",
			"--frames", "5", "--path", path, "--scale", "2", "--out", out); code != 0 || !strings.Contains(stdout, `"frames":5`) {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", path, code, stdout, stderr)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		g, err := gif.DecodeAll(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		// forwards (5), then back without repeating the ends (3)
		if got, want := len(g.Image), 2*frames-2; got != want {
			t.Errorf("%s: %d GIF frames want %d", path, got, want)
		}
		if b := g.Image[0].Bounds(); b.Dx() != 16*scale || b.Dy() != 16*scale {
			t.Errorf("%s: frame size %v want %d×%d", path, b, 16*scale, 16*scale)
		}
		// the first and the middle frame differ: the path goes somewhere
		diff := 0
		for i := range g.Image[0].Pix {
			if g.Image[0].Pix[i] != g.Image[frames/2].Pix[i] {
				diff++
			}
		}
		if diff < len(g.Image[0].Pix)/20 {
			t.Errorf("%s: the middle frame differs from the first in %d of %d pixels", path, diff, len(g.Image[0].Pix))
		}
	}
	strip := filepath.Join(dir, "strip.png")
	if code, _, stderr := likelab(t, "", "morph", "--model", model, "--frames", "5", "--path", "linear", "--scale", "2", "--out", strip); code != 0 {
		t.Fatalf("strip: exit %d: %s", code, stderr)
	}
	f, err := os.Open(strip)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != frames*(16*scale+2)-2 || b.Dy() != 16*scale {
		t.Errorf("strip size %v want %d×%d", b, frames*(16*scale+2)-2, 16*scale)
	}
	// an image file as an endpoint: the strip itself is a picture to encode
	if code, _, stderr := likelab(t, "", "morph", "--model", model, "--from", strip, "--frames", "3", "--out", filepath.Join(dir, "x.png")); code != 0 {
		t.Errorf("image endpoint: exit %d: %s", code, stderr)
	}
	checkUsage(t, dir,
		"morph",
		"morph --model DIR/model --out DIR/x.jpg",
		"morph --model DIR/model --out DIR/x.gif --path zigzag",
		"morph --model DIR/model --out DIR/x.gif --from durian",
		"morph --model DIR/model --out DIR/x.gif --frames 1",
		"morph --model DIR/missing --out DIR/x.gif",
	)
}
