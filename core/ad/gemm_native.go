//go:build !(js && wasm)

package ad

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemm computes C = alpha*op(A)*op(B) + beta*C, op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
// A is stored row-major with leading dimension lda (lda ≥ k if !tA, ≥ m if tA), likewise B (ldb) and C (ldc ≥ n).
// When alpha == 0 or k == 0, A and B are not read; when beta == 0, C is overwritten without being read.
//
// Natively it calls gonum's Dgemm (pure Go with assembly kernels, parallel for
// large sizes) for large products and gemmGo for the rest (see gonumMinWork). Its results do not depend on scheduling: each block of C is
// summed by one goroutine in a fixed order, which gemm_test.go checks.
// Unlike a plain triple loop, gonum's NN, TN and TT loops skip terms whose
// element of A is zero, so 0·Inf or 0·NaN in B then adds nothing instead of
// NaN; gemmGo (js/wasm) propagates NaN as the definition does.
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmCheck(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	// Dgemm rejects leading dimensions of 0, which the contract allows when
	// k == 0, and would multiply A and B by alpha == 0 (turning Inf into NaN),
	// so these cases are handled here.
	if alpha == 0 || k == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	if m*n*k < gonumMinWork {
		gemmGo(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	blas64.Implementation().Dgemm(gemmTrans(tA), gemmTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gonumMinWork is the size m·n·k from which gonum's Dgemm is used natively.
// Below it the packed Go kernel is as fast (5.9–7.8 GFLOP/s against gonum's
// 6.6–13.9 at 256×128×128, measured side by side on a loaded 2-core machine)
// and, unlike gonum's parallel Dgemm, allocates nothing — so a training step
// of the 2D flows allocates nothing natively either. Above it gonum's use of
// every core pays (VAE layers, density grids).
const gonumMinWork = 1 << 23

// gemmTrans converts a transpose flag to gonum's enumeration.
func gemmTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemmPlatformImpls lists platform-specific paths for gemm_test.go to drive
// directly; natively there are none.
var gemmPlatformImpls []struct {
	name string
	fn   func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

// gemmBiasReLU sets the m×n C to A·B plus the 1×n bias row (none if nil),
// through max(·, 0) when relu is set: a dense layer's forward pass.
func gemmBiasReLU(m, n, k int, a []float64, lda int, b []float64, ldb int, bias []float64, relu bool, c []float64, ldc int) {
	gemmBiasReLUGo(m, n, k, a, lda, b, ldb, bias, relu, c, ldc)
}

// reluMask sets the rows×cols gm to g where y > 0 and to 0 elsewhere, and
// adds gm's column sums into bg unless it is nil (see reluMaskGo).
func reluMask(gm, g, y, bg []float64, rows, cols int) { reluMaskGo(gm, g, y, bg, rows, cols) }
