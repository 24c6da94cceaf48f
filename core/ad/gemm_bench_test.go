package ad

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// The shapes below are the products of the benchmarked models, named
// m×k·k×n with the transposes as NN/NT/TN/TT:
//   - 2D flows, hidden width 128, batch 256: input layer 256×1·1×128, hidden
//     layer 256×128·128×128 with its backward products dW = Xᵀ·dY (TN
//     128×256·256×128) and dX = dY·Wᵀ (NT 256×128·128×128), output layer
//     256×128·128×2;
//   - VAE on 28×28 images, batch 128, hidden 400: 128×784·784×400 and
//     128×400·400×784 with their backward products;
//   - the density grid: 128×128 points through a 128-wide layer.

// gemmBenchSink keeps results alive so the compiler cannot drop the work.
var gemmBenchSink float64

// benchGemm times fn on a fresh m×k·k×n product with the given transposes and
// reports GFLOP/s (2mnk floating-point operations per call).
func benchGemm(b *testing.B, fn gemmFunc, tA, tB bool, m, n, k int) {
	rnd := rand.New(rand.NewPCG(1, 1))
	a := make([]float64, m*k)
	bb := make([]float64, k*n)
	c := make([]float64, m*n)
	for i := range a {
		a[i] = 2*rnd.Float64() - 1
	}
	for i := range bb {
		bb[i] = 2*rnd.Float64() - 1
	}
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	fn(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n) // warm up scratch buffers
	b.ResetTimer()
	for b.Loop() {
		fn(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	gemmBenchSink = c[0]
}

// gemmGonum calls gonum's Dgemm directly, as a baseline on js/wasm (natively
// it is what gemm does).
func gemmGonum(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	blas64.Implementation().Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func BenchmarkGemm_Flow_256x1x128_NN(b *testing.B)   { benchGemm(b, gemm, false, false, 256, 128, 1) }
func BenchmarkGemm_Flow_256x128x128_NN(b *testing.B) { benchGemm(b, gemm, false, false, 256, 128, 128) }
func BenchmarkGemm_Flow_256x128x128_NT(b *testing.B) { benchGemm(b, gemm, false, true, 256, 128, 128) }
func BenchmarkGemm_Flow_128x256x128_TN(b *testing.B) { benchGemm(b, gemm, true, false, 128, 128, 256) }
func BenchmarkGemm_Flow_256x128x128_TT(b *testing.B) { benchGemm(b, gemm, true, true, 256, 128, 128) }
func BenchmarkGemm_Flow_256x128x2_NN(b *testing.B)   { benchGemm(b, gemm, false, false, 256, 2, 128) }
func BenchmarkGemm_VAE_128x784x400_NN(b *testing.B)  { benchGemm(b, gemm, false, false, 128, 400, 784) }
func BenchmarkGemm_VAE_784x128x400_TN(b *testing.B)  { benchGemm(b, gemm, true, false, 784, 400, 128) }
func BenchmarkGemm_VAE_128x400x784_NT(b *testing.B)  { benchGemm(b, gemm, false, true, 128, 784, 400) }
func BenchmarkGemm_VAE_128x400x784_NN(b *testing.B)  { benchGemm(b, gemm, false, false, 128, 784, 400) }
func BenchmarkGemm_VAE_400x128x784_TN(b *testing.B)  { benchGemm(b, gemm, true, false, 400, 784, 128) }
func BenchmarkGemm_VAE_128x784x400_NT(b *testing.B)  { benchGemm(b, gemm, false, true, 128, 400, 784) }
func BenchmarkGemm_Grid_16384x128x128_NN(b *testing.B) {
	benchGemm(b, gemm, false, false, 16384, 128, 128)
}

func BenchmarkGemmGo_Flow_256x1x128_NN(b *testing.B) { benchGemm(b, gemmGo, false, false, 256, 128, 1) }
func BenchmarkGemmGo_Flow_256x128x128_NN(b *testing.B) {
	benchGemm(b, gemmGo, false, false, 256, 128, 128)
}
func BenchmarkGemmGo_Flow_256x128x128_NT(b *testing.B) {
	benchGemm(b, gemmGo, false, true, 256, 128, 128)
}
func BenchmarkGemmGo_Flow_128x256x128_TN(b *testing.B) {
	benchGemm(b, gemmGo, true, false, 128, 128, 256)
}
func BenchmarkGemmGo_Flow_256x128x128_TT(b *testing.B) {
	benchGemm(b, gemmGo, true, true, 256, 128, 128)
}
func BenchmarkGemmGo_Flow_256x128x2_NN(b *testing.B) { benchGemm(b, gemmGo, false, false, 256, 2, 128) }
func BenchmarkGemmGo_VAE_128x784x400_NN(b *testing.B) {
	benchGemm(b, gemmGo, false, false, 128, 400, 784)
}
func BenchmarkGemmGo_VAE_784x128x400_TN(b *testing.B) {
	benchGemm(b, gemmGo, true, false, 784, 400, 128)
}
func BenchmarkGemmGo_VAE_128x400x784_NT(b *testing.B) {
	benchGemm(b, gemmGo, false, true, 128, 784, 400)
}
func BenchmarkGemmGo_VAE_128x400x784_NN(b *testing.B) {
	benchGemm(b, gemmGo, false, false, 128, 784, 400)
}
func BenchmarkGemmGo_VAE_400x128x784_TN(b *testing.B) {
	benchGemm(b, gemmGo, true, false, 400, 784, 128)
}
func BenchmarkGemmGo_VAE_128x784x400_NT(b *testing.B) {
	benchGemm(b, gemmGo, false, true, 128, 400, 784)
}
func BenchmarkGemmGo_Grid_16384x128x128_NN(b *testing.B) {
	benchGemm(b, gemmGo, false, false, 16384, 128, 128)
}

func BenchmarkGemmGonum_Flow_256x128x128_NN(b *testing.B) {
	benchGemm(b, gemmGonum, false, false, 256, 128, 128)
}
func BenchmarkGemmGonum_Flow_256x128x128_NT(b *testing.B) {
	benchGemm(b, gemmGonum, false, true, 256, 128, 128)
}
func BenchmarkGemmGonum_Flow_128x256x128_TN(b *testing.B) {
	benchGemm(b, gemmGonum, true, false, 128, 128, 256)
}
