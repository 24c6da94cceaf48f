package render

import (
	"image"
	"image/png"
	"io"
)

// EncodePNG writes img to w as PNG. It is the one place images leave the
// package, so that a change of encoder settings happens here.
func EncodePNG(w io.Writer, img image.Image) error {
	return png.Encode(w, img)
}
