package ad

import (
	"fmt"
	"sync"
)

// This file holds gemmGo, the pure-Go matrix multiply behind gemm on js/wasm
// for thin products and wherever WebAssembly SIMD128 is missing (Go's wasm
// backend emits no SIMD, and gonum's loops reach only about 1.0 GFLOP/s
// there against 5.5–6 here), and gemmCheck, the argument checks shared by
// every gemm implementation. gemmGo has no build tag so that it is tested and
// benchmarked natively as well.
//
// The layout follows the Goto/BLIS scheme: op(B) is copied ("packed") a block
// of gemmKC×gemmNC at a time into strips of gemmNR columns, op(A) a block of
// gemmMC×gemmKC at a time into strips of gemmMR rows, and a micro-kernel
// multiplies one A strip by one B strip into a gemmMR×gemmNR tile held in
// local variables. Packing turns every transpose combination into the same
// unit-stride inner loop, so NN, NT, TN and TT all run at the same speed, and
// zero-padding the last strip lets the micro-kernel always work on full tiles.
// Thin products (tiny depth, or one or two rows), where packing and per-tile
// overhead dominate, take a simpler row-by-row path instead (gemmRows).

// Micro-tile and block sizes, chosen by measuring under Node 20 (CPU time,
// 256×128·128×128 unless noted). Go's wasm backend has 16 float64 registers;
// a 3×3 tile needs 9 accumulators plus 3+3 operands and reached 5.5 GFLOP/s,
// 4×4 spills and reached 4.6, and 2×4, 4×2, 3×4 and 4×3 fell in between.
// Unrolling the depth loop twice gained about 25% on every tile shape. The
// block sizes keep a packed A block (gemmMC×gemmKC, 192 KiB) in L2 and one
// packed B strip (gemmKC×gemmNR, 6 KiB) in L1 while the A block streams past
// it; at the benchmarked sizes everything fits in L2 anyway, and halving or
// doubling any of them changed the VAE and grid shapes by at most ±5%.
const (
	gemmMR = 3   // rows of op(A) per micro-tile
	gemmNR = 3   // columns of op(B) per micro-tile
	gemmKC = 256 // depth of a packed block
	gemmMC = 96  // rows of op(A) per packed block; a multiple of gemmMR
	gemmNC = 384 // columns of op(B) per packed block; a multiple of gemmNR

	gemmRowsMaxK = 8 // largest depth k sent to gemmRows
	gemmRowsMaxM = 2 // largest row count m sent to gemmRows
)

// gemmScratch holds the buffers of gemmGo, reused across calls so a warm
// training step allocates nothing. The packed blocks take at most about 1 MiB
// whatever the matrices; bt holds at most gemmRowsMaxK·n elements. On js/wasm
// there is one thread and gemmGo never blocks, so the mutex is never
// contended there; natively it serialises the small products of concurrent
// callers (parallel tests, say), which is correct and rarely contended.
var gemmScratch struct {
	sync.Mutex
	a  [][gemmMR]float64
	b  [][gemmNR]float64
	bt []float64 // op(B) row-major for gemmRows when B is transposed
}

// gemmCheck panics if the arguments of a gemm call are inconsistent: negative
// sizes, leading dimensions smaller than a row, or slices too short to hold
// the matrices they describe. It follows the contract of gemm: op(A) is m×k,
// op(B) is k×n, C is m×n, all row-major with the given leading dimensions.
func gemmCheck(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("ad: gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	checkMat := func(name string, s []float64, rows, cols, ld int) {
		if ld < cols {
			panic(fmt.Sprintf("ad: gemm: leading dimension of %s is %d, want ≥ %d", name, ld, cols))
		}
		if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
			panic(fmt.Sprintf("ad: gemm: %s has %d elements, want ≥ %d for %d×%d with leading dimension %d",
				name, len(s), (rows-1)*ld+cols, rows, cols, ld))
		}
	}
	if tA {
		checkMat("A", a, k, m, lda)
	} else {
		checkMat("A", a, m, k, lda)
	}
	if tB {
		checkMat("B", b, n, k, ldb)
	} else {
		checkMat("B", b, k, n, ldb)
	}
	checkMat("C", c, m, n, ldc)
}

// gemmScale sets C = beta*C for an m×n C. beta == 0 stores zeros, so NaN or
// Inf in C do not survive (the BLAS convention).
func gemmScale(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// gemmGo computes C = alpha*op(A)*op(B) + beta*C with the contract of gemm,
// in pure Go. When alpha == 0 or k == 0, A and B are not read; when beta == 0,
// C is not read.
func gemmGo(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmGoWith(gemmUseRows(tB, m, k), tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmUseRows reports whether gemmRows beats the packed kernel. It does when
// the depth k is tiny, as the per-tile work then no longer hides the cost of
// packing, calling the kernel and storing tiles (256×1·1×128 ran at 0.3
// GFLOP/s packed and 0.9 by rows under Node), and when op(A) has one or two
// rows, as most of each tile is then padding (1×256·256×128: 0.75 against
// 1.8). At k = 8 or m = 3 both paths ran at the same speed. Products with
// few columns stay on the packed path, which ran them at 1.5–1.7 GFLOP/s.
func gemmUseRows(tB bool, m, k int) bool {
	return k <= gemmRowsMaxK || (m <= gemmRowsMaxM && !tB)
}

// gemmGoWith is gemmGo with the choice between gemmRows (rows == true) and
// the packed kernel made by the caller, so tests can drive both on any shape.
func gemmGoWith(rows, tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmCheck(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}

	s := &gemmScratch
	s.Lock()
	defer s.Unlock()
	if !rows {
		gemmPacked(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if tB {
		// gemmRows wants the rows of op(B) contiguous: copy them out of
		// the columns of B (k×n elements, with k ≤ gemmRowsMaxK when
		// gemmUseRows chose this path).
		if len(s.bt) < k*n {
			s.bt = make([]float64, k*n)
		}
		for p := range k {
			dst := s.bt[p*n : p*n+n]
			for j := range dst {
				dst[j] = b[j*ldb+p]
			}
		}
		b, ldb = s.bt, n
	}
	gemmRows(tA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmPacked is the blocked, packed product described at the top of the file.
// The caller holds gemmScratch and has handled empty and alpha == 0 products.
func gemmPacked(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	s := &gemmScratch
	// Grow the buffers to what this call needs, at most one block each.
	if na := gemmStrips(min(m, gemmMC), gemmMR) * min(k, gemmKC); len(s.a) < na {
		s.a = make([][gemmMR]float64, na)
	}
	if nb := gemmStrips(min(n, gemmNC), gemmNR) * min(k, gemmKC); len(s.b) < nb {
		s.b = make([][gemmNR]float64, nb)
	}
	for jc := 0; jc < n; jc += gemmNC {
		nc := min(gemmNC, n-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			gemmPackB(s.b, tB, kc, nc, b, ldb, pc, jc)
			// C is scaled by beta with the first block's products and
			// only accumulated into afterwards, saving a pass over C.
			bt := 1.0
			if pc == 0 {
				bt = beta
			}
			for ic := 0; ic < m; ic += gemmMC {
				mc := min(gemmMC, m-ic)
				gemmPackA(s.a, tA, mc, kc, a, lda, ic, pc)
				gemmMacro(mc, nc, kc, alpha, s.a, s.b, bt, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// gemmStrips returns how many strips of width w cover n, the last one padded.
func gemmStrips(n, w int) int {
	return (n + w - 1) / w
}

// gemmPackA copies the mc×kc block of op(A) at row ic, column pc into dst as
// strips of gemmMR rows: dst[s*kc+p][i] = op(A)[ic+s*gemmMR+i, pc+p], with rows
// past mc set to zero. Zero padding keeps the unused part of edge tiles free
// of stale NaN or subnormal values, which would be harmless but slow.
func gemmPackA(dst [][gemmMR]float64, tA bool, mc, kc int, a []float64, lda, ic, pc int) {
	for s := range gemmStrips(mc, gemmMR) {
		strip := dst[s*kc : s*kc+kc]
		i0 := ic + s*gemmMR
		rows := min(gemmMR, mc-s*gemmMR)
		switch {
		case !tA && rows == gemmMR:
			r0 := a[i0*lda+pc:][:len(strip)]
			r1 := a[(i0+1)*lda+pc:][:len(strip)]
			r2 := a[(i0+2)*lda+pc:][:len(strip)]
			for p := range strip {
				strip[p] = [gemmMR]float64{r0[p], r1[p], r2[p]}
			}
		case tA && rows == gemmMR:
			// Columns of op(A) are rows of A.
			for p := range strip {
				src := a[(pc+p)*lda+i0:][:gemmMR]
				strip[p] = [gemmMR]float64{src[0], src[1], src[2]}
			}
		default:
			for p := range strip {
				var v [gemmMR]float64
				for i := range rows {
					if tA {
						v[i] = a[(pc+p)*lda+i0+i]
					} else {
						v[i] = a[(i0+i)*lda+pc+p]
					}
				}
				strip[p] = v
			}
		}
	}
}

// gemmPackB copies the kc×nc block of op(B) at row pc, column jc into dst as
// strips of gemmNR columns: dst[s*kc+p][j] = op(B)[pc+p, jc+s*gemmNR+j], with
// columns past nc set to zero.
func gemmPackB(dst [][gemmNR]float64, tB bool, kc, nc int, b []float64, ldb, pc, jc int) {
	for s := range gemmStrips(nc, gemmNR) {
		strip := dst[s*kc : s*kc+kc]
		j0 := jc + s*gemmNR
		cols := min(gemmNR, nc-s*gemmNR)
		switch {
		case !tB && cols == gemmNR:
			for p := range strip {
				src := b[(pc+p)*ldb+j0:][:gemmNR]
				strip[p] = [gemmNR]float64{src[0], src[1], src[2]}
			}
		case tB && cols == gemmNR:
			// Columns of op(B) are rows of B.
			r0 := b[j0*ldb+pc:][:len(strip)]
			r1 := b[(j0+1)*ldb+pc:][:len(strip)]
			r2 := b[(j0+2)*ldb+pc:][:len(strip)]
			for p := range strip {
				strip[p] = [gemmNR]float64{r0[p], r1[p], r2[p]}
			}
		default:
			for p := range strip {
				var v [gemmNR]float64
				for j := range cols {
					if tB {
						v[j] = b[(j0+j)*ldb+pc+p]
					} else {
						v[j] = b[(pc+p)*ldb+j0+j]
					}
				}
				strip[p] = v
			}
		}
	}
}

// gemmMacro multiplies a packed mc×kc block of op(A) by a packed kc×nc block of
// op(B) and stores C = beta*C + alpha*product into the mc×nc C starting at c[0].
func gemmMacro(mc, nc, kc int, alpha float64, ap [][gemmMR]float64, bp [][gemmNR]float64, beta float64, c []float64, ldc int) {
	var t [gemmMR * gemmNR]float64
	for js := range gemmStrips(nc, gemmNR) {
		bs := bp[js*kc : js*kc+kc]
		j0 := js * gemmNR
		cols := min(gemmNR, nc-j0)
		for is := range gemmStrips(mc, gemmMR) {
			gemmKernel(ap[is*kc:is*kc+kc], bs, &t)
			i0 := is * gemmMR
			gemmStore(&t, min(gemmMR, mc-i0), cols, alpha, beta, c[i0*ldc+j0:], ldc)
		}
	}
}

// gemmStore sets the top-left rows×cols of C to beta*C + alpha*t. As in BLAS,
// beta == 0 overwrites C without reading it.
func gemmStore(t *[gemmMR * gemmNR]float64, rows, cols int, alpha, beta float64, c []float64, ldc int) {
	for i := range rows {
		row := c[i*ldc : i*ldc+cols]
		tr := t[i*gemmNR : i*gemmNR+cols]
		switch beta {
		case 0:
			for j, v := range tr {
				row[j] = alpha * v
			}
		case 1:
			for j, v := range tr {
				row[j] += alpha * v
			}
		default:
			for j, v := range tr {
				row[j] = beta*row[j] + alpha*v
			}
		}
	}
}

// gemmKernel sets t to the gemmMR×gemmNR product of one packed A strip and one
// packed B strip of the same depth: t[i*gemmNR+j] = Σ_p ap[p][i]*bp[p][j].
// The accumulators are locals so the compiler keeps them in registers; the
// depth loop is unrolled twice to halve the loop overhead, which matters
// under wasm. Indexing arrays through slices of equal length leaves no bounds
// checks in the unrolled loop. The odd step is a loop rather than an if: with
// an if, Go 1.26 allocated registers differently and the whole kernel ran 25%
// slower under Node.
func gemmKernel(ap [][gemmMR]float64, bp [][gemmNR]float64, t *[gemmMR * gemmNR]float64) {
	var c00, c01, c02, c10, c11, c12, c20, c21, c22 float64
	bp = bp[:len(ap)]
	p := 0
	for ; p < len(ap)-1; p += 2 {
		a, b := &ap[p], &bp[p]
		a0, a1, a2 := a[0], a[1], a[2]
		b0, b1, b2 := b[0], b[1], b[2]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		a, b = &ap[p+1], &bp[p+1]
		a0, a1, a2 = a[0], a[1], a[2]
		b0, b1, b2 = b[0], b[1], b[2]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
	}
	for ; p < len(ap); p++ {
		a, b := &ap[p], &bp[p]
		a0, a1, a2 := a[0], a[1], a[2]
		b0, b1, b2 := b[0], b[1], b[2]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
	}
	t[0], t[1], t[2] = c00, c01, c02
	t[3], t[4], t[5] = c10, c11, c12
	t[6], t[7], t[8] = c20, c21, c22
}

// gemmRows computes C = alpha*op(A)*B + beta*C one row of C at a time, adding
// four rows of B per pass: C[i,:] += Σ_p alpha*op(A)[i,p]*B[p,:]. It needs B
// untransposed (unit-stride rows) and suits thin products; see gemmUseRows.
func gemmRows(tA bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		gemmScale(1, n, beta, row, n)
		opA := func(p int) float64 {
			if tA {
				return alpha * a[p*lda+i]
			}
			return alpha * a[i*lda+p]
		}
		p := 0
		for ; p+4 <= k; p += 4 {
			gemmAxpy4(row, opA(p), opA(p+1), opA(p+2), opA(p+3),
				b[p*ldb:], b[(p+1)*ldb:], b[(p+2)*ldb:], b[(p+3)*ldb:])
		}
		switch k - p {
		case 3:
			gemmAxpy3(row, opA(p), opA(p+1), opA(p+2), b[p*ldb:], b[(p+1)*ldb:], b[(p+2)*ldb:])
		case 2:
			gemmAxpy2(row, opA(p), opA(p+1), b[p*ldb:], b[(p+1)*ldb:])
		case 1:
			gemmAxpy(row, opA(p), b[p*ldb:])
		}
	}
}

// gemmAxpy4 adds a0*b0 + a1*b1 + a2*b2 + a3*b3 to dst, element-wise.
func gemmAxpy4(dst []float64, a0, a1, a2, a3 float64, b0, b1, b2, b3 []float64) {
	b0, b1, b2, b3 = b0[:len(dst)], b1[:len(dst)], b2[:len(dst)], b3[:len(dst)]
	for j, v := range dst {
		dst[j] = v + a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
	}
}

// gemmAxpy3 adds a0*b0 + a1*b1 + a2*b2 to dst, element-wise.
func gemmAxpy3(dst []float64, a0, a1, a2 float64, b0, b1, b2 []float64) {
	b0, b1, b2 = b0[:len(dst)], b1[:len(dst)], b2[:len(dst)]
	for j, v := range dst {
		dst[j] = v + a0*b0[j] + a1*b1[j] + a2*b2[j]
	}
}

// gemmAxpy2 adds a0*b0 + a1*b1 to dst, element-wise.
func gemmAxpy2(dst []float64, a0, a1 float64, b0, b1 []float64) {
	b0, b1 = b0[:len(dst)], b1[:len(dst)]
	for j, v := range dst {
		dst[j] = v + a0*b0[j] + a1*b1[j]
	}
}

// gemmAxpy adds a*b to dst, element-wise.
func gemmAxpy(dst []float64, a float64, b []float64) {
	b = b[:len(dst)]
	for j, v := range dst {
		dst[j] = v + a*b[j]
	}
}

// gemmBiasReLUGo sets the m×n C to A·B plus the 1×n bias row (none if nil),
// through max(·, 0) when relu is set: C is filled with the bias and the
// product added to it (beta = 1), so each element is bias + Σ in gemm's
// order, then rectified in place. gemmBiasReLU is this wherever the
// platform has nothing faster.
func gemmBiasReLUGo(m, n, k int, a []float64, lda int, b []float64, ldb int, bias []float64, rectify bool, c []float64, ldc int) {
	beta := 0.0
	if bias != nil {
		for i := range m {
			copy(c[i*ldc:i*ldc+n], bias[:n])
		}
		beta = 1
	}
	gemm(false, false, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
	if rectify {
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			for j, v := range row {
				row[j] = relu(v)
			}
		}
	}
}

// reluMaskGo sets the rows×cols gm to g where y > 0 and to 0 elsewhere
// (where y is 0 or NaN too, as ReLU's backward pass has it), and adds gm's
// column sums into bg row by row unless bg is nil.
func reluMaskGo(gm, g, y, bg []float64, rows, cols int) {
	for i := range rows {
		gr, yr, mr := g[i*cols:(i+1)*cols], y[i*cols:(i+1)*cols], gm[i*cols:(i+1)*cols]
		for j, v := range gr {
			if yr[j] > 0 {
				mr[j] = v
			} else {
				mr[j] = 0
			}
		}
		if bg != nil {
			for j, v := range mr {
				bg[j] += v
			}
		}
	}
}
