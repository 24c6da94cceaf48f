//go:build js && wasm

package ad

// gemm computes C = alpha*op(A)*op(B) + beta*C, op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
// A is stored row-major with leading dimension lda (lda ≥ k if !tA, ≥ m if tA), likewise B (ldb) and C (ldc ≥ n).
// When alpha == 0 or k == 0, A and B are not read; when beta == 0, C is overwritten without being read.
//
// On js/wasm it runs gemmGo: Go's wasm backend has no SIMD, and the packed,
// register-blocked kernel there is several times faster than gonum's loops.
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmGo(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
