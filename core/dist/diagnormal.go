package dist

import (
	"math"
	"math/rand/v2"
)

// DiagNormal is the normal distribution with independent coordinates,
// N(Mean, diag(Std²)). Mean and Std must have the same length and every Std
// must be positive; methods panic otherwise.
type DiagNormal struct {
	Mean, Std []float64
}

// Dim returns len(Mean).
func (n DiagNormal) Dim() int {
	if len(n.Mean) != len(n.Std) {
		panic("dist: DiagNormal Mean and Std lengths differ")
	}
	return len(n.Mean)
}

// LogProb returns log N(x; Mean, diag(Std²)).
func (n DiagNormal) LogProb(x []float64) float64 {
	checkPoint(x, n.Dim())
	var lp float64
	for i, v := range x {
		s := n.Std[i]
		z := (v - n.Mean[i]) / s
		lp -= 0.5*z*z + math.Log(s) + logSqrt2Pi
	}
	return lp
}

// Sample fills dst with len(dst)/Dim() points, row-major.
func (n DiagNormal) Sample(rng *rand.Rand, dst []float64) {
	d := n.Dim()
	checkBatch(dst, d)
	for i := range dst {
		j := i % d
		dst[i] = n.Mean[j] + n.Std[j]*rng.NormFloat64()
	}
}

// Entropy returns the differential entropy Σ (1/2 + log(√(2π)·Std_i)) in nats.
func (n DiagNormal) Entropy() float64 {
	h := float64(n.Dim()) * (0.5 + logSqrt2Pi)
	for _, s := range n.Std {
		h += math.Log(s)
	}
	return h
}
