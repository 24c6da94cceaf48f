package flow

import (
	"math"
	"math/rand/v2"

	"likelab/core/ad"
)

// Base is a flow's base distribution, with its log-density on the tape.
type Base interface {
	// LogProb records the R×1 column of log p(z) for the rows of z.
	LogProb(t *ad.Tape, z *ad.Node) *ad.Node
	// Sample fills dst (row-major, len(dst)/Dim() rows) with draws.
	Sample(rng *rand.Rand, dst []float64)
	Dim() int
}

// StandardNormal is N(0, I) in D dimensions.
type StandardNormal struct{ D int }

// LogProb is −½|z|² − (D/2)·log 2π per row.
func (s StandardNormal) LogProb(t *ad.Tape, z *ad.Node) *ad.Node {
	return t.AddScalar(t.Scale(t.SumEachRow(t.Square(z)), -0.5), -0.5*float64(s.D)*math.Log(2*math.Pi))
}

// Sample fills dst with standard normal draws.
func (s StandardNormal) Sample(rng *rand.Rand, dst []float64) {
	for i := range dst {
		dst[i] = rng.NormFloat64()
	}
}

// Dim is D.
func (s StandardNormal) Dim() int { return s.D }
