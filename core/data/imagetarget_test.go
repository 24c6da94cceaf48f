package data

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

func TestImageTarget(t *testing.T) {
	t.Parallel()
	// a black disc on white: its density is uniform over the disc
	img := image.NewGray(image.Rect(0, 0, 96, 96))
	for y := 0; y < 96; y++ {
		for x := 0; x < 96; x++ {
			c := color.Gray{255}
			if math.Hypot(float64(x)-47.5, float64(y)-47.5) < 30 {
				c = color.Gray{0}
			}
			img.SetGray(x, y, c)
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	tg, err := NewImageTarget("disc.png", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if lp := tg.LogProb(0, 0); math.IsInf(lp, 0) {
		t.Errorf("the disc's centre has log-density %v", lp)
	}
	x0, _, _, _ := tg.Bounds()
	if lp := tg.LogProb(x0+0.01, 0); !math.IsInf(lp, -1) {
		t.Errorf("outside the disc: log-density %v, want -Inf", lp)
	}
	white := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	buf.Reset()
	png.Encode(&buf, white)
	if _, err := NewImageTarget("blank.png", &buf); err == nil || !strings.Contains(err.Error(), "no dark part") {
		t.Errorf("blank picture: got %v", err)
	}
	if _, err := NewImageTarget("notes.txt", strings.NewReader("hello")); err == nil {
		t.Errorf("text accepted as a picture")
	}
}
