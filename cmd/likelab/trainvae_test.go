package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVAEBadInputExitsTwoWithOneLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	checkUsage(t, dir,
		"train vae",
		"train vae --latent 0 --out DIR",
		"train vae --hidden 400,abc --out DIR",
		"train vae --posterior nsf --out DIR",
		"train vae --likelihood poisson --out DIR",
		"train vae --data nonsense --out DIR",
		"train vae --data npy: --out DIR",
		"train vae --data npy:DIR/missing.npy --out DIR",
		"train vae --data mnist:"+dir+" --out DIR",
		"train vae --epochs 0 --out DIR",
		"train vae --max-time -1s --out DIR",
		"eval",
		"eval --model DIR/missing",
		"eval --model DIR --iw 0",
	)
	if _, _, stderr := likelab(t, "", "train", "vae", "--data", "mnist:"+dir, "--out", dir); !strings.Contains(stderr, "train-images-idx3-ubyte") {
		t.Errorf("missing MNIST files: message %q does not name the file", stderr)
	}
}

// TestTrainVAEAndEval trains tiny VAEs from the CLI on each kind of data
// and evaluates them back from their folders.
func TestTrainVAEAndEval(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	// two .npy files of 30 random 4×4 bitmaps each
	var npys []string
	for _, class := range []string{"apple", "banana"} {
		p := filepath.Join(tmp, "full_numpy_bitmap_"+class+".npy")
		os.WriteFile(p, npyFile(30, 16, class[0]), 0o644)
		npys = append(npys, p)
	}
	// a folder of two classes of 12 small PNGs each
	folder := filepath.Join(tmp, "imgs")
	for ci, class := range []string{"red", "blue"} {
		os.MkdirAll(filepath.Join(folder, class), 0o755)
		for k := 0; k < 12; k++ {
			img := image.NewNRGBA(image.Rect(0, 0, 5, 5))
			for p := 0; p < 25; p++ {
				img.Set(p%5, p/5, color.NRGBA{uint8(200 * (1 - ci)), uint8(10 * k), uint8(200 * ci), 255})
			}
			var b bytes.Buffer
			png.Encode(&b, img)
			os.WriteFile(filepath.Join(folder, class, string(rune('a'+k))+".png"), b.Bytes(), 0o644)
		}
	}
	for i, tc := range []struct {
		data  string
		extra []string
		n     int // test images
		lik   string
	}{
		{"fruits", []string{"--size", "8", "--n", "60", "--posterior", "planar"}, 1200, "gaussian"},
		{"npy:" + strings.Join(npys, ","), []string{"--posterior", "iaf"}, 6, "bernoulli"},
		{folder, []string{"--size", "8"}, 2, "gaussian"},
	} {
		out := filepath.Join(tmp, "model"+string(rune('0'+i)))
		args := append([]string{"train", "vae", "--data", tc.data, "--latent", "2", "--hidden", "8", "--epochs", "2",
			"--batch", "10", "--log-every", "1", "--out", out}, tc.extra...)
		stdout := trainCLI(t, args[1:]...)
		var tr map[string]any
		if err := json.Unmarshal([]byte(stdout), &tr); err != nil || tr["steps"] == nil {
			t.Fatalf("test %d: train printed %q", i, stdout)
		}
		for _, f := range []string{"config.json", "model.safetensors", "metrics.jsonl"} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Errorf("test %d: %v", i, err)
			}
		}
		config, _ := os.ReadFile(filepath.Join(out, "config.json"))
		if !strings.Contains(string(config), `"likelihood": "`+tc.lik+`"`) {
			t.Errorf("test %d: config.json has not the %s likelihood:\n%s", i, tc.lik, config)
		}
		scores := filepath.Join(tmp, "scores"+string(rune('0'+i))+".csv")
		code, stdout, stderr := likelab(t, "", "eval", "--model", out, "--iw", "20", "--scores", scores)
		if code != 0 {
			t.Fatalf("test %d: eval exit %d: %s", i, code, stderr)
		}
		var ev evalResult
		if err := json.Unmarshal([]byte(stdout), &ev); err != nil {
			t.Fatalf("test %d: eval printed %q: %v", i, stdout, err)
		}
		if ev.TestImages != tc.n || ev.K != 20 || ev.IWAENLL != -ev.IWAEBound || ev.ELBO != -(ev.Rec+ev.KL) {
			t.Errorf("test %d: eval got %+v", i, ev)
		}
		lines, _ := os.ReadFile(scores)
		if got := strings.Count(string(lines), "\n"); got != tc.n+1 {
			t.Errorf("test %d: %d lines of scores want %d", i, got, tc.n+1)
		}
	}
}

// npyFile is a .npy file of n random byte rows of d values, seeded by s.
func npyFile(n, d int, s byte) []byte {
	dict := "{'descr': '|u1', 'fortran_order': False, 'shape': (" + itoa(n) + ", " + itoa(d) + "), }"
	for (10+len(dict)+1)%64 != 0 {
		dict += " "
	}
	dict += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), 0, 0)
	binary.LittleEndian.PutUint16(b[8:], uint16(len(dict)))
	b = append(b, dict...)
	x := uint32(s)
	for i := 0; i < n*d; i++ {
		x = x*1664525 + 1013904223 // Numerical Recipes' LCG: any bytes will do
		b = append(b, byte(x>>24))
	}
	return b
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
