package render

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func white(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, img.Rect, color.RGBA{255, 255, 255, 255})
	return img
}

func TestScatterLandsInPixel(t *testing.T) {
	t.Parallel()
	// View [0, 10]² on 10×10 pixels: world (2.5, 7.5) is the centre of
	// pixel (2, 2) (y grows downwards).
	img := white(10, 10)
	red := color.RGBA{255, 0, 0, 255}
	Scatter(img, View{0, 10, 0, 10}, []float64{2.5, 7.5}, red, 1)
	if got := img.RGBAAt(2, 2); got != red {
		t.Errorf("centre pixel: got %v want %v", got, red)
	}
	// Neighbours at distance 1 get coverage 1 + ½ − 1 = ½: half red over
	// white is (255, 128, 128).
	for _, p := range []image.Point{{1, 2}, {3, 2}, {2, 1}, {2, 3}} {
		got := img.RGBAAt(p.X, p.Y)
		if got.R != 255 || absDiff(got.G, 128) > 1 || absDiff(got.B, 128) > 1 {
			t.Errorf("neighbour %v: got %v want ≈ (255, 128, 128)", p, got)
		}
	}
	// Diagonal neighbours at distance √2 get the rim's last 0.086: G, B ≈ 233.
	if got := img.RGBAAt(1, 1); got.R != 255 || absDiff(got.G, 233) > 1 {
		t.Errorf("diagonal pixel: got %v want ≈ (255, 233, 233)", got)
	}
	// Pixels at distance 2 ≥ 1.5 stay white.
	for _, p := range []image.Point{{0, 2}, {2, 4}} {
		if got := img.RGBAAt(p.X, p.Y); got != (color.RGBA{255, 255, 255, 255}) {
			t.Errorf("pixel %v: got %v want white", p, got)
		}
	}
}

func TestScatterSkipsAndBlends(t *testing.T) {
	t.Parallel()
	img := white(10, 10)
	v := View{0, 10, 0, 10}
	// Outside the view, NaN and Inf are skipped (even if a dot would reach in).
	Scatter(img, v, []float64{-0.1, 5, 5, 10.2, math.NaN(), 5, 5, math.Inf(1)}, color.RGBA{0, 0, 0, 255}, 3)
	for i := 0; i < len(img.Pix); i++ {
		if img.Pix[i] != 255 {
			t.Fatalf("byte %d changed to %d", i, img.Pix[i])
		}
	}
	// Half-transparent black (premultiplied {0,0,0,128}) twice over white:
	// 255·(1−½)² ≈ 64.
	half := color.RGBA{0, 0, 0, 128}
	Scatter(img, v, []float64{5.5, 4.5, 5.5, 4.5}, half, 1)
	if got := img.RGBAAt(5, 5); absDiff(got.R, 64) > 1 || got.A != 255 {
		t.Errorf("two half-black dots over white: got %v want ≈ (64, 64, 64, 255)", got)
	}
	if !panics(func() { Scatter(img, v, []float64{1}, half, 1) }) {
		t.Error("odd points: no panic")
	}
}
