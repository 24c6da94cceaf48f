//go:build js && wasm

package ad

import (
	"math"
	"runtime"
	"syscall/js"
	"unsafe"
)

// gemm computes C = alpha*op(A)*op(B) + beta*C, op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
// A is stored row-major with leading dimension lda (lda ≥ k if !tA, ≥ m if tA), likewise B (ldb) and C (ldc ≥ n).
// When alpha == 0 or k == 0, A and B are not read; when beta == 0, C is overwritten without being read.
//
// On js/wasm Go emits no SIMD, so products large enough run in a small
// WebAssembly SIMD128 module (gemmSIMD, about three times faster) that works
// in place on Go's memory; the rest, and every product where the engine
// lacks SIMD128 or Go's memory cannot be reached, run gemmGo.
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 1 && gemmUseSIMD(n, 1, k) && gemmSIMDReady() {
		// One row (a weight gradient of a one-input layer, say): its
		// transpose has n rows, which the kernel's tiles can use. The
		// products and the order of their sum are the same, so is C.
		gemmCheck(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
		ldx := 1 // op(A)ᵀ as a k×1 matrix: a row of A, or a column
		if tA {
			ldx = lda
		}
		gemmSIMD(!tB, false, n, 1, k, alpha, b, ldb, a, ldx, beta, c, 1)
		return
	}
	if gemmUseSIMD(m, n, k) && gemmSIMDReady() {
		gemmSIMD(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmGo(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmPlatformImpls lets gemm_test.go run the SIMD path on every shape, not
// only on those gemm sends it.
var gemmPlatformImpls = []struct {
	name string
	fn   func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}{{"gemmSIMD", gemmSIMD}}

// gemmUseSIMD reports whether a product is worth the SIMD path, whose fixed
// cost (a call through JavaScript, and packing op(B) when it is transposed
// or narrower than a strip) must be small against the m·n·k multiply-adds.
// The kernel works on whole tiles of 4 rows, so a product needs at least 4
// rows. Measured under Node 20 against gemmGo (CPU time), the SIMD path was
// ahead on every such shape from 8×8·8×8 (3.7 GFLOP/s against 1.1), at
// depth 1 (256×1·1×128: 3.7 against 0.7) and with one column (4096×128·
// 128×1: 3.1 against 0.8).
func gemmUseSIMD(m, n, k int) bool {
	return m >= 4 && m*n*k >= 8*8*8
}

// gemmWasm is the SIMD module (simd_wasm.go) once instantiated. Its
// functions read their arguments from gemmArgs, maskArgs and rowsArgs,
// whose addresses are built into its code, so a call passes nothing through
// JavaScript and allocates nothing on the Go heap (a js.Value call with
// arguments would box them).
var gemmWasm struct {
	tried bool     // instantiation attempted
	ok    bool     // module instantiated and checked
	mm    js.Value // the exported matrix kernel
	mask  js.Value // the exported ReLU backward pass
	rows  js.Value // the exported piecewise rows of ReLUPair1

	b []float64 // op(B) packed into strips of 4 columns when it must be
	p []float64 // the product of a partial last column strip
}

// gemmArgs are mm's arguments, in Go's memory at a fixed address (Go's
// collector does not move objects). Addresses and strides are bytes in the
// linear memory: op(A)[i, p] is at a + i·aRow + p·aDep, the 4 columns
// 4s…4s+3 of row p of op(B) at b + s·bStrip + p·bDep, C[i, j] at
// c + i·cRow + 8j, the bias's columns 4s… at bias + 32s. mm sets the
// 4ms×4ns top-left block of C to alpha·op(A)·op(B) + beta·C (without the
// second term, and not reading C for it, when betaZero is 1), plus the
// bias row when hasBias is 1, through max(·, 0) when relu is 1.
var gemmArgs struct {
	a, aRow, aDep       uint32
	b, bStrip, bDep     uint32
	c, cRow             uint32
	ms, ns, k           uint32
	betaZero            uint32
	bias, hasBias, relu uint32
	_                   uint32 // alpha and beta at offsets 64 and 72
	alpha, beta         float64
}

// rowsArgs are rows' arguments (see rowsCode): the addresses of x, at, a, b
// and dst, the number of rows n and their width h.
var rowsArgs struct {
	x, at, a, b, dst uint32
	n, h             uint32
}

// maskArgs are mask's arguments (see maskCode): the addresses of g, y, out
// and bg, rows and cols, and whether bg takes the column sums.
var maskArgs struct {
	g, y, out, bg     uint32
	rows, cols, hasBG uint32
}

// gemmSIMDReady instantiates the SIMD module on first use and reports
// whether it is available.
func gemmSIMDReady() bool {
	w := &gemmWasm
	if w.tried {
		return w.ok
	}
	w.tried = true
	wa := js.Global().Get("WebAssembly")
	if wa.Type() != js.TypeObject {
		return false
	}
	mem, ok := goMemory()
	if !ok {
		return false
	}
	code := simdModule(uint32(uintptr(unsafe.Pointer(&gemmArgs))), uint32(uintptr(unsafe.Pointer(&maskArgs))),
		uint32(uintptr(unsafe.Pointer(&rowsArgs))))
	bytes := js.Global().Get("Uint8Array").New(len(code))
	js.CopyBytesToJS(bytes, code)
	if !wa.Call("validate", bytes).Bool() { // an engine without SIMD128
		return false
	}
	env := js.Global().Get("Object").New()
	env.Set("mem", mem)
	imports := js.Global().Get("Object").New()
	imports.Set("env", env)
	inst := wa.Get("Instance").New(wa.Get("Module").New(bytes), imports)
	w.mm = inst.Get("exports").Get("mm")
	w.mask = inst.Get("exports").Get("mask")
	w.rows = inst.Get("exports").Get("rows")
	w.ok = true
	if !gemmSIMDSelfTest() {
		w.ok = false
	}
	return w.ok
}

// goMemory returns the WebAssembly.Memory of this Go program, which the SIMD
// module imports so it computes on Go's slices in place. syscall/js keeps
// the JavaScript object that runs the program (the Go class of wasm_exec.js,
// holding the instance in _inst) as its predefined value 6, beside the
// global object as value 5, but does not export it; the js.Value is built
// here from its documented encoding (syscall/js/js.go: a NaN-boxed reference
// of type object). The global object, built the same way, must equal
// js.Global(), and what comes back must be a WebAssembly.Memory, else the
// SIMD path stays off and gemmGo does the work.
func goMemory() (js.Value, bool) {
	type value struct { // syscall/js.Value's layout in Go 1.26
		_     [0]func()
		ref   uint64
		gcPtr *uint64
	}
	if unsafe.Sizeof(value{}) != unsafe.Sizeof(js.Value{}) {
		return js.Value{}, false
	}
	predef := func(id uint64) js.Value {
		const nanHead, typeFlagObject = 0x7FF80000, 1
		v := value{ref: (nanHead|typeFlagObject)<<32 | id}
		return *(*js.Value)(unsafe.Pointer(&v))
	}
	if !predef(5).Equal(js.Global()) {
		return js.Value{}, false
	}
	inst := predef(6).Get("_inst")
	if inst.Type() != js.TypeObject {
		return js.Value{}, false
	}
	mem := inst.Get("exports").Get("mem")
	if mem.Type() != js.TypeObject || !mem.InstanceOf(js.Global().Get("WebAssembly").Get("Memory")) {
		return js.Value{}, false
	}
	return mem, true
}

// gemmSIMDSelfTest multiplies small matrices with the kernel and with gemmGo
// and reports whether they agree exactly (both sum each element over p in
// order, one multiply and one add per step): the check that the module
// reads and writes where Go's slices are.
func gemmSIMDSelfTest() bool {
	const m, n, k = 8, 12, 5
	st := &gemmSelfTest
	for i := range st.a {
		st.a[i] = float64(i%7) - 2.5
	}
	for i := range st.b {
		st.b[i] = float64(i%5)*0.75 - 1
	}
	for i := range st.got {
		st.got[i] = float64(i)
		st.want[i] = float64(i)
	}
	gemmSIMD(false, false, m, n, k, 1.5, st.a[:], k, st.b[:], n, 0.5, st.got[:], n)
	gemmGo(false, false, m, n, k, 1.5, st.a[:], k, st.b[:], n, 0.5, st.want[:], n)
	return st.got == st.want
}

// gemmSelfTest holds the self-test's matrices outside any goroutine stack,
// which may move while the kernel is being called (see gemmSIMD).
var gemmSelfTest struct {
	a         [8 * 5]float64
	b         [5 * 12]float64
	got, want [8 * 12]float64
}

// gemmSIMD computes C = alpha*op(A)*op(B) + beta*C with the SIMD kernel, in
// place: the kernel reads op(A) where it lies, and op(B) too when it is
// untransposed; a transposed op(B) is first packed into strips of 4
// columns. Whole tiles of 4 rows and 4 columns go straight into C; the
// columns of a last partial strip (B zero-padded) go through a small
// buffer, and the rows past the last whole tile (at most 3) to gemmGo.
// Every element of C is a sum over p in order, so results do not depend on
// how the product is split.
//
// The kernel is handed addresses, so A, B and C must not live on a
// goroutine stack, which Go moves when it grows (the call into JavaScript
// may grow it); every matrix of a tape is heap memory.
func gemmSIMD(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmCheck(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	gemmSIMDEpilogue(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil, false)
}

// gemmSIMDEpilogue is gemmSIMD (past its checks, with k > 0 and alpha ≠ 0)
// followed by adding the 1×n bias row to every row of C unless it is nil,
// then max(·, 0) when relu is set; the kernel does both as it stores a tile.
func gemmSIMDEpilogue(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, bias []float64, relu bool) {
	if !gemmSIMDReady() {
		panic("ad: gemmSIMD: WebAssembly SIMD128 unavailable")
	}
	mFull, nFull := m&^3, n&^3
	for i0 := 0; i0 < mFull; i0 += gemmSIMDRows {
		var ab []float64
		if tA {
			ab = a[i0:]
		} else {
			ab = a[i0*lda:]
		}
		gemmSIMDTiles(tA, tB, min(gemmSIMDRows, mFull-i0), n, nFull, k, alpha, ab, lda, b, ldb, beta, c[i0*ldc:], ldc, bias, relu)
	}
	if mFull < m { // the last rows, a thin product
		var ar []float64
		if tA {
			ar = a[mFull:]
		} else {
			ar = a[mFull*lda:]
		}
		cr := c[mFull*ldc:]
		gemmGo(tA, tB, m-mFull, n, k, alpha, ar, lda, b, ldb, beta, cr, ldc)
		for i := range m - mFull {
			epilogue(cr[i*ldc:i*ldc+n], bias, relu)
		}
	}
}

// epilogue adds bias (unless nil) to row, then applies the ReLU if asked.
func epilogue(row, bias []float64, rectify bool) {
	if bias != nil {
		for j, v := range bias[:len(row)] {
			row[j] += v
		}
	}
	if rectify {
		for j, v := range row {
			row[j] = relu(v)
		}
	}
}

// gemmSIMDTiles runs the kernel on the first mFull rows (a multiple of 4).
func gemmSIMDTiles(tA, tB bool, mFull, n, nFull, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, bias []float64, relu bool) {
	gemmScratch.Lock()
	defer gemmScratch.Unlock()
	w, g := &gemmWasm, &gemmArgs
	g.a, g.aRow, g.aDep = addr(a), uint32(8*lda), 8
	if tA {
		g.aRow, g.aDep = 8, uint32(8*lda)
	}
	g.ms, g.k = uint32(mFull/4), uint32(k)
	if nFull > 0 {
		if tB {
			bp := gemmGrow(&w.b, 4*k*(nFull/4))
			gemmPackB4(gemmQuads(bp), tB, k, nFull, b, ldb)
			g.b, g.bStrip, g.bDep = addr(bp), uint32(32*k), 32
		} else {
			g.b, g.bStrip, g.bDep = addr(b), 32, uint32(8*ldb)
		}
		g.c, g.cRow, g.ns = addr(c), uint32(8*ldc), uint32(nFull/4)
		g.alpha, g.beta, g.betaZero = alpha, beta, flag(beta == 0)
		// Without a bias the kernel still reads the bias row, and discards
		// it: C's first row is memory it may read.
		g.bias, g.hasBias, g.relu = g.c, flag(bias != nil), flag(relu)
		if bias != nil {
			g.bias = addr(bias)
		}
		w.mm.Invoke()
	}
	if nFull < n {
		// The last 1–3 columns: op(B)'s zero-padded strip times op(A) into
		// p (mFull×4), then combined with C here.
		cols := n - nFull
		bp := gemmGrow(&w.b, 4*k)
		var bs []float64
		if tB {
			bs = b[nFull*ldb:]
		} else {
			bs = b[nFull:]
		}
		gemmPackB4(gemmQuads(bp), tB, k, cols, bs, ldb)
		p := gemmGrow(&w.p, 4*mFull)
		g.b, g.bStrip, g.bDep = addr(bp), uint32(32*k), 32
		g.c, g.cRow, g.ns = addr(p), 32, 1
		g.alpha, g.betaZero = 1, 1
		g.bias, g.hasBias, g.relu = g.c, 0, 0
		w.mm.Invoke()
		var bt []float64
		if bias != nil {
			bt = bias[nFull:n]
		}
		for i := range mFull {
			row, pr := c[i*ldc+nFull:i*ldc+n], p[4*i:4*i+cols]
			switch beta {
			case 0:
				for j, v := range pr {
					row[j] = alpha * v
				}
			default:
				for j, v := range pr {
					row[j] = beta*row[j] + alpha*v
				}
			}
			epilogue(row, bt, relu)
		}
		runtime.KeepAlive(p)
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
	runtime.KeepAlive(bias)
}

func flag(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// gemmBiasReLU sets the m×n C to A·B plus the 1×n bias row (none if nil),
// through max(·, 0) when relu is set: a dense layer's forward pass. On
// js/wasm the SIMD kernel adds the bias and applies the ReLU as it stores
// each tile, saving two passes over C. The values are those of
// gemmBiasReLUGo bit for bit, but for the payload of a NaN.
func gemmBiasReLU(m, n, k int, a []float64, lda int, b []float64, ldb int, bias []float64, relu bool, c []float64, ldc int) {
	if k == 0 || !gemmUseSIMD(m, n, k) || !gemmSIMDReady() {
		gemmBiasReLUGo(m, n, k, a, lda, b, ldb, bias, relu, c, ldc)
		return
	}
	gemmCheck(false, false, m, n, k, a, lda, b, ldb, c, ldc)
	gemmSIMDEpilogue(false, false, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, bias, relu)
}

// reluMask sets the rows×cols gm to g where y > 0 and to 0 elsewhere (NaN
// in y too), and adds gm's column sums into bg unless it is nil: the
// backward pass of a ReLU fused with its layer's bias. On js/wasm it runs in
// the SIMD module when cols is even, with the values of reluMaskGo bit for
// bit.
func reluMask(gm, g, y, bg []float64, rows, cols int) {
	if rows*cols < 64 || cols%2 != 0 || !gemmSIMDReady() {
		reluMaskGo(gm, g, y, bg, rows, cols)
		return
	}
	_, _, _ = gm[rows*cols-1], g[rows*cols-1], y[rows*cols-1]
	a := &maskArgs
	a.g, a.y, a.out, a.rows, a.cols = addr(g), addr(y), addr(gm), uint32(rows), uint32(cols)
	a.bg, a.hasBG = a.out, 0
	if bg != nil {
		_ = bg[cols-1]
		a.bg, a.hasBG = addr(bg), 1
	}
	gemmWasm.mask.Invoke()
	runtime.KeepAlive(gm)
	runtime.KeepAlive(g)
	runtime.KeepAlive(y)
	runtime.KeepAlive(bg)
}

// gemmSIMDRows rows of op(A) (a multiple of 4) go to the kernel per call,
// which runs every column strip of op(B) past them: 256 rows of depth 128
// (256 KiB) stay in the L2 cache while they are read once per strip.
const gemmSIMDRows = 256

// addr is the linear-memory address of s's first element: on js/wasm a Go
// pointer is an offset into the instance's memory, which is below 4 GiB.
func addr(s []float64) uint32 {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	if p > math.MaxUint32 {
		panic("ad: gemmSIMD: address beyond 32 bits")
	}
	return uint32(p)
}

// gemmGrow returns buf[:n], reallocating when it is too short.
func gemmGrow(buf *[]float64, n int) []float64 {
	if len(*buf) < n {
		*buf = make([]float64, n)
	}
	return (*buf)[:n]
}

// gemmQuads views s (whose length is a multiple of 4) as strips of 4.
func gemmQuads(s []float64) [][4]float64 {
	return unsafe.Slice((*[4]float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s)/4)
}

// gemmPackB4 copies the k×n op(B) into dst as strips of 4 columns:
// dst[s*k+p][j] = op(B)[p, 4s+j], zero past column n.
func gemmPackB4(dst [][4]float64, tB bool, k, n int, b []float64, ldb int) {
	for s := range gemmStrips(n, 4) {
		strip := dst[s*k : s*k+k]
		j0 := 4 * s
		cols := min(4, n-j0)
		switch {
		case !tB && cols == 4:
			for p := range strip {
				src := b[p*ldb+j0:][:4]
				strip[p] = [4]float64{src[0], src[1], src[2], src[3]}
			}
		case tB && cols == 4:
			r0 := b[j0*ldb:][:len(strip)]
			r1 := b[(j0+1)*ldb:][:len(strip)]
			r2 := b[(j0+2)*ldb:][:len(strip)]
			r3 := b[(j0+3)*ldb:][:len(strip)]
			for p := range strip {
				strip[p] = [4]float64{r0[p], r1[p], r2[p], r3[p]}
			}
		default:
			for p := range strip {
				var v [4]float64
				for j := range cols {
					if tB {
						v[j] = b[(j0+j)*ldb+p]
					} else {
						v[j] = b[p*ldb+j0+j]
					}
				}
				strip[p] = v
			}
		}
	}
}

// pieceRows sets row r of dst (width h) to max(x_r·a_i + b_i, 0), a_i and
// b_i the rows of a and b (width h) that start at element at[r]: the
// piecewise evaluation of ReLUPair1 (pieces.go). On js/wasm it runs in the
// SIMD module when h is even, with the values of pieceRowsGo bit for bit.
func pieceRows(dst, x []float64, at []int32, a, b []float64, h int) {
	if len(x) == 0 || h%2 != 0 || len(x)*h < 64 || !gemmSIMDReady() {
		pieceRowsGo(dst, x, at, a, b, h)
		return
	}
	_ = dst[len(x)*h-1]
	for _, i := range at[:len(x)] { // the rows the module will read
		_, _ = a[int(i)+h-1], b[int(i)+h-1]
	}
	g := &rowsArgs
	g.x, g.at, g.a, g.b, g.dst = addr(x), addrInt32(at), addr(a), addr(b), addr(dst)
	g.n, g.h = uint32(len(x)), uint32(h)
	gemmWasm.rows.Invoke()
	runtime.KeepAlive(dst)
	runtime.KeepAlive(x)
	runtime.KeepAlive(at)
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
}

// addrInt32 is addr for a slice of int32.
func addrInt32(s []int32) uint32 {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	if p > math.MaxUint32 {
		panic("ad: gemmSIMD: address beyond 32 bits")
	}
	return uint32(p)
}
