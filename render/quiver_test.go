package render

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// TestQuiver draws single arrows on 40×40 pixels of the world [0, 40]² and
// checks where ink lands: along the shaft, at the barbs behind the tip, and
// nowhere else.
func TestQuiver(t *testing.T) {
	t.Parallel()
	v := View{X0: 0, X1: 40, Y0: 0, Y1: 40}
	red := color.RGBA{255, 0, 0, 255}
	inked := func(img *image.RGBA, x, y int) bool { return img.RGBAAt(x, y).A > 100 }
	for i, tc := range []struct {
		pts, vecs []float64
		scale     float64
		ink, bare [][2]int // pixels that must and must not be drawn
	}{
		// rightwards along pixel row 20 (world y = 19.5), from x = 5 to 30:
		// barbs at the tip go back and up/down by ~2.5 px
		{[]float64{5.5, 19.5}, []float64{12.5, 0}, 2,
			[][2]int{{6, 20}, {18, 20}, {30, 20}, {26, 18}, {26, 22}},
			[][2]int{{2, 20}, {34, 20}, {10, 17}, {10, 23}, {20, 5}}},
		// upwards: world y grows to the top of the picture
		{[]float64{20.5, 5.5}, []float64{0, 25}, 1,
			[][2]int{{20, 34}, {20, 22}, {20, 9}, {18, 13}, {22, 13}},
			[][2]int{{20, 37}, {20, 6}, {15, 20}, {25, 20}}},
		// zero, NaN and infinite arrows draw nothing
		{[]float64{10, 10, 20, 20, math.NaN(), 5}, []float64{0, 0, math.Inf(1), 1, 1, 1}, 1,
			nil, [][2]int{{10, 30}, {20, 20}, {21, 19}}},
	} {
		img := image.NewRGBA(image.Rect(0, 0, 40, 40))
		Quiver(img, v, tc.pts, tc.vecs, tc.scale, red, 1.2)
		for _, p := range tc.ink {
			if !inked(img, p[0], p[1]) {
				t.Errorf("test %d: pixel %v not drawn", i, p)
			}
		}
		for _, p := range tc.bare {
			if inked(img, p[0], p[1]) {
				t.Errorf("test %d: pixel %v drawn", i, p)
			}
		}
		if i == 2 {
			for k := 0; k < len(img.Pix); k += 4 {
				if img.Pix[k+3] != 0 {
					t.Fatalf("test %d: degenerate arrows drew pixel %d", i, k/4)
				}
			}
		}
	}
}

func TestQuiverPanicsOnMismatch(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i, f := range []func(){
		func() { Quiver(img, View{0, 1, 0, 1}, []float64{1, 2}, []float64{1}, 1, color.RGBA{}, 1) },
		func() { Quiver(img, View{0, 1, 0, 1}, []float64{1}, []float64{1}, 1, color.RGBA{}, 1) },
	} {
		if !panics(f) {
			t.Errorf("test %d: no panic", i)
		}
	}
}
