package render

import (
	"image"
	"image/color"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	if got := TextWidth("loss 1.5"); got != 8*GlyphWidth {
		t.Errorf("TextWidth: got %d want %d", got, 8*GlyphWidth)
	}
	img := white(60, 30)
	black := color.RGBA{0, 0, 0, 255}
	Text(img, 5, 8, "Ag", black)
	box := image.Rect(5, 8, 5+2*GlyphWidth, 8+LineHeight)
	inked := 0
	for y := 0; y < 30; y++ {
		for x := 0; x < 60; x++ {
			if img.RGBAAt(x, y) == (color.RGBA{255, 255, 255, 255}) {
				continue
			}
			if !image.Pt(x, y).In(box) {
				t.Fatalf("ink at (%d, %d) outside the text box %v", x, y, box)
			}
			inked++
		}
	}
	// "A" and "g" in the 7×13 font light up a few dozen pixels.
	if inked < 15 {
		t.Errorf("only %d inked pixels", inked)
	}
}
