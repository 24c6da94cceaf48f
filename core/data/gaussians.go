package data

import (
	"math"
	"math/rand/v2"

	"likelab/core/dist"
)

// mixture is a target that is a 2D Gaussian mixture; its density is exact.
type mixture struct {
	box
	name string
	g    *dist.GaussianMixture
}

func (m *mixture) Name() string { return m.name }

// Sample fills dst with len(dst)/2 points from the mixture.
func (m *mixture) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	m.g.Sample(rng, dst)
}

// LogProb is exact: the log-sum-exp of the Gaussian components.
func (m *mixture) LogProb(x, y float64) float64 {
	p := [2]float64{x, y}
	return m.g.LogProb(p[:])
}

// isotropicMixture returns equal-weight components N(c_k, σ²I).
func isotropicMixture(centres [][]float64, sigma float64) *dist.GaussianMixture {
	w := make([]float64, len(centres))
	covs := make([][]float64, len(centres))
	for i := range centres {
		w[i] = 1
		covs[i] = []float64{sigma * sigma, 0, 0, sigma * sigma}
	}
	g, err := dist.NewGaussianMixture(w, centres, covs)
	if err != nil {
		panic("data: " + err.Error()) // unreachable: fixed valid parameters
	}
	return g
}

// doubleGaussianStd is the standard deviation of each component of the
// "double-gaussian" target, 0.5·N((−2,0), 0.5²I) + 0.5·N((2,0), 0.5²I): the
// target of the talk. The means are 8σ apart, so the modes barely overlap
// and the entropy is that of one component plus log 2.
const doubleGaussianStd = 0.5

// newDoubleGaussian is the talk's target. Bounds [−4, 4]² leave 4σ beyond
// each mode (3e-5 of the mass outside).
func newDoubleGaussian() Target {
	return &mixture{
		box:  square(4),
		name: "double-gaussian",
		g:    isotropicMixture([][]float64{{-2, 0}, {2, 0}}, doubleGaussianStd),
	}
}

// Eight Gaussians on a circle: neighbouring means are 2·2·sin(π/8) ≈ 1.53
// apart, 7.7σ, so the eight modes are clearly separate yet a flow has to
// carve seven valleys of near-zero density between them. (FFJORD's variant
// has radius 2.83 and σ 0.35.)
const (
	eightRadius = 2.0
	eightStd    = 0.2
)

// newEightGaussians returns equal-weight N(2·(cos 2πk/8, sin 2πk/8), 0.2²I).
// Bounds [−3, 3]² are 5σ beyond the outermost means.
func newEightGaussians() Target {
	centres := make([][]float64, 8)
	for k := range centres {
		a := 2 * math.Pi * float64(k) / 8
		centres[k] = []float64{eightRadius * math.Cos(a), eightRadius * math.Sin(a)}
	}
	return &mixture{
		box:  square(3),
		name: "eight-gaussians",
		g:    isotropicMixture(centres, eightStd),
	}
}

func init() {
	registerFixed(newDoubleGaussian())
	registerFixed(newEightGaussians())
}
