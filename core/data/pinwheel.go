package data

import (
	"math"
	"math/rand/v2"
)

// The pinwheel of Johnson et al. (2016, "Composing graphical models with
// neural networks", make_pinwheel_data) with FFJORD's parameters: five arms,
// a point f = (1 + 0.3ε₁, 0.1ε₂) rotated by the arm's angle 2πk/5 plus
// 0.25·exp(·), then scaled by 2.
//
// Johnson et al. rotate by an angle that depends on f's first coordinate,
// a map whose Jacobian determinant is 1 − 0.25·e^{f₁}·f₂ (not 1, so no
// simple density). Here the angle depends on the radius |f| instead: a twist
// (ρ, φ) ↦ (ρ, φ + θ(ρ)) preserves area, so the density is exact. Since
// |f| = f₁ + O(f₂²) the picture is the same.
const (
	pinwheelArms      = 5
	pinwheelRadialStd = 0.3
	pinwheelTangStd   = 0.1
	pinwheelRate      = 0.25
	pinwheelScale     = 2
)

type pinwheel struct{ box }

// newPinwheel returns the pinwheel target; LogProb is exact. Bounds
// [−4.5, 4.5]² hold |f| ≤ 2.25, more than 4σ of radial noise (mass outside
// ~1e-5).
func newPinwheel() Target { return &pinwheel{box: square(4.5)} }

func (*pinwheel) Name() string { return "pinwheel" }

// Sample fills dst with len(dst)/2 points.
func (*pinwheel) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		f0 := 1 + pinwheelRadialStd*rng.NormFloat64()
		f1 := pinwheelTangStd * rng.NormFloat64()
		theta := 2*math.Pi*float64(rng.IntN(pinwheelArms))/pinwheelArms +
			pinwheelRate*math.Exp(math.Hypot(f0, f1))
		s, c := math.Sincos(theta)
		dst[i] = pinwheelScale * (c*f0 - s*f1)
		dst[i+1] = pinwheelScale * (s*f0 + c*f1)
	}
}

var pinwheelLogNorm = -math.Log(2*math.Pi*pinwheelRadialStd*pinwheelTangStd) -
	math.Log(pinwheelArms) - 2*math.Log(pinwheelScale)

// LogProb is exact: undo the scale and, for each arm, the twist (which
// depends only on the radius, unchanged by rotation), then evaluate the
// Gaussian of f. The twist and rotation have unit Jacobian; the scale
// contributes 1/s².
func (*pinwheel) LogProb(x, y float64) float64 {
	u, v := x/pinwheelScale, y/pinwheelScale
	twist := pinwheelRate * math.Exp(math.Hypot(u, v))
	if math.IsInf(twist, 1) {
		// |x| > 1400: the angle no longer matters to a density of
		// order exp(−10⁷); any angle keeps the value finite (not NaN).
		twist = 0
	}
	m, sum := math.Inf(-1), 0.0
	for k := range pinwheelArms {
		s, c := math.Sincos(-(2*math.Pi*float64(k)/pinwheelArms + twist))
		f0, f1 := c*u-s*v, s*u+c*v
		z0, z1 := (f0-1)/pinwheelRadialStd, f1/pinwheelTangStd
		e := -0.5 * (z0*z0 + z1*z1)
		if e > m {
			sum = sum*math.Exp(m-e) + 1
			m = e
		} else {
			sum += math.Exp(e - m)
		}
	}
	return m + math.Log(sum) + pinwheelLogNorm
}

func init() { registerFixed(newPinwheel()) }
