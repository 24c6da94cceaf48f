package render

import (
	"image"
	"image/color"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The fixed 7×13 bitmap font of golang.org/x/image/font/basicfont: small,
// crisp at 1:1 pixels and free of any font files. It covers printable ASCII
// and Latin-1; other runes draw as nothing.
const (
	// GlyphWidth is the advance of every character in pixels.
	GlyphWidth = 7
	// LineHeight is the height of a line of text in pixels.
	LineHeight = 13
	ascent     = 11 // basicfont.Face7x13.Ascent
)

// Text draws s with its top-left corner at (x, y) in col, clipped to dst.
func Text(dst *image.RGBA, x, y int, s string, col color.RGBA) {
	d := font.Drawer{
		Dst:  dst,
		Src:  image.NewUniform(col),
		Face: basicfont.Face7x13,
		Dot:  fixed.P(x, y+ascent),
	}
	d.DrawString(s)
}

// TextWidth returns the width of s in pixels.
func TextWidth(s string) int {
	return font.MeasureString(basicfont.Face7x13, s).Ceil()
}

// Font is the bitmap font drawn Scale times larger, each font pixel a
// Scale×Scale block: on a canvas with Scale device pixels per CSS pixel,
// text keeps the size it has at 1:1 and stays as crisp. Scale below 1 means 1.
type Font struct{ Scale int }

func (f Font) scale() int { return max(1, f.Scale) }

// Width returns the width of s in pixels.
func (f Font) Width(s string) int { return f.scale() * TextWidth(s) }

// Height returns the height of a line in pixels.
func (f Font) Height() int { return f.scale() * LineHeight }

// Draw draws s with its top-left corner at (x, y) in col, clipped to dst.
func (f Font) Draw(dst *image.RGBA, x, y int, s string, col color.RGBA) {
	k := f.scale()
	if k == 1 {
		Text(dst, x, y, s, col)
		return
	}
	w := TextWidth(s)
	clip := dst.Bounds().Intersect(image.Rect(x, y, x+k*w, y+k*LineHeight))
	if clip.Empty() {
		return
	}
	// the glyphs at 1:1 into a coverage mask, then each mask pixel as a block
	mask := image.NewAlpha(image.Rect(0, 0, w, LineHeight))
	d := font.Drawer{Dst: mask, Src: image.Opaque, Face: basicfont.Face7x13, Dot: fixed.P(0, ascent)}
	d.DrawString(s)
	for py := clip.Min.Y; py < clip.Max.Y; py++ {
		row := mask.Pix[mask.PixOffset(0, (py-y)/k):]
		for px := clip.Min.X; px < clip.Max.X; px++ {
			if a := row[(px-x)/k]; a != 0 {
				off := dst.PixOffset(px, py)
				blend(dst.Pix[off:off+4], col, float64(a)/255)
			}
		}
	}
}
