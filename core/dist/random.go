package dist

import (
	"math"
	"math/rand/v2"
)

// Standard deviations along the principal axes of RandomMixture components:
// narrow enough that components in a box a few units wide stay distinct, wide
// enough that a small flow can fit them.
const (
	randomStdMin = 0.15
	randomStdMax = 0.6
)

// RandomMixture returns a k-component mixture in d dimensions with means
// uniform in the box [lo, hi]^d, covariances R·diag(s²)·Rᵀ with a random
// rotation R and principal standard deviations s uniform in [0.15, 0.6], and
// weights uniform in [0.5, 1.5] before normalization (so no component
// vanishes). The same rng state gives the same mixture. It panics if k < 1,
// d < 1 or !(lo < hi).
func RandomMixture(rng *rand.Rand, k, d int, lo, hi float64) *GaussianMixture {
	if k < 1 || d < 1 {
		panic("dist: RandomMixture needs k >= 1 and d >= 1")
	}
	if !(lo < hi) {
		panic("dist: RandomMixture needs lo < hi")
	}
	weights := make([]float64, k)
	means := make([][]float64, k)
	covs := make([][]float64, k)
	q := make([]float64, d*d)
	s := make([]float64, d)
	for i := range k {
		weights[i] = 0.5 + rng.Float64()
		means[i] = make([]float64, d)
		for j := range means[i] {
			means[i][j] = lo + (hi-lo)*rng.Float64()
		}
		randomRotation(rng, q, d)
		for j := range s {
			s[j] = randomStdMin + (randomStdMax-randomStdMin)*rng.Float64()
		}
		c := make([]float64, d*d)
		for r := 0; r < d; r++ {
			for t := 0; t <= r; t++ {
				var v float64
				for j := 0; j < d; j++ {
					v += q[r*d+j] * s[j] * s[j] * q[t*d+j]
				}
				c[r*d+t], c[t*d+r] = v, v
			}
		}
		covs[i] = c
	}
	g, err := NewGaussianMixture(weights, means, covs)
	if err != nil {
		// Unreachable: R·diag(s²)·Rᵀ with s ≥ 0.15 is positive definite.
		panic("dist: RandomMixture built an invalid mixture: " + err.Error())
	}
	return g
}

// randomRotation fills q (d×d row-major) with an orthogonal matrix by
// Gram–Schmidt on rows of independent normals, which gives a uniformly
// (Haar) distributed orthogonal matrix.
func randomRotation(rng *rand.Rand, q []float64, d int) {
	for r := 0; r < d; r++ {
		row := q[r*d : (r+1)*d]
		for {
			for j := range row {
				row[j] = rng.NormFloat64()
			}
			for p := 0; p < r; p++ {
				prev := q[p*d : (p+1)*d]
				var dot float64
				for j := range row {
					dot += row[j] * prev[j]
				}
				for j := range row {
					row[j] -= dot * prev[j]
				}
			}
			var n float64
			for _, v := range row {
				n += v * v
			}
			n = math.Sqrt(n)
			// A near-zero remainder means the draw was almost dependent on
			// the rows before it; drawing again keeps the basis accurate.
			if n > 1e-6 {
				for j := range row {
					row[j] /= n
				}
				break
			}
		}
	}
}
