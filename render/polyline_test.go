package render

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestPolyline(t *testing.T) {
	t.Parallel()
	dst := image.NewRGBA(image.Rect(0, 0, 20, 20))
	v := View{X0: 0, X1: 20, Y0: 0, Y1: 20}
	white := color.RGBA{255, 255, 255, 255}
	// a horizontal line at y = 10 (world) is pixel row 10 from the top
	Polyline(dst, v, []float64{2, 9.5, 18, 9.5, math.NaN(), 0, 5, 5}, white, 1)
	if got := dst.RGBAAt(10, 10); got.R < 200 {
		t.Errorf("pixel on the line: got %v want white", got)
	}
	if got := dst.RGBAAt(10, 3); got.A != 0 {
		t.Errorf("pixel far from the line: got %v want untouched", got)
	}
	if got := dst.RGBAAt(5, 15); got.A != 0 {
		t.Errorf("a NaN point must break the path: got %v at (5,15)", got)
	}
	// far-out points do not panic or draw outside
	Polyline(dst, v, []float64{-1e300, 0, 1e300, 0}, white, 1)
}
