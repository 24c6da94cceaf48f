package render

import "image"

// View is a world box [X0, X1]×[Y0, Y1] shown in a pixel rectangle: X0 at
// the rectangle's left edge, X1 at its right edge, Y1 at the top and Y0 at
// the bottom. Pixel coordinates are continuous: pixel (i, j) covers
// [i, i+1)×[j, j+1) and has its centre at (i+0.5, j+0.5).
type View struct {
	X0, X1, Y0, Y1 float64
}

// Pixel maps a world point to continuous pixel coordinates in r.
func (v View) Pixel(r image.Rectangle, x, y float64) (px, py float64) {
	px = float64(r.Min.X) + (x-v.X0)/(v.X1-v.X0)*float64(r.Dx())
	py = float64(r.Min.Y) + (v.Y1-y)/(v.Y1-v.Y0)*float64(r.Dy())
	return px, py
}

// World maps continuous pixel coordinates in r to a world point; it is the
// inverse of Pixel.
func (v View) World(r image.Rectangle, px, py float64) (x, y float64) {
	x = v.X0 + (px-float64(r.Min.X))/float64(r.Dx())*(v.X1-v.X0)
	y = v.Y1 - (py-float64(r.Min.Y))/float64(r.Dy())*(v.Y1-v.Y0)
	return x, y
}

// Contains reports whether the world point lies in the box (edges included).
func (v View) Contains(x, y float64) bool {
	return x >= min(v.X0, v.X1) && x <= max(v.X0, v.X1) && y >= min(v.Y0, v.Y1) && y <= max(v.Y0, v.Y1)
}
