package data

import (
	"math"
	"math/rand/v2"
)

// Concentric rings of radii 1, 2, 3 with weights proportional to the radius
// (so the density along each ring is the same) and radial noise σ = 0.1:
// neighbouring rings are 10σ apart.
var (
	ringRadii = []float64{1, 2, 3}
	ringNoise = 0.1
)

type rings struct {
	box
	w, logW []float64
}

// newRings returns the rings target. A point is r·(cos φ, sin φ) with φ
// uniform and r = r_k + σε for a ring k drawn by weight; a negative r is the
// point |r| at φ + π, so the radius |r| has the folded-normal density and
//
//	p(x) = Σ_k w_k [N(ρ; r_k, σ) + N(−ρ; r_k, σ)] / (2πρ),  ρ = |x|,
//
// exact. It is +Inf at the origin itself (an integrable singularity of
// weight ~e^−50 here). Bounds [−4, 4]² leave 10σ beyond the outer ring.
func newRings() Target {
	var sum float64
	for _, r := range ringRadii {
		sum += r
	}
	t := &rings{box: square(4)}
	for _, r := range ringRadii {
		t.w = append(t.w, r/sum)
		t.logW = append(t.logW, math.Log(r/sum))
	}
	return t
}

func (*rings) Name() string { return "rings" }

// Sample fills dst with len(dst)/2 points.
func (t *rings) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		u, k := rng.Float64(), 0
		for k < len(t.w)-1 && u >= t.w[k] {
			u -= t.w[k]
			k++
		}
		r := ringRadii[k] + ringNoise*rng.NormFloat64()
		s, c := math.Sincos(2 * math.Pi * rng.Float64())
		dst[i], dst[i+1] = r*c, r*s
	}
}

// LogProb is exact (see newRings), evaluated as a log-sum-exp.
func (t *rings) LogProb(x, y float64) float64 {
	rho := math.Hypot(x, y)
	m, s := math.Inf(-1), 0.0
	add := func(e float64) {
		if e > m {
			s = s*math.Exp(m-e) + 1
			m = e
		} else {
			s += math.Exp(e - m)
		}
	}
	for k, rk := range ringRadii {
		for _, sign := range [2]float64{1, -1} {
			z := (sign*rho - rk) / ringNoise
			add(t.logW[k] - 0.5*z*z)
		}
	}
	// log N(·; r, σ) = −z²/2 − log(σ√(2π)); the 2πρ is the polar Jacobian.
	return m + math.Log(s) - math.Log(ringNoise*math.Sqrt(2*math.Pi)) - math.Log(2*math.Pi*rho)
}

func init() { registerFixed(newRings()) }
