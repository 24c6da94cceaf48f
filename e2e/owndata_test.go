package e2e

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOwnData trains on a user's own points and picture, and survives a
// broken file: the message names the line, and the run goes on.
func TestOwnData(t *testing.T) {
	b := openPage(t, "#layers=4&hidden=32")
	ctx := b.ctx
	if _, err := poll(ctx, 60*time.Second, "training", func(s Status) bool { return s.Step > 50 }); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// points on a ring, as a CSV with a header
	var csv strings.Builder
	csv.WriteString("x,y\n")
	for i := 0; i < 2000; i++ {
		a := 2 * math.Pi * float64(i) / 2000
		fmt.Fprintf(&csv, "%g,%g\n", 2*math.Cos(a), 2*math.Sin(a))
	}
	ring := filepath.Join(dir, "ring.csv")
	os.WriteFile(ring, []byte(csv.String()), 0o644)
	useFile(t, b, ring)
	waitMessage(t, b, "Training on ring.csv")
	if _, err := poll(ctx, 30*time.Second, "training on the ring", func(s Status) bool { return s.Step > 30 && s.Step < 100000 }); err != nil {
		t.Fatal(err)
	}
	checkCanvas(t, ctx, "own-points")

	// a picture: a dark letter-like bar shape on white
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			c := uint8(255)
			if (x > 10 && x < 20 && y > 8 && y < 56) || (y > 44 && y < 54 && x > 10 && x < 50) {
				c = 0 // an L
			}
			img.SetGray(x, y, color.Gray{c})
		}
	}
	pic := filepath.Join(dir, "letter.png")
	f, _ := os.Create(pic)
	png.Encode(f, img)
	f.Close()
	useFile(t, b, pic)
	waitMessage(t, b, "Training on letter.png")
	if _, err := poll(ctx, 30*time.Second, "training on the picture", func(s Status) bool { return s.Step > 30 }); err != nil {
		t.Fatal(err)
	}
	checkCanvas(t, ctx, "own-picture")

	// a broken CSV: the message names the line; the picture's run goes on
	bad := filepath.Join(dir, "broken.csv")
	os.WriteFile(bad, []byte("x,y\n1,2\n3,4,5\n"), 0o644)
	useFile(t, b, bad)
	msg := waitMessage(t, b, "line 3")
	t.Logf("broken file: %q", msg)
	now, _ := status(ctx)
	if _, err := poll(ctx, 20*time.Second, "the run to go on", func(s Status) bool { return s.Step > now.Step+20 }); err != nil {
		t.Error(err)
	}
}

func useFile(t *testing.T, b *browser, path string) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.ID("data-input"), []string{path})); err != nil {
		t.Fatalf("upload %s: %v", path, err)
	}
}
