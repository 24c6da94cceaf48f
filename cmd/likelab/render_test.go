package main

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Thresholds of a picture that is not blank, as the e2e tests judge the
// page's canvas (e2e minCanvasStd, minCanvasColours): a scene's picture has
// heatmaps, images and text, thousands of colours and a grey spread of tens
// of levels; a blank one has one colour.
const (
	minPictureStd     = 6.0
	minPictureColours = 64
)

// TestRenderEveryFamily trains a tiny model of each family in-process and
// renders each of its views in both themes: the PNG has the asked size, is
// not blank, its background follows the theme, and the same command draws
// the same picture again. Then the bad input (renderBadInput).
func TestRenderEveryFamily(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	models := trainTinyModels(t, dir)
	tests := []struct {
		model string
		args  []string
		w, h  int // the PNG's size
	}{
		{"flow", []string{"--view", "density"}, 400, 222},
		{"flow", []string{"--view", "layers", "--layer", "1"}, 400, 222},
		{"is", nil, 400, 222}, // a reverse-KL flow beside its energy, as before
		{"is", []string{"--view", "scene"}, 400, 222},
		{"fm", nil, 400, 222},
		{"fm", []string{"--t", "0.5", "--scale", "2"}, 800, 444},
		{"vae", nil, 400, 222},
		{"vae", []string{"--view", "recon"}, 400, 418},
		{"vae", []string{"--view", "samples", "--scale", "2"}, 800, 836},
		{"vae", []string{"--view", "latent"}, 400, 418},
		{"vae", []string{"--view", "manifold"}, 400, 418},
		{"npy", []string{"--view", "recon"}, 400, 418},
	}
	for i, tc := range tests {
		var back [2]float64 // the top-left pixel's grey level, dark then light
		for k, theme := range []string{"dark", "light"} {
			out := filepath.Join(dir, tc.model+strconv.Itoa(i)+theme+".png")
			args := append([]string{"render", "--model", models[tc.model], "--out", out, "--width", "400", "--theme", theme}, tc.args...)
			code, _, stderr := likelab(t, "", args...)
			if code != 0 {
				t.Errorf("test %d %v: exit %d: %s", i, args, code, stderr)
				continue
			}
			img := decodePNG(t, out)
			if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Errorf("test %d %v: got %v want %d×%d", i, args, b.Size(), tc.w, tc.h)
			}
			std, colours := pictureStats(img)
			if std < minPictureStd || colours < minPictureColours {
				t.Errorf("test %d %v: blank: grey std %.1f (want ≥ %v), %d colours (want ≥ %d)", i, args, std, minPictureStd, colours, minPictureColours)
			}
			back[k] = grey(img, 0, 0)
			if theme == "light" {
				continue
			}
			// the same picture again: settled, nothing left to chance or time
			again := out + ".again.png"
			if code, _, stderr := likelab(t, "", append(args[:4:4], append([]string{again}, args[5:]...)...)...); code != 0 {
				t.Errorf("test %d again: exit %d: %s", i, code, stderr)
			} else if a, b := readFile(t, out), readFile(t, again); !bytes.Equal(a, b) {
				t.Errorf("test %d %v: a second render differs", i, args)
			}
		}
		// the themes' backgrounds: near black and near white (render.Dark,
		// render.Light), far apart on a 0–255 grey scale
		if !(back[0] < 64 && back[1] > 192) {
			t.Errorf("test %d %s %v: background grey %.0f dark, %.0f light; want < 64 and > 192", i, tc.model, tc.args, back[0], back[1])
		}
	}
	renderBadInput(t, dir, models)
}

// renderBadInput checks that a view or flag a family does not have, and a
// VAE whose images are gone or do not fit, are bad input with a one-line
// message. It moves one of the .npy files away.
func renderBadInput(t *testing.T, dir string, models map[string]string) {
	t.Helper()
	npyFile := filepath.Join(dir, "circle.npy")
	if err := os.Rename(npyFile, npyFile+".moved"); err != nil {
		t.Fatal(err)
	}
	checkUsage(t, dir,
		"render --model DIR/flow --out DIR/x.png --view recon | --view \"recon\" is not one of [density layers scene] for a flow",
		"render --model DIR/fm --out DIR/x.png --view layers | for a flow-matching model",
		"render --model DIR/vae --out DIR/x.png --view density | [scene recon samples latent manifold] for a VAE",
		"render --model DIR/npy --out DIR/x.png --view manifold | [scene recon samples latent] for a VAE",
		"render --model DIR/vae --out DIR/x.png --layer 1 | --layer is for a flow; this model is a VAE",
		"render --model DIR/flow --out DIR/x.png --t 0.5 | --t is for a flow-matching model",
		"render --model DIR/fm --out DIR/x.png --t 2 | --t 2 is outside 0…1",
		"render --model DIR/fm --out DIR/x.png --theme blue | --theme",
		"render --model DIR/fm --out DIR/x.png --scale 3 | --scale 3 is outside 1…2",
		"render --model DIR/npy --out DIR/x.png | circle.npy",
		"render --model DIR/vae --out DIR/x.png --data mnist:"+dir+"/nowhere | cannot be read",
		"render --model DIR/vae --out DIR/x.png --data npy:"+dir+"/square.npy | the model takes 16×16×3 images",
	)
}

// trainTinyModels trains one small model of each kind into dir in a few
// seconds and returns their directories: a flow, a flow-matching model, a
// flow by reverse KL (the is scene), a fruits VAE with a 2D latent, and a
// VAE on two .npy files of 12×12 bitmaps (dir/circle.npy, dir/square.npy).
func trainTinyModels(t *testing.T, dir string) map[string]string {
	t.Helper()
	var npys []string
	for k, class := range []string{"circle", "square"} {
		p := filepath.Join(dir, class+".npy")
		if err := os.WriteFile(p, npyFile(60, 144, byte(k+1)), 0o644); err != nil {
			t.Fatal(err)
		}
		npys = append(npys, p)
	}
	models := map[string]string{}
	for name, args := range map[string][]string{
		"flow": {"flow", "--data", "moons", "--layers", "2", "--hidden", "8", "--steps", "30"},
		"fm":   {"fm", "--data", "moons", "--hidden", "16", "--layers", "2", "--steps", "30"},
		"is":   {"flow", "--objective", "reverse-kl", "--target", "energy:banana", "--layers", "2", "--hidden", "8", "--steps", "30"},
		"vae": {"vae", "--data", "fruits", "--size", "16", "--n", "300", "--hidden", "16", "--latent", "2",
			"--epochs", "1", "--batch", "50"},
		"npy": {"vae", "--data", "npy:" + strings.Join(npys, ","), "--hidden", "16", "--latent", "3", "--epochs", "1", "--batch", "20"},
	} {
		models[name] = filepath.Join(dir, name)
		trainCLI(t, append(args, "--seed", "1", "--out", models[name])...)
	}
	return models
}

// pictureStats is the grey levels' standard deviation (Rec. 601 luma, 0–255)
// and the number of distinct colours of img, as e2e's canvasStats.
func pictureStats(img image.Image) (std float64, colours int) {
	b := img.Bounds()
	seen := map[uint32]bool{}
	var sum, sum2 float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[(r>>8)<<16|(g>>8)<<8|bl>>8] = true
			v := grey(img, x, y)
			sum += v
			sum2 += v * v
		}
	}
	n := float64(b.Dx() * b.Dy())
	mean := sum / n
	return math.Sqrt(max(0, sum2/n-mean*mean)), len(seen)
}

// grey is the Rec. 601 luma of img's pixel at (x, y), 0–255.
func grey(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 257
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(readFile(t, path)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
