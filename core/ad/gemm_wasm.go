//go:build js && wasm

package ad

import (
	"syscall/js"
	"unsafe"
)

// gemm computes C = alpha*op(A)*op(B) + beta*C, op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
// A is stored row-major with leading dimension lda (lda ≥ k if !tA, ≥ m if tA), likewise B (ldb) and C (ldc ≥ n).
// When alpha == 0 or k == 0, A and B are not read; when beta == 0, C is overwritten without being read.
//
// On js/wasm Go emits no SIMD, so products large enough to pay for a few
// copies run in a small WebAssembly SIMD128 module (gemmSIMD, about three
// times faster); the rest, and every product where the engine lacks SIMD128,
// run gemmGo.
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
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
// costs (packing, copying in and out, a call through JavaScript) must be
// small against the m·n·k multiply-adds. Measured under Node 20 against
// gemmGo: 16–18 GFLOP/s against 5.7–6 on the benchmarked shapes, ahead from
// depth 2 (256×2·2×128: 0.9 against 0.8) and at 16×16·16×16, behind at depth
// 1 (0.36 against 0.46), on one row (1.0 against 1.8) and on 8×8·8×8; even on
// two rows.
func gemmUseSIMD(m, n, k int) bool {
	return k > 1 && m > gemmRowsMaxM && m*n*k >= 16*16*16
}

// The SIMD module works in its own linear memory. Importing Go's memory
// instead would save the copies (about 5% of the time), but only the page
// that instantiates Go holds that memory object, and this package cannot
// reach it; the copies keep the path self-contained. The kernel reads its
// arguments from the first bytes of that memory, and the views into it are
// kept between calls, so a warm call allocates nothing on the Go heap (a
// js.Value call with arguments would box them).
var gemmWasm struct {
	tried bool     // instantiation attempted
	ok    bool     // module instantiated
	mem   js.Value // its WebAssembly.Memory
	mm    js.Value // the exported kernel
	u8    js.Value // a Uint8Array over mem.buffer, renewed when it grows
	size  int      // bytes in mem, tracked here as reading it allocates

	// Layout of the module's memory: the kernel's arguments at 0, packed
	// op(A) at gemmSIMDOffA, packed op(B) at offB, the product at offP,
	// with Uint8Array views starting at each.
	offB, offP          int
	aView, bView, pView js.Value

	args [8]int32 // ap, bp, pp, ms, ns, k, ldp for the kernel
	a    [][4]float64
	b    [][4]float64
	p    []float64 // the kernel's product, copied back
}

// gemmSIMDOffA is where packed op(A) starts in the module's memory, after
// the kernel's arguments; 32 bytes keeps every strip step aligned.
const gemmSIMDOffA = 32

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
	code := gemmSIMDModule()
	bytes := js.Global().Get("Uint8Array").New(len(code))
	js.CopyBytesToJS(bytes, code)
	if !wa.Call("validate", bytes).Bool() { // an engine without SIMD128
		return false
	}
	inst := wa.Get("Instance").New(wa.Get("Module").New(bytes), js.Global().Get("Object").New())
	w.mem = inst.Get("exports").Get("mem")
	w.mm = inst.Get("exports").Get("mm")
	w.u8 = js.Global().Get("Uint8Array").New(w.mem.Get("buffer"))
	w.size = w.u8.Length()
	w.ok = true
	return true
}

// gemmSIMDRows is how many rows of op(A) go to the kernel per call, bounding
// the module's memory to about 8·(gemmSIMDRows·(k+n) + k·n) bytes.
const gemmSIMDRows = 256

// gemmSIMD computes C = alpha*op(A)*op(B) + beta*C with the SIMD module:
// op(B) and a block of rows of op(A) are packed here into 4-wide strips,
// copied into the module's memory, multiplied there into a product P, and P
// is copied back and combined with C. Every element of P is a sum over p in
// order, so results do not depend on the block sizes.
func gemmSIMD(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmCheck(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	if !gemmSIMDReady() {
		panic("ad: gemmSIMD: WebAssembly SIMD128 unavailable")
	}
	gemmScratch.Lock()
	defer gemmScratch.Unlock()
	w := &gemmWasm

	// Grow the buffers to this call's needs; offsets only move when they do.
	ns := gemmStrips(n, 4)
	ldp := 4 * ns
	mcMax := min(m, gemmSIMDRows)
	if na := gemmStrips(mcMax, 4) * k; len(w.a) < na {
		w.a = make([][4]float64, na)
	}
	if len(w.b) < ns*k {
		w.b = make([][4]float64, ns*k)
	}
	if np := 4 * gemmStrips(mcMax, 4) * ldp; len(w.p) < np {
		w.p = make([]float64, np)
	}
	gemmSIMDLayout(gemmSIMDOffA+32*len(w.a), gemmSIMDOffA+32*(len(w.a)+len(w.b)), 8*len(w.p))

	bp := w.b[:ns*k]
	gemmPackB4(bp, tB, k, n, b, ldb)
	js.CopyBytesToJS(w.bView, gemmBytes(bp))
	for ic := 0; ic < m; ic += gemmSIMDRows {
		mc := min(gemmSIMDRows, m-ic)
		ms := gemmStrips(mc, 4)
		ap := w.a[:ms*k]
		gemmPackA4(ap, tA, mc, k, a, lda, ic)
		js.CopyBytesToJS(w.aView, gemmBytes(ap))
		w.args = [8]int32{gemmSIMDOffA, int32(w.offB), int32(w.offP), int32(ms), int32(ns), int32(k), int32(ldp)}
		js.CopyBytesToJS(w.u8, gemmBytes(w.args[:]))
		w.mm.Invoke()
		p := w.p[:4*ms*ldp]
		js.CopyBytesToGo(gemmBytes(p), w.pView)
		for i := range mc {
			row := c[(ic+i)*ldc : (ic+i)*ldc+n]
			pr := p[i*ldp : i*ldp+n]
			switch beta {
			case 0:
				for j, v := range pr {
					row[j] = alpha * v
				}
			case 1:
				for j, v := range pr {
					row[j] += alpha * v
				}
			default:
				for j, v := range pr {
					row[j] = beta*row[j] + alpha*v
				}
			}
		}
	}
}

// gemmSIMDLayout places op(B) at offB and the product (pBytes long) at offP
// in the module's memory, growing it if needed, and renews the views when
// anything moved.
func gemmSIMDLayout(offB, offP, pBytes int) {
	w := &gemmWasm
	grown := false
	if size := offP + pBytes; w.size < size {
		const page = 65536 // bytes per WebAssembly page
		pages := (size - w.size + page - 1) / page
		w.mem.Call("grow", pages)
		w.size += pages * page
		w.u8 = js.Global().Get("Uint8Array").New(w.mem.Get("buffer"))
		grown = true
	}
	if grown || offB != w.offB || offP != w.offP || w.aView.IsUndefined() {
		w.offB, w.offP = offB, offP
		w.aView = w.u8.Call("subarray", gemmSIMDOffA)
		w.bView = w.u8.Call("subarray", offB)
		w.pView = w.u8.Call("subarray", offP)
	}
}

// gemmBytes views values as their bytes, for copying to and from the module's
// memory (both sides of wasm are little-endian).
func gemmBytes[T int32 | float64 | [4]float64](x []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(x[0])))
}

// gemmPackA4 copies rows ic…ic+mc-1 of op(A) (all k columns) into dst as
// strips of 4 rows: dst[s*k+p][i] = op(A)[ic+4s+i, p], zero past row mc.
func gemmPackA4(dst [][4]float64, tA bool, mc, k int, a []float64, lda, ic int) {
	for s := range gemmStrips(mc, 4) {
		strip := dst[s*k : s*k+k]
		i0 := ic + 4*s
		rows := min(4, mc-4*s)
		switch {
		case !tA && rows == 4:
			r0 := a[i0*lda:][:len(strip)]
			r1 := a[(i0+1)*lda:][:len(strip)]
			r2 := a[(i0+2)*lda:][:len(strip)]
			r3 := a[(i0+3)*lda:][:len(strip)]
			for p := range strip {
				strip[p] = [4]float64{r0[p], r1[p], r2[p], r3[p]}
			}
		case tA && rows == 4:
			for p := range strip {
				src := a[p*lda+i0:][:4]
				strip[p] = [4]float64{src[0], src[1], src[2], src[3]}
			}
		default:
			for p := range strip {
				var v [4]float64
				for i := range rows {
					if tA {
						v[i] = a[p*lda+i0+i]
					} else {
						v[i] = a[(i0+i)*lda+p]
					}
				}
				strip[p] = v
			}
		}
	}
}

// gemmPackB4 copies op(B) (k×n) into dst as strips of 4 columns:
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

// gemmSIMDModule returns the binary SIMD module. It is assembled here from the
// instruction list below rather than shipped as an opaque blob; its text form
// (which wat2wasm from WABT 1.0.39 turns into exactly these bytes) is:
//
//	(module
//	  (memory (export "mem") 1)
//	  (func (export "mm")
//	    (local $ap i32) (local $bp i32) (local $pp i32)
//	    (local $ms i32) (local $ns i32) (local $k i32) (local $ldp i32)
//	    (local $t i32) (local $s i32) (local $pa i32) (local $pb i32) (local $end i32)
//	    (local $bs i32) (local $stride i32) (local $row i32) (local $rowstep i32)
//	    (local $a v128) (local $b0 v128) (local $b1 v128)
//	    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
//	    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
//	    (local.set $ap (i32.load offset=0 (i32.const 0)))              ;; arguments
//	    (local.set $bp (i32.load offset=4 (i32.const 0)))
//	    … likewise $pp, $ms, $ns, $k, $ldp at offsets 8, 12, 16, 20, 24 …
//	    (local.set $stride (i32.shl (local.get $k) (i32.const 5)))    ;; bytes per strip
//	    (local.set $rowstep (i32.shl (local.get $ldp) (i32.const 3))) ;; bytes per row of P
//	    (local.set $t (i32.const 0))
//	    (block $tdone (loop $tloop                                    ;; B strips
//	      (br_if $tdone (i32.ge_u (local.get $t) (local.get $ns)))
//	      (local.set $bs (i32.add (local.get $bp) (i32.mul (local.get $t) (local.get $stride))))
//	      (local.set $s (i32.const 0))
//	      (block $sdone (loop $sloop                                  ;; A strips
//	        (br_if $sdone (i32.ge_u (local.get $s) (local.get $ms)))
//	        (local.set $pa (i32.add (local.get $ap) (i32.mul (local.get $s) (local.get $stride))))
//	        (local.set $end (i32.add (local.get $pa) (local.get $stride)))
//	        (local.set $pb (local.get $bs))
//	        (local.set $c00 (v128.const i64x2 0 0)) … (local.set $c31 (v128.const i64x2 0 0))
//	        (block $pdone (loop $ploop                                ;; depth
//	          (br_if $pdone (i32.ge_u (local.get $pa) (local.get $end)))
//	          (local.set $b0 (v128.load offset=0 (local.get $pb)))
//	          (local.set $b1 (v128.load offset=16 (local.get $pb)))
//	          (local.set $a (v128.load64_splat offset=0 (local.get $pa)))
//	          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $a) (local.get $b0))))
//	          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $a) (local.get $b1))))
//	          … the same for rows 1, 2, 3 with offset=8, 16, 24 …
//	          (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
//	          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
//	          (br $ploop)))
//	        (local.set $row (i32.add (local.get $pp) (i32.add
//	          (i32.mul (i32.shl (local.get $s) (i32.const 2)) (local.get $rowstep))
//	          (i32.shl (local.get $t) (i32.const 5)))))
//	        (v128.store offset=0 (local.get $row) (local.get $c00))
//	        (v128.store offset=16 (local.get $row) (local.get $c01))
//	        … rows 1, 2, 3, each after (local.set $row (i32.add (local.get $row) (local.get $rowstep))) …
//	        (local.set $s (i32.add (local.get $s) (i32.const 1)))
//	        (br $sloop)))
//	      (local.set $t (i32.add (local.get $t) (i32.const 1)))
//	      (br $tloop)))))
//
// mm() reads ap, bp, pp, ms, ns, k, ldp as int32 from bytes 0–27 and sets
// the (4·ms)×(4·ns) product P (row-major,
// ldp float64 per row, at byte pp) of ms packed strips of op(A) at ap and ns
// packed strips of op(B) at bp, each strip k steps of 4 float64. A tile of
// 4×4 holds 8 f64x2 accumulators: under Node 20 it ran the kernel at 22
// GFLOP/s, against 12–16 for 4×6, 6×4, 8×4 and depth-unrolled variants,
// presumably because those run V8 out of x86-64's 16 vector registers.
func gemmSIMDModule() []byte {
	// Locals, numbered as in the text above.
	const (
		ap, bp, pp, ms, ns, k, ldp = 0, 1, 2, 3, 4, 5, 6
		t, s, pa, pb, end, bs      = 7, 8, 9, 10, 11, 12
		stride, row, rowstep       = 13, 14, 15
		a, b0, b1                  = 16, 17, 18
		c00                        = 19 // c00, c01, c10, c11, …, c31 follow
	)
	var f wasmAsm
	for i := range 7 { // ap … ldp
		f.i32(0).op(wasmI32Load, 2).uleb(4 * i).set(ap + i)
	}
	f.get(k).i32(5).op(wasmI32Shl).set(stride)
	f.get(ldp).i32(3).op(wasmI32Shl).set(rowstep)
	f.i32(0).set(t)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(t).get(ns).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(bp).get(t).get(stride).op(wasmI32Mul).op(wasmI32Add).set(bs)
	f.i32(0).set(s)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(s).get(ms).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(ap).get(s).get(stride).op(wasmI32Mul).op(wasmI32Add).set(pa)
	f.get(pa).get(stride).op(wasmI32Add).set(end)
	f.get(bs).set(pb)
	for c := range 8 {
		f.simd(wasmV128Const).op(make([]byte, 16)...).set(c00 + c)
	}
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(pa).get(end).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(pb).mem(wasmV128Load, 4, 0).set(b0)
	f.get(pb).mem(wasmV128Load, 4, 16).set(b1)
	for r := range 4 {
		f.get(pa).mem(wasmV128Load64Splat, 3, 8*r).set(a)
		for v, b := range []int{b0, b1} {
			acc := c00 + 2*r + v
			f.get(acc).get(a).get(b).simd(wasmF64x2Mul).simd(wasmF64x2Add).set(acc)
		}
	}
	f.get(pa).i32(32).op(wasmI32Add).set(pa)
	f.get(pb).i32(32).op(wasmI32Add).set(pb)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.get(pp).get(s).i32(2).op(wasmI32Shl).get(rowstep).op(wasmI32Mul)
	f.get(t).i32(5).op(wasmI32Shl).op(wasmI32Add).op(wasmI32Add).set(row)
	for r := range 4 {
		if r > 0 {
			f.get(row).get(rowstep).op(wasmI32Add).set(row)
		}
		f.get(row).get(c00+2*r).mem(wasmV128Store, 4, 0)
		f.get(row).get(c00+2*r+1).mem(wasmV128Store, 4, 16)
	}
	f.get(s).i32(1).op(wasmI32Add).set(s)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.get(t).i32(1).op(wasmI32Add).set(t)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.op(wasmEnd)

	// Locals: 16 i32 then 11 v128, then the body.
	body := append([]byte{2, 16, wasmI32, 11, wasmV128}, f...)
	var m wasmAsm
	m.op(0, 'a', 's', 'm', 1, 0, 0, 0)  // magic and version 1
	m.section(1, []byte{1, 0x60, 0, 0}) // one type: no parameters, no results
	m.section(3, []byte{1, 0})          // one function of type 0
	m.section(5, []byte{1, 0, 1})       // one memory, minimum 1 page, no maximum
	m.section(7, []byte{2, 3, 'm', 'e', 'm', 2, 0, 2, 'm', 'm', 0, 0})
	var code wasmAsm
	code.op(1).uleb(len(body)).op(body...)
	m.section(10, code)
	return m
}

// Opcodes and types of the WebAssembly binary format (core specification 2.0,
// §5.3 and §5.4) used by gemmSIMDModule.
const (
	wasmI32  = 0x7f
	wasmV128 = 0x7b
	wasmVoid = 0x40 // empty block type

	wasmBlock    = 0x02
	wasmLoop     = 0x03
	wasmEnd      = 0x0b
	wasmBr       = 0x0c
	wasmBrIf     = 0x0d
	wasmLocalGet = 0x20
	wasmLocalSet = 0x21
	wasmI32Load  = 0x28 // followed by alignment (log2 bytes) and offset
	wasmI32Const = 0x41
	wasmI32GeU   = 0x4f
	wasmI32Add   = 0x6a
	wasmI32Mul   = 0x6c
	wasmI32Shl   = 0x74

	wasmSIMDPrefix      = 0xfd // followed by a LEB128 SIMD opcode
	wasmV128Load        = 0
	wasmV128Load64Splat = 10
	wasmV128Store       = 11
	wasmV128Const       = 12
	wasmF64x2Add        = 240
	wasmF64x2Mul        = 242
)

// wasmAsm accumulates WebAssembly binary code.
type wasmAsm []byte

func (w *wasmAsm) op(b ...byte) *wasmAsm { *w = append(*w, b...); return w }

// uleb appends v in unsigned LEB128.
func (w *wasmAsm) uleb(v int) *wasmAsm {
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return w.op(b)
		}
		w.op(b | 0x80)
	}
}

func (w *wasmAsm) get(local int) *wasmAsm { return w.op(wasmLocalGet).uleb(local) }
func (w *wasmAsm) set(local int) *wasmAsm { return w.op(wasmLocalSet).uleb(local) }

// i32 appends an i32.const of a small non-negative v (< 64, where signed and
// unsigned LEB128 agree).
func (w *wasmAsm) i32(v int) *wasmAsm {
	if v < 0 || v >= 64 {
		panic("ad: wasmAsm: i32 constant out of range")
	}
	return w.op(wasmI32Const, byte(v))
}

func (w *wasmAsm) simd(op int) *wasmAsm { return w.op(wasmSIMDPrefix).uleb(op) }

// mem appends a SIMD memory instruction with its alignment (log2 bytes) and offset.
func (w *wasmAsm) mem(op, align, offset int) *wasmAsm { return w.simd(op).uleb(align).uleb(offset) }

// section appends a section with its id and size.
func (w *wasmAsm) section(id byte, content []byte) {
	w.op(id).uleb(len(content)).op(content...)
}
