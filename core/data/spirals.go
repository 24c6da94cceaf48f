package data

import (
	"math"
	"math/rand/v2"
)

// Two interleaved Archimedean spiral arms: at parameter t ∈ [0, 1] the
// radius is 3t and the angle 2π·1.5·t (plus π for the second arm), so each
// arm turns 540° like FFJORD's "2spirals". t = √U with U uniform makes the
// points roughly uniform along the arms (arc length grows like t dt). The
// arms are 1 apart radially, 10σ for the noise σ = 0.1.
const (
	spiralRadius = 3.0
	spiralTurns  = 1.5
	spiralNoise  = 0.1
	// Each arm is 14.7 long; quadrature nodes are spaced evenly along it,
	// 1024 Simpson intervals putting them 0.014 = σ/7 apart (log-density
	// error 8e-6 against 8192 intervals; 600 intervals gave 7e-5).
	spiralNodes = 1024
)

type spirals struct {
	box
	*curveDensity
}

// newSpirals returns the two-spirals target. Its LogProb is by quadrature
// along the arms; see curveDensity for its accuracy. Bounds
// [−4, 4]² leave 10σ beyond the arm ends.
func newSpirals() Target { return newSpiralsWith(spiralNodes) }

func newSpiralsWith(nodes int) *spirals {
	c := newCurveDensity(spiralNoise)
	// Quadrature in the normalized arc length u = L(t)/L(1), not in t:
	// evenly spaced t would crowd nodes near the centre, where the arm is
	// slow, and make LogProb several times slower for no accuracy.
	total := spiralArcLength(1)
	tOf := func(u float64) float64 { return spiralParamAt(u * total) }
	q := func(u float64) float64 {
		t := tOf(u)
		return 2 * t * total / spiralSpeed(t) // density of √U times dt/du
	}
	for arm := range 2 {
		c.addArm(nodes, 0, 1, 0.5, q, func(u float64) (x, y float64) {
			return spiralPoint(arm, tOf(u))
		})
	}
	c.finish()
	return &spirals{box: square(4), curveDensity: c}
}

// spiralPoint returns the noiseless point of an arm at parameter t.
func spiralPoint(arm int, t float64) (x, y float64) {
	r := spiralRadius * t
	s, c := math.Sincos(2*math.Pi*spiralTurns*t + math.Pi*float64(arm))
	return r * c, r * s
}

// spiralSpeed returns |dc/dt| = R·√(1 + a²t²), a = 2π·turns.
func spiralSpeed(t float64) float64 {
	a := 2 * math.Pi * spiralTurns
	return spiralRadius * math.Hypot(1, a*t)
}

// spiralArcLength returns the arc length from the centre to parameter t,
// the closed form of ∫ R√(1 + a²τ²) dτ: R/(2a)·(at·√(1 + a²t²) + asinh(at)).
func spiralArcLength(t float64) float64 {
	a := 2 * math.Pi * spiralTurns
	return spiralRadius / (2 * a) * (a*t*math.Hypot(1, a*t) + math.Asinh(a*t))
}

// spiralParamAt inverts spiralArcLength by Newton's method; the arc length
// is convex in t with derivative ≥ R, so starting from the linear guess the
// iteration converges in a handful of steps to full precision.
func spiralParamAt(s float64) float64 {
	t := s / spiralArcLength(1)
	for range 50 {
		step := (spiralArcLength(t) - s) / spiralSpeed(t)
		t -= step
		if math.Abs(step) < 1e-15 {
			break
		}
	}
	return t
}

func (*spirals) Name() string { return "spirals" }

// Sample fills dst with len(dst)/2 points.
func (*spirals) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		x, y := spiralPoint(rng.IntN(2), math.Sqrt(rng.Float64()))
		dst[i] = x + spiralNoise*rng.NormFloat64()
		dst[i+1] = y + spiralNoise*rng.NormFloat64()
	}
}

func init() { registerFixed(newSpirals()) }
