package render

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"testing"
)

func TestAnimation(t *testing.T) {
	t.Parallel()
	a := NewAnimation([]Colormap{Magma}, []color.RGBA{{255, 0, 0, 255}})
	a.MaxSide = 50
	for k := 0; k < 3; k++ {
		img := image.NewRGBA(image.Rect(0, 0, 100, 60))
		g := NewGrid(4, 4, 0, 1, 0, 1)
		g.Fill(func(x, y float64) float64 { return x + float64(k) })
		Heatmap(img, g, Magma, 0, 3)
		img.SetRGBA(0, 0, color.RGBA{255, 0, 0, 255})
		a.Add(img, 20)
	}
	var buf bytes.Buffer
	if err := a.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 3 || g.Image[0].Bounds().Dx() != 50 || g.Image[0].Bounds().Dy() != 30 || g.Delay[1] != 20 {
		t.Errorf("got %d frames of %v, delays %v", len(g.Image), g.Image[0].Bounds(), g.Delay)
	}
	// an exact palette colour survives quantisation
	if c := g.Image[0].At(0, 0).(color.RGBA); c != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("red corner became %v", c)
	}
	// colormap colours come back within the palette's spacing
	img := image.NewRGBA(image.Rect(0, 0, 256, 1))
	for i := 0; i < 256; i++ {
		img.SetRGBA(i, 0, Magma.At(float64(i)/255))
	}
	b := NewAnimation([]Colormap{Magma}, nil)
	b.Add(img, 1)
	for i := 0; i < 256; i++ {
		got := color.RGBAModel.Convert(b.frames[0].At(i, 0)).(color.RGBA)
		want := Magma.At(float64(i) / 255)
		// half the palette holds magma's entries, and the 15-bit table rounds
		// each channel to 8 levels: 24 per channel is the worst case seen
		if d := max(absDiff(got.R, want.R), absDiff(got.G, want.G), absDiff(got.B, want.B)); d > 24 {
			t.Errorf("magma %d: got %v want %v", i, got, want)
		}
	}
}
