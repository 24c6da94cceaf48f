package dist

import (
	"math"
	"math/rand/v2"
)

// logSqrt2Pi is log(√(2π)), the per-dimension normalizer of a unit Gaussian.
var logSqrt2Pi = 0.5 * math.Log(2*math.Pi)

// StandardNormal is the D-dimensional normal distribution N(0, I).
type StandardNormal struct {
	D int
}

// Dim returns D.
func (s StandardNormal) Dim() int { return s.D }

// LogProb returns log N(x; 0, I). It panics if len(x) != D.
func (s StandardNormal) LogProb(x []float64) float64 {
	checkPoint(x, s.D)
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	return -0.5*ss - float64(s.D)*logSqrt2Pi
}

// Sample fills dst with independent standard normal values; dst holds
// len(dst)/D points. It panics if len(dst) is not a multiple of D.
func (s StandardNormal) Sample(rng *rand.Rand, dst []float64) {
	checkBatch(dst, s.D)
	for i := range dst {
		dst[i] = rng.NormFloat64()
	}
}

// Entropy returns the differential entropy D/2·(1 + log 2π) in nats.
func (s StandardNormal) Entropy() float64 {
	return float64(s.D) * (0.5 + logSqrt2Pi)
}
