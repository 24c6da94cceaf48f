package data

// box is an axis-aligned view box; embedding it gives a target its Bounds.
type box struct{ x0, x1, y0, y1 float64 }

// Bounds returns the box.
func (b box) Bounds() (x0, x1, y0, y1 float64) { return b.x0, b.x1, b.y0, b.y1 }

// square returns the box [−h, h]².
func square(h float64) box { return box{-h, h, -h, h} }
