package lab

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestSymEigen checks the Jacobi eigen-decomposition against gonum's LAPACK
// on random covariances (the latent plots' use) and on matrices with
// repeated and zero eigenvalues: the same eigenvalues, orthonormal vectors,
// and A v = λ v.
func TestSymEigen(t *testing.T) {
	t.Parallel()
	// tol: both are backward stable, so eigenvalues agree to a few ulps of
	// the matrix norm; 1e-10 leaves room for d up to 64.
	const tol = 1e-10
	rng := rand.New(rand.NewPCG(3, 3))
	var cases [][]float64
	var dims []int
	for _, d := range []int{1, 2, 3, 8, 20, 64} {
		// B Bᵀ/n for a random d×(d+3) B: a covariance
		n := d + 3
		b := make([]float64, d*n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		a := make([]float64, d*d)
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				for k := 0; k < n; k++ {
					a[i*d+j] += b[i*n+k] * b[j*n+k] / float64(n)
				}
			}
		}
		cases, dims = append(cases, a), append(dims, d)
	}
	// repeated eigenvalue 2 (twice) and a zero one
	cases, dims = append(cases, []float64{2, 0, 0, 0, 2, 0, 0, 0, 0}), append(dims, 3)
	for ci, a0 := range cases {
		d := dims[ci]
		a := append([]float64(nil), a0...)
		vals, vecs := symEigen(a, d)
		var eig mat.EigenSym
		if !eig.Factorize(mat.NewSymDense(d, append([]float64(nil), a0...)), false) {
			t.Fatalf("test %d: gonum failed", ci)
		}
		want := eig.Values(nil)
		scale := math.Abs(want[d-1]) + 1
		for i := range want {
			if math.Abs(vals[i]-want[i]) > tol*scale {
				t.Errorf("test %d: eigenvalue %d got %v want %v", ci, i, vals[i], want[i])
			}
		}
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				dot, av := 0.0, 0.0
				for k := 0; k < d; k++ {
					dot += vecs[k*d+i] * vecs[k*d+j]
					av += a0[j*d+k] * vecs[k*d+i]
				}
				if want := map[bool]float64{true: 1, false: 0}[i == j]; math.Abs(dot-want) > tol {
					t.Errorf("test %d: v%d·v%d = %v, want %v", ci, i, j, dot, want)
				}
				if r := av - vals[i]*vecs[j*d+i]; math.Abs(r) > tol*scale {
					t.Errorf("test %d: (A v%d - λ v%d)[%d] = %v", ci, i, i, j, r)
				}
			}
		}
	}
}
