package dist

import "math/rand/v2"

// LogProber evaluates the log-density of one point.
type LogProber interface {
	// LogProb returns the natural log of the density at x, len(x) == Dim().
	LogProb(x []float64) float64
}

// Sampler draws points.
type Sampler interface {
	// Sample fills dst with len(dst)/Dim() points, row-major.
	Sample(rng *rand.Rand, dst []float64)
}

// Distribution is a distribution on R^Dim() that can be evaluated and sampled.
type Distribution interface {
	Dim() int
	LogProber
	Sampler
}

// Compile-time checks that the distributions of this package satisfy Distribution.
var (
	_ Distribution = StandardNormal{}
	_ Distribution = DiagNormal{}
	_ Distribution = (*GaussianMixture)(nil)
	_ Distribution = Bernoulli{}
	_ Distribution = BernoulliLogits{}
)

// checkBatch panics unless dst holds a whole number of d-dimensional points.
func checkBatch(dst []float64, d int) {
	if d <= 0 {
		panic("dist: dimension must be positive")
	}
	if len(dst)%d != 0 {
		panic("dist: batch length is not a multiple of the dimension")
	}
}

// checkPoint panics unless x has length d.
func checkPoint(x []float64, d int) {
	if len(x) != d {
		panic("dist: point length does not match the dimension")
	}
}
