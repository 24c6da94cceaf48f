package data

import (
	"fmt"
	"io"
)

// ImageTargetSide is the side of the grid an uploaded picture is reduced to
// before it becomes a density: fine enough for a drawn shape or a logo,
// coarse enough that a flow can learn it in a lecture.
const ImageTargetSide = 48

// NewImageTarget turns a PNG or JPEG picture into a target: the uniform
// density over its dark pixels (darker than mid-grey, after reduction to
// ImageTargetSide² cells), exactly as a QR code's dark modules become one.
// A picture with no dark pixel is an error that says so.
func NewImageTarget(name string, r io.Reader) (*Bitmap, error) {
	grey, err := DecodeImage(name, r, ImageTargetSide, ImageTargetSide, 1)
	if err != nil {
		return nil, err
	}
	rows := make([][]bool, ImageTargetSide)
	dark := 0
	for y := range rows {
		rows[y] = make([]bool, ImageTargetSide)
		for x := range rows[y] {
			if grey[y*ImageTargetSide+x] < 0.5 {
				rows[y][x] = true
				dark++
			}
		}
	}
	if dark == 0 {
		return nil, fmt.Errorf("%s: the picture has no dark part to learn (dark = likely)", name)
	}
	return NewBitmap(name, rows, 2)
}
