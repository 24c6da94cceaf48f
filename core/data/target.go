package data

import "math/rand/v2"

// Target is a distribution on the plane that can be sampled and viewed.
type Target interface {
	// Name returns the name the target is looked up by, e.g. "moons".
	Name() string
	// Sample fills dst with len(dst)/2 points, interleaved x, y.
	// It panics if len(dst) is odd.
	Sample(rng *rand.Rand, dst []float64)
	// Bounds returns a square-ish view box x0 < x1, y0 < y1 that contains
	// nearly all of the mass with a margin, for plotting.
	Bounds() (x0, x1, y0, y1 float64)
}

// LogDensity is implemented by targets whose normalized density is known.
// Each implementation says in its documentation whether the value is exact
// or computed by quadrature (and to what accuracy).
type LogDensity interface {
	// LogProb returns the natural log of the density at (x, y); −Inf where
	// the density is zero.
	LogProb(x, y float64) float64
}

// Exact is a Target with a known density.
type Exact interface {
	Target
	LogDensity
}

// checkEven panics unless dst holds whole points.
func checkEven(dst []float64) {
	if len(dst)%2 != 0 {
		panic("data: point buffer length is odd")
	}
}
