package data

import (
	"math"
	"math/rand/v2"
)

// Two moons as scikit-learn's make_moons(noise=0.1) draws them, centred and
// doubled in size so that they span about [−3, 3] like the other targets:
// the outer arm is (cos θ, sin θ), the inner one (1 − cos θ, ½ − sin θ),
// θ uniform on [0, π], then (x, y) ↦ 2·(x − ½, y − ¼) plus N(0, 0.2²I).
const (
	moonsScale = 2
	moonsNoise = 0.1 * moonsScale
	// 256 Simpson intervals per arm put nodes 2π/256 ≈ 0.025 = σ/8 apart.
	moonsNodes = 256
)

type moons struct {
	box
	*curveDensity
}

// newMoons returns the two-moons target. Its LogProb is by quadrature along
// the arcs; see curveDensity for its accuracy. Bounds [−4, 4]² leave 5σ
// beyond the tips.
func newMoons() Target { return newMoonsWith(moonsNodes) }

func newMoonsWith(nodes int) *moons {
	c := newCurveDensity(moonsNoise)
	q := func(float64) float64 { return 1 / math.Pi }
	for arm := range 2 {
		c.addArm(nodes, 0, math.Pi, 0.5, q, func(t float64) (x, y float64) {
			return moonPoint(arm, t)
		})
	}
	c.finish()
	return &moons{box: square(4), curveDensity: c}
}

// moonPoint returns the noiseless point of arm 0 (outer) or 1 (inner) at
// angle θ, in the target's coordinates.
func moonPoint(arm int, theta float64) (x, y float64) {
	s, c := math.Sincos(theta)
	if arm == 0 {
		x, y = c, s
	} else {
		x, y = 1-c, 0.5-s
	}
	return moonsScale * (x - 0.5), moonsScale * (y - 0.25)
}

func (*moons) Name() string { return "moons" }

// Sample fills dst with len(dst)/2 points.
func (*moons) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		x, y := moonPoint(rng.IntN(2), math.Pi*rng.Float64())
		dst[i] = x + moonsNoise*rng.NormFloat64()
		dst[i+1] = y + moonsNoise*rng.NormFloat64()
	}
}

func init() { registerFixed(newMoons()) }
