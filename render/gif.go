package render

import (
	"image"
	"image/color"
	"image/gif"
	"io"
)

// Animation collects frames of an animated GIF (a training run, a morph).
// Frames are mapped to one shared palette through a 32×32×32 lookup table
// (15-bit colour → palette index), so adding a frame costs one table lookup
// per pixel — fast enough to record a page's picture in the browser.
type Animation struct {
	pal    color.Palette
	lut    []uint8 // 1<<15 entries
	frames []*image.Paletted
	delays []int
	// MaxSide bounds the frames' longer side: larger pictures are reduced
	// (nearest neighbour) to keep files small. 0 keeps the size.
	MaxSide int
}

// NewAnimation returns an empty animation whose palette is built from the
// colormaps its pictures use (their 256 entries are thinned to fit) plus
// greys and the given extra colours (line and dot colours).
func NewAnimation(maps []Colormap, extra []color.RGBA) *Animation {
	var pal color.Palette
	seen := map[color.RGBA]bool{}
	add := func(c color.RGBA) {
		c.A = 255
		if !seen[c] && len(pal) < 256 {
			seen[c] = true
			pal = append(pal, c)
		}
	}
	for _, c := range extra {
		add(c)
	}
	for g := 0; g < 256; g += 16 {
		add(color.RGBA{uint8(g), uint8(g), uint8(g), 255})
	}
	add(color.RGBA{255, 255, 255, 255})
	if len(maps) > 0 {
		per := (256 - len(pal)) / len(maps)
		for _, m := range maps {
			for i := 0; i < per; i++ {
				add(m.At(float64(i) / float64(max(per-1, 1))))
			}
		}
	}
	a := &Animation{pal: pal, lut: make([]uint8, 1<<15)}
	for i := range a.lut {
		r, g, b := (i>>10)&31, (i>>5)&31, i&31
		a.lut[i] = uint8(pal.Index(color.RGBA{uint8(r<<3 | r>>2), uint8(g<<3 | g>>2), uint8(b<<3 | b>>2), 255}))
	}
	return a
}

// Len is the number of frames added.
func (a *Animation) Len() int { return len(a.frames) }

// Add appends a frame shown for delay hundredths of a second.
func (a *Animation) Add(img *image.RGBA, delay int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	scale := 1.0
	if a.MaxSide > 0 && max(w, h) > a.MaxSide {
		scale = float64(a.MaxSide) / float64(max(w, h))
	}
	ow, oh := max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))
	p := image.NewPaletted(image.Rect(0, 0, ow, oh), a.pal)
	for y := 0; y < oh; y++ {
		sy := b.Min.Y + min(h-1, int(float64(y)/scale))
		row := p.Pix[y*p.Stride : y*p.Stride+ow]
		for x := range row {
			sx := b.Min.X + min(w-1, int(float64(x)/scale))
			o := img.PixOffset(sx, sy)
			px := img.Pix[o : o+3 : o+3]
			row[x] = a.lut[int(px[0]>>3)<<10|int(px[1]>>3)<<5|int(px[2]>>3)]
		}
	}
	a.frames = append(a.frames, p)
	a.delays = append(a.delays, delay)
}

// Encode writes the animation, looping forever.
func (a *Animation) Encode(w io.Writer) error {
	return gif.EncodeAll(w, &gif.GIF{Image: a.frames, Delay: a.delays, LoopCount: 0})
}
