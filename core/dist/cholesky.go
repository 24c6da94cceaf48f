package dist

import "math"

// cholesky factors the symmetric d×d matrix a (row-major) as L·Lᵀ and writes
// the lower-triangular L into l (row-major, upper part zeroed). It reports
// false if a is not numerically positive definite. Only the lower triangle
// of a is read. The plain Cholesky–Banachiewicz loop is enough for the small
// dimensions mixtures are used in here (2D targets, latent spaces of a few
// dimensions).
func cholesky(l, a []float64, d int) bool {
	for i := range l {
		l[i] = 0
	}
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s := a[i*d+j]
			for k := 0; k < j; k++ {
				s -= l[i*d+k] * l[j*d+k]
			}
			if i == j {
				if !(s > 0) || math.IsInf(s, 0) {
					return false
				}
				l[i*d+i] = math.Sqrt(s)
			} else {
				l[i*d+j] = s / l[j*d+j]
			}
		}
	}
	return true
}

// forwardSolve overwrites b with L⁻¹·b for lower-triangular L (row-major d×d).
func forwardSolve(l, b []float64, d int) {
	for i := 0; i < d; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*d+k] * b[k]
		}
		b[i] = s / l[i*d+i]
	}
}
