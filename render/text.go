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
