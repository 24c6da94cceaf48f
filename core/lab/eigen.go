package lab

import (
	"math"
	"sort"
)

// symEigen returns the eigenvalues of the symmetric d×d matrix a (row-major;
// a is overwritten) in ascending order, and the matching unit eigenvectors
// as the columns of the row-major d×d matrix vecs.
//
// It is the cyclic Jacobi method (Golub & Van Loan, Matrix Computations,
// §8.5): plane rotations zero each off-diagonal entry in turn until the
// off-diagonal part is negligible. For the few-dozen-dimensional covariances
// the latent plots project, it is exact to rounding and small; gonum's
// LAPACK (mat.EigenSym) would do the same but brings about a megabyte of
// compressed code into the page's WebAssembly, which issue 7 keeps under 4 MB.
func symEigen(a []float64, d int) (vals, vecs []float64) {
	if len(a) != d*d {
		panic("lab: symEigen: matrix is not d×d")
	}
	vecs = make([]float64, d*d)
	for i := 0; i < d; i++ {
		vecs[i*d+i] = 1
	}
	// maxSweeps bounds the work; Jacobi converges quadratically, so a
	// handful of sweeps reach rounding for well-separated eigenvalues and a
	// dozen for clustered ones.
	const maxSweeps = 50
	for sweep := 0; sweep < maxSweeps; sweep++ {
		off, diag := 0.0, 0.0
		for p := 0; p < d; p++ {
			diag += a[p*d+p] * a[p*d+p]
			for q := p + 1; q < d; q++ {
				off += a[p*d+q] * a[p*d+q]
			}
		}
		if off <= 1e-30*diag || off == 0 {
			break
		}
		for p := 0; p < d; p++ {
			for q := p + 1; q < d; q++ {
				apq := a[p*d+q]
				if apq == 0 {
					continue
				}
				// the rotation (c, s) with tangent t that zeroes a[p][q]
				theta := (a[q*d+q] - a[p*d+p]) / (2 * apq)
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < d; k++ { // columns p, q
					akp, akq := a[k*d+p], a[k*d+q]
					a[k*d+p], a[k*d+q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < d; k++ { // rows p, q
					apk, aqk := a[p*d+k], a[q*d+k]
					a[p*d+k], a[q*d+k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := 0; k < d; k++ {
					vkp, vkq := vecs[k*d+p], vecs[k*d+q]
					vecs[k*d+p], vecs[k*d+q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return a[order[i]*d+order[i]] < a[order[j]*d+order[j]] })
	vals = make([]float64, d)
	sorted := make([]float64, d*d)
	for col, src := range order {
		vals[col] = a[src*d+src]
		for k := 0; k < d; k++ {
			sorted[k*d+col] = vecs[k*d+src]
		}
	}
	return vals, sorted
}
