package dist

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// ErrNotPositiveDefinite is returned (wrapped) by NewGaussianMixture when a
// covariance matrix is not symmetric positive definite.
var ErrNotPositiveDefinite = errors.New("covariance is not symmetric positive definite")

// symTol is the relative asymmetry |a_ij − a_ji| / max|a| tolerated in a
// covariance matrix: a few ulps of rounding from computing R·S·Rᵀ, far below
// any deliberate asymmetry.
const symTol = 1e-10

// smallDim is the largest dimension for which LogProb and Sample keep their
// scratch vector on the stack; larger mixtures allocate one per call.
const smallDim = 16

// GaussianMixture is a finite mixture of full-covariance Gaussians,
// p(x) = Σ_k w_k N(x; μ_k, Σ_k). Build one with NewGaussianMixture or
// RandomMixture; the value is immutable and safe for concurrent use.
type GaussianMixture struct {
	d, k    int
	weights []float64 // normalized w_k
	cum     []float64 // cumulative weights, for sampling
	means   []float64 // k×d
	chols   []float64 // k×d×d lower Cholesky factors of Σ_k
	logNorm []float64 // log w_k − d·log√(2π) − log|L_k|
}

// NewGaussianMixture returns the mixture with the given weights (normalized
// here, so any positive scale works), means (each of length d) and
// covariances (each a d×d row-major matrix). It panics on shape mismatches
// (no components, lengths that disagree) and returns an error for invalid
// values: a weight that is negative or not finite, weights summing to zero,
// a non-finite mean, or a covariance that is not symmetric positive definite.
func NewGaussianMixture(weights []float64, means, covs [][]float64) (*GaussianMixture, error) {
	k := len(weights)
	if k == 0 {
		panic("dist: mixture needs at least one component")
	}
	if len(means) != k || len(covs) != k {
		panic("dist: mixture weights, means and covariances differ in number")
	}
	d := len(means[0])
	if d == 0 {
		panic("dist: mixture means must not be empty")
	}
	g := &GaussianMixture{
		d: d, k: k,
		weights: make([]float64, k),
		cum:     make([]float64, k),
		means:   make([]float64, k*d),
		chols:   make([]float64, k*d*d),
		logNorm: make([]float64, k),
	}
	var total float64
	for i, w := range weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("dist: mixture weight %d is %v, want finite and non-negative", i, w)
		}
		total += w
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil, fmt.Errorf("dist: mixture weights sum to %v, want a positive finite sum", total)
	}
	var acc float64
	for i, w := range weights {
		g.weights[i] = w / total
		acc += g.weights[i]
		g.cum[i] = acc
	}
	g.cum[k-1] = 1 // guard against rounding leaving the last bin short of 1
	for i := range k {
		if len(means[i]) != d {
			panic("dist: mixture means differ in length")
		}
		if len(covs[i]) != d*d {
			panic("dist: mixture covariance is not d×d")
		}
		for _, v := range means[i] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("dist: mixture mean %d is not finite", i)
			}
		}
		copy(g.means[i*d:], means[i])
		c := covs[i]
		var scale float64
		for _, v := range c {
			scale = math.Max(scale, math.Abs(v))
		}
		for r := 0; r < d; r++ {
			for s := 0; s < r; s++ {
				if math.Abs(c[r*d+s]-c[s*d+r]) > symTol*scale {
					return nil, fmt.Errorf("dist: mixture component %d: %w", i, ErrNotPositiveDefinite)
				}
			}
		}
		l := g.chols[i*d*d : (i+1)*d*d]
		if !cholesky(l, c, d) {
			return nil, fmt.Errorf("dist: mixture component %d: %w", i, ErrNotPositiveDefinite)
		}
		logDet := 0.0 // log|L| = ½ log|Σ|
		for r := 0; r < d; r++ {
			logDet += math.Log(l[r*d+r])
		}
		g.logNorm[i] = math.Log(g.weights[i]) - float64(d)*logSqrt2Pi - logDet
	}
	return g, nil
}

// Dim returns the dimension of the mixture.
func (g *GaussianMixture) Dim() int { return g.d }

// Len returns the number of components.
func (g *GaussianMixture) Len() int { return g.k }

// Weight returns the normalized weight of component i.
func (g *GaussianMixture) Weight(i int) float64 { return g.weights[i] }

// Mean returns a copy of the mean of component i.
func (g *GaussianMixture) Mean(i int) []float64 {
	return append([]float64(nil), g.means[i*g.d:(i+1)*g.d]...)
}

// Cov returns the covariance of component i as a new d×d row-major matrix.
func (g *GaussianMixture) Cov(i int) []float64 {
	d := g.d
	l := g.chols[i*d*d : (i+1)*d*d]
	c := make([]float64, d*d)
	for r := 0; r < d; r++ {
		for s := 0; s <= r; s++ {
			var v float64
			for t := 0; t <= s; t++ {
				v += l[r*d+t] * l[s*d+t]
			}
			c[r*d+s], c[s*d+r] = v, v
		}
	}
	return c
}

// LogProb returns log p(x), computed with a log-sum-exp over components so
// that points far from every component give a finite, accurate value.
func (g *GaussianMixture) LogProb(x []float64) float64 {
	d := g.d
	checkPoint(x, d)
	var buf [smallDim]float64
	var z []float64
	if d <= smallDim {
		z = buf[:d]
	} else {
		z = make([]float64, d)
	}
	m, s := math.Inf(-1), 0.0 // running max and Σ exp(· − m)
	for i := 0; i < g.k; i++ {
		mu := g.means[i*d : (i+1)*d]
		for j := range z {
			z[j] = x[j] - mu[j]
		}
		forwardSolve(g.chols[i*d*d:(i+1)*d*d], z, d)
		var ss float64
		for _, v := range z {
			ss += v * v
		}
		lp := g.logNorm[i] - 0.5*ss
		switch {
		case math.IsInf(lp, -1):
		case lp > m:
			s = s*math.Exp(m-lp) + 1
			m = lp
		default:
			s += math.Exp(lp - m)
		}
	}
	return m + math.Log(s)
}

// Sample fills dst with len(dst)/Dim() points, row-major: a component is
// drawn by its weight, then μ + L·z with z ~ N(0, I).
func (g *GaussianMixture) Sample(rng *rand.Rand, dst []float64) {
	d := g.d
	checkBatch(dst, d)
	var buf [smallDim]float64
	var z []float64
	if d <= smallDim {
		z = buf[:d]
	} else {
		z = make([]float64, d)
	}
	for p := 0; p < len(dst); p += d {
		u := rng.Float64()
		i := 0
		for i < g.k-1 && u >= g.cum[i] {
			i++
		}
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		mu := g.means[i*d : (i+1)*d]
		l := g.chols[i*d*d : (i+1)*d*d]
		out := dst[p : p+d]
		for r := 0; r < d; r++ {
			v := mu[r]
			for t := 0; t <= r; t++ {
				v += l[r*d+t] * z[t]
			}
			out[r] = v
		}
	}
}
