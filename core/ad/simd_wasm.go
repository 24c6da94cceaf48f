//go:build js && wasm

package ad

// simdModule returns the binary SIMD module: mm, the matrix kernel, mask,
// the ReLU's backward pass, and rows, the piecewise rows of ReLUPair1. Each reads its arguments from a struct of
// Go's at an address built into its code (mmArgs and maskArgs), so a call
// passes nothing through JavaScript. It is assembled here from instruction
// lists rather than shipped as an opaque blob; mm's text form is (with ARGS
// the address mmArgs, and $a … $relu the locals of gemmArgs' fields, loaded
// first):
//
//	(module
//	  (import "env" "mem" (memory 0))                      ;; Go's memory
//	  (func (export "mm")
//	    (local $a i32) … (local $relu i32)                   ;; gemmArgs' fields
//	    (local $t i32) (local $s i32) (local $pa0 i32) (local $pa1 i32)
//	    (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $end i32)
//	    (local $bs i32) (local $at i32) (local $ct i32) (local $row i32)
//	    (local $bt i32) (local $rr i32)
//	    (local $alpha v128) (local $beta v128) (local $x v128)
//	    (local $b0 v128) (local $b1 v128)
//	    (local $c00 v128) (local $c01 v128) … (local $c30 v128) (local $c31 v128)
//	    (local $v v128) (local $zero v128)
//	    (local.set $a (i32.load offset=0 (i32.const ARGS)))
//	    … likewise each field of gemmArgs …
//	    (local.set $alpha (v128.load64_splat offset=64 (i32.const ARGS)))
//	    (local.set $beta (v128.load64_splat offset=72 (i32.const ARGS)))
//	    (local.set $t (i32.const 0)) (local.set $bs (local.get $b))
//	    (local.set $ct (local.get $c)) (local.set $bt (local.get $bias))
//	    (block $tdone (loop $tloop                                ;; column strips
//	      (br_if $tdone (i32.ge_u (local.get $t) (local.get $ns)))
//	      (local.set $s (i32.const 0)) (local.set $at (local.get $a)) (local.set $row (local.get $ct))
//	      (block $sdone (loop $sloop                              ;; row tiles
//	        (br_if $sdone (i32.ge_u (local.get $s) (local.get $ms)))
//	        (local.set $pa0 (local.get $at))
//	        (local.set $pa1 (i32.add (local.get $pa0) (local.get $aRow)))
//	        … $pa2, $pa3 likewise …
//	        (local.set $end (i32.add (local.get $pa0) (i32.mul (local.get $k) (local.get $aDep))))
//	        (local.set $pb (local.get $bs))
//	        (local.set $c00 (v128.const i64x2 0 0)) … (local.set $c31 (v128.const i64x2 0 0))
//	        (block $pdone (loop $ploop                            ;; depth
//	          (br_if $pdone (i32.eq (local.get $pa0) (local.get $end)))
//	          (local.set $b0 (v128.load offset=0 (local.get $pb)))
//	          (local.set $b1 (v128.load offset=16 (local.get $pb)))
//	          (local.set $x (v128.load64_splat (local.get $pa0)))
//	          (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
//	          (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
//	          … the same for rows 1, 2, 3 from $pa1, $pa2, $pa3 …
//	          (local.set $pa0 (i32.add (local.get $pa0) (local.get $aDep)))
//	          … $pa1, $pa2, $pa3 likewise …
//	          (local.set $pb (i32.add (local.get $pb) (local.get $bDep)))
//	          (br $ploop)))
//	        ;; the epilogue, for each half $h (offset 16h) of each row r of
//	        ;; the tile ($rr = $row + r·$cRow), from its accumulator $crh:
//	        (local.set $v (f64x2.mul (local.get $alpha) (local.get $crh)))
//	        (local.set $v (select (result v128) (local.get $v)            ;; + beta·C
//	          (f64x2.add (local.get $v) (f64x2.mul (local.get $beta) (v128.load offset=16h (local.get $rr))))
//	          (local.get $betaZero)))
//	        (local.set $v (select (result v128)                            ;; + bias
//	          (f64x2.add (local.get $v) (v128.load offset=16h (local.get $bt))) (local.get $v)
//	          (local.get $hasBias)))
//	        (local.set $v (select (result v128)                            ;; ReLU
//	          (f64x2.max (local.get $v) (local.get $zero)) (local.get $v) (local.get $relu)))
//	        (v128.store offset=16h (local.get $rr) (local.get $v))
//	        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $aRow) (i32.const 2))))
//	        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cRow) (i32.const 2))))
//	        (local.set $s (i32.add (local.get $s) (i32.const 1)))
//	        (br $sloop)))
//	      (local.set $bs (i32.add (local.get $bs) (local.get $bStrip)))
//	      (local.set $ct (i32.add (local.get $ct) (i32.const 32)))
//	      (local.set $bt (i32.add (local.get $bt) (i32.const 32)))
//	      (local.set $t (i32.add (local.get $t) (i32.const 1)))
//	      (br $tloop))))
//	  (func (export "mask") …))                            ;; see maskCode
//
// A tile of 4×4 holds 8 f64x2 accumulators: under Node 20 it ran at 22
// GFLOP/s, against 12–16 for 4×6, 6×4, 8×4 and depth-unrolled variants,
// presumably because those run V8 out of x86-64's 16 vector registers.
// Reading op(A) in place (four row pointers, or one row of a transposed A)
// instead of from packed strips cost no measurable kernel speed and saves
// the packing, which in Go took a third as long as the kernel. The
// epilogue's selects are branch-free: C is read even when betaZero is set
// (it is the tile about to be written, so the read is in bounds) and the
// bias row even without a bias (the caller then points it at C), and what
// they give is discarded; f64x2.max keeps NaN and turns −0 into 0, as relu.
func simdModule(mmArgs, maskArgs, rowsArgs uint32) []byte {
	var m wasmAsm
	m.op(0, 'a', 's', 'm', 1, 0, 0, 0)                                   // magic and version 1
	m.section(1, []byte{1, 0x60, 0, 0})                                  // one type: no parameters, no results
	m.section(2, []byte{1, 3, 'e', 'n', 'v', 3, 'm', 'e', 'm', 2, 0, 0}) // import env.mem: memory, minimum 0, no maximum
	m.section(3, []byte{3, 0, 0, 0})                                     // three functions of type 0
	m.section(7, []byte{3, 2, 'm', 'm', 0, 0, 4, 'm', 'a', 's', 'k', 0, 1,
		4, 'r', 'o', 'w', 's', 0, 2}) // export them as mm, mask and rows
	var code wasmAsm
	code.op(3)
	for _, body := range [][]byte{mmCode(mmArgs), maskCode(maskArgs), rowsCode(rowsArgs)} {
		code.uleb(len(body)).op(body...)
	}
	m.section(10, code)
	return m
}

// mmCode is the body of mm, described at simdModule.
func mmCode(args uint32) []byte {
	// Locals, numbered as in the text above: first gemmArgs' 15 fields.
	const (
		a, aRow, aDep, b, bStrip, bDep, c, cRow     = 0, 1, 2, 3, 4, 5, 6, 7
		ms, ns, k, betaZero, bias, hasBias, relu    = 8, 9, 10, 11, 12, 13, 14
		t, s, pa0, pb, end, bs, at, ct, row, bt, rr = 15, 16, 17, 21, 22, 23, 24, 25, 26, 27, 28
		alpha, beta, x, b0, b1                      = 29, 30, 31, 32, 33
		c00                                         = 34 // c00, c01, c10, c11, …, c31 follow
		v, zero                                     = 42, 43
		nI32, nV128                                 = 29, 15
	)
	var f wasmAsm
	for i := range 15 { // a … relu
		f.i32(int32(args)).op(wasmI32Load, 2).uleb(4 * i).set(a + i)
	}
	f.i32(int32(args)).mem(wasmV128Load64Splat, 3, 64).set(alpha)
	f.i32(int32(args)).mem(wasmV128Load64Splat, 3, 72).set(beta)
	f.simd(wasmV128Const).op(make([]byte, 16)...).set(zero)
	f.i32(0).set(t)
	f.get(b).set(bs)
	f.get(c).set(ct)
	f.get(bias).set(bt)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(t).get(ns).op(wasmI32GeU).op(wasmBrIf, 1)
	f.i32(0).set(s)
	f.get(a).set(at)
	f.get(ct).set(row)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(s).get(ms).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(at).set(pa0)
	for r := 1; r < 4; r++ {
		f.get(pa0 + r - 1).get(aRow).op(wasmI32Add).set(pa0 + r)
	}
	f.get(pa0).get(k).get(aDep).op(wasmI32Mul).op(wasmI32Add).set(end)
	f.get(bs).set(pb)
	for i := range 8 {
		f.simd(wasmV128Const).op(make([]byte, 16)...).set(c00 + i)
	}
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(pa0).get(end).op(wasmI32Eq).op(wasmBrIf, 1)
	f.get(pb).mem(wasmV128Load, 3, 0).set(b0)
	f.get(pb).mem(wasmV128Load, 3, 16).set(b1)
	for r := range 4 {
		f.get(pa0+r).mem(wasmV128Load64Splat, 3, 0).set(x)
		for h, bv := range []int{b0, b1} {
			acc := c00 + 2*r + h
			f.get(acc).get(x).get(bv).simd(wasmF64x2Mul).simd(wasmF64x2Add).set(acc)
		}
	}
	for r := range 4 {
		f.get(pa0 + r).get(aDep).op(wasmI32Add).set(pa0 + r)
	}
	f.get(pb).get(bDep).op(wasmI32Add).set(pb)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	// The epilogue: row r of the tile at rr = row + r·cRow.
	for r := range 4 {
		f.get(row)
		if r > 0 {
			f.get(cRow).i32(int32(r)).op(wasmI32Mul).op(wasmI32Add)
		}
		f.set(rr)
		for h := range 2 {
			f.get(alpha).get(c00 + 2*r + h).simd(wasmF64x2Mul).set(v)
			f.get(v)
			f.get(v).get(beta).get(rr).mem(wasmV128Load, 3, 16*h).simd(wasmF64x2Mul).simd(wasmF64x2Add)
			f.get(betaZero).op(wasmSelectT, 1, wasmV128).set(v)
			f.get(v).get(bt).mem(wasmV128Load, 3, 16*h).simd(wasmF64x2Add)
			f.get(v)
			f.get(hasBias).op(wasmSelectT, 1, wasmV128).set(v)
			f.get(v).get(zero).simd(wasmF64x2Max)
			f.get(v)
			f.get(relu).op(wasmSelectT, 1, wasmV128).set(v)
			f.get(rr).get(v).mem(wasmV128Store, 3, 16*h)
		}
	}
	f.get(at).get(aRow).i32(2).op(wasmI32Shl).op(wasmI32Add).set(at)
	f.get(row).get(cRow).i32(2).op(wasmI32Shl).op(wasmI32Add).set(row)
	f.get(s).i32(1).op(wasmI32Add).set(s)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.get(bs).get(bStrip).op(wasmI32Add).set(bs)
	f.get(ct).i32(32).op(wasmI32Add).set(ct)
	f.get(bt).i32(32).op(wasmI32Add).set(bt)
	f.get(t).i32(1).op(wasmI32Add).set(t)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.op(wasmEnd)
	return append([]byte{2, nI32, wasmI32, nV128, wasmV128}, f...)
}

// rowsCode is the body of rows: for each of n rows, dst_r = max(x_r·a_r +
// b_r, 0) over h values (h even), where a_r and b_r start at element at[r]
// (an int32) of a and b — pieceRowsGo's loop, two values at a time. In text
// form, with ARGS the address rowsArgs:
//
//	(func (export "rows")
//	  (local $x i32) (local $at i32) (local $a i32) (local $b i32)
//	  (local $dst i32) (local $n i32) (local $h i32)            ;; rowsArgs' fields
//	  (local $r i32) (local $o i32) (local $w i32) (local $pa i32) (local $pb i32)
//	  (local $v v128) (local $zero v128)
//	  (local.set $x (i32.load offset=0 (i32.const ARGS))) … likewise to $h …
//	  (local.set $w (i32.shl (local.get $h) (i32.const 3)))      ;; bytes per row
//	  (block $rdone (loop $rloop
//	    (br_if $rdone (i32.ge_u (local.get $r) (local.get $n)))
//	    (local.set $v (v128.load64_splat (local.get $x)))
//	    (local.set $pa (i32.add (local.get $a) (i32.shl (i32.load (local.get $at)) (i32.const 3))))
//	    (local.set $pb (i32.add (local.get $b) (i32.shl (i32.load (local.get $at)) (i32.const 3))))
//	    (local.set $o (i32.const 0))
//	    (block $cdone (loop $cloop
//	      (br_if $cdone (i32.ge_u (local.get $o) (local.get $w)))
//	      (v128.store (i32.add (local.get $dst) (local.get $o)) (f64x2.max
//	        (f64x2.add (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $pa) (local.get $o))))
//	          (v128.load (i32.add (local.get $pb) (local.get $o))))
//	        (local.get $zero)))
//	      (local.set $o (i32.add (local.get $o) (i32.const 16)))
//	      (br $cloop)))
//	    (local.set $x (i32.add (local.get $x) (i32.const 8)))
//	    (local.set $at (i32.add (local.get $at) (i32.const 4)))
//	    (local.set $dst (i32.add (local.get $dst) (local.get $w)))
//	    (local.set $r (i32.add (local.get $r) (i32.const 1)))
//	    (br $rloop))))
func rowsCode(args uint32) []byte {
	const (
		x, at, a, b, dst, n, h = 0, 1, 2, 3, 4, 5, 6
		r, o, w, pa, pb        = 7, 8, 9, 10, 11
		v, zero                = 12, 13
		nI32, nV128            = 12, 2
	)
	var f wasmAsm
	for i := range 7 {
		f.i32(int32(args)).op(wasmI32Load, 2).uleb(4 * i).set(x + i)
	}
	f.simd(wasmV128Const).op(make([]byte, 16)...).set(zero)
	f.get(h).i32(3).op(wasmI32Shl).set(w)
	f.i32(0).set(r)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(r).get(n).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(x).mem(wasmV128Load64Splat, 3, 0).set(v)
	f.get(a).get(at).op(wasmI32Load, 2, 0).i32(3).op(wasmI32Shl).op(wasmI32Add).set(pa)
	f.get(b).get(at).op(wasmI32Load, 2, 0).i32(3).op(wasmI32Shl).op(wasmI32Add).set(pb)
	f.i32(0).set(o)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(o).get(w).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(dst).get(o).op(wasmI32Add)
	f.get(v).get(pa).get(o).op(wasmI32Add).mem(wasmV128Load, 3, 0).simd(wasmF64x2Mul)
	f.get(pb).get(o).op(wasmI32Add).mem(wasmV128Load, 3, 0).simd(wasmF64x2Add)
	f.get(zero).simd(wasmF64x2Max)
	f.mem(wasmV128Store, 3, 0)
	f.get(o).i32(16).op(wasmI32Add).set(o)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.get(x).i32(8).op(wasmI32Add).set(x)
	f.get(at).i32(4).op(wasmI32Add).set(at)
	f.get(dst).get(w).op(wasmI32Add).set(dst)
	f.get(r).i32(1).op(wasmI32Add).set(r)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.op(wasmEnd)
	return append([]byte{2, nI32, wasmI32, nV128, wasmV128}, f...)
}

// maskCode is the body of mask: for each of rows rows of cols values
// (cols even), out = g where y > 0 and +0 elsewhere (v128.and with the
// comparison's all-ones or all-zeros lanes: NaN in y gives 0, and g passes
// bit for bit), and when hasBG is set, bg += out row by row, in that order.
// In text form, with ARGS the address maskArgs:
//
//	(func (export "mask")
//	  (local $g i32) (local $y i32) (local $out i32) (local $bg i32)
//	  (local $rows i32) (local $cols i32) (local $hasBG i32)   ;; maskArgs' fields
//	  (local $r i32) (local $o i32) (local $w i32) (local $m v128) (local $zero v128)
//	  (local.set $g (i32.load offset=0 (i32.const ARGS))) … likewise to $hasBG …
//	  (local.set $w (i32.shl (local.get $cols) (i32.const 3)))  ;; bytes per row
//	  (block $rdone (loop $rloop
//	    (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
//	    (local.set $o (i32.const 0))
//	    (block $cdone (loop $cloop
//	      (br_if $cdone (i32.ge_u (local.get $o) (local.get $w)))
//	      (local.set $m (v128.and (v128.load (i32.add (local.get $g) (local.get $o)))
//	        (f64x2.gt (v128.load (i32.add (local.get $y) (local.get $o))) (local.get $zero))))
//	      (v128.store (i32.add (local.get $out) (local.get $o)) (local.get $m))
//	      (if (local.get $hasBG) (then (v128.store (i32.add (local.get $bg) (local.get $o))
//	        (f64x2.add (v128.load (i32.add (local.get $bg) (local.get $o))) (local.get $m)))))
//	      (local.set $o (i32.add (local.get $o) (i32.const 16)))
//	      (br $cloop)))
//	    (local.set $g (i32.add (local.get $g) (local.get $w)))
//	    … $y, $out likewise …
//	    (local.set $r (i32.add (local.get $r) (i32.const 1)))
//	    (br $rloop))))
func maskCode(args uint32) []byte {
	const (
		g, y, out, bg, rows, cols, hasBG = 0, 1, 2, 3, 4, 5, 6
		r, o, w                          = 7, 8, 9
		m, zero                          = 10, 11
		nI32, nV128                      = 10, 2
	)
	var f wasmAsm
	for i := range 7 {
		f.i32(int32(args)).op(wasmI32Load, 2).uleb(4 * i).set(g + i)
	}
	f.simd(wasmV128Const).op(make([]byte, 16)...).set(zero)
	f.get(cols).i32(3).op(wasmI32Shl).set(w)
	f.i32(0).set(r)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(r).get(rows).op(wasmI32GeU).op(wasmBrIf, 1)
	f.i32(0).set(o)
	f.op(wasmBlock, wasmVoid).op(wasmLoop, wasmVoid)
	f.get(o).get(w).op(wasmI32GeU).op(wasmBrIf, 1)
	f.get(g).get(o).op(wasmI32Add).mem(wasmV128Load, 3, 0)
	f.get(y).get(o).op(wasmI32Add).mem(wasmV128Load, 3, 0).get(zero).simd(wasmF64x2Gt)
	f.simd(wasmV128And).set(m)
	f.get(out).get(o).op(wasmI32Add).get(m).mem(wasmV128Store, 3, 0)
	f.get(hasBG).op(wasmIf, wasmVoid)
	f.get(bg).get(o).op(wasmI32Add)
	f.get(bg).get(o).op(wasmI32Add).mem(wasmV128Load, 3, 0).get(m).simd(wasmF64x2Add)
	f.mem(wasmV128Store, 3, 0)
	f.op(wasmEnd)
	f.get(o).i32(16).op(wasmI32Add).set(o)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	for _, p := range []int{g, y, out} {
		f.get(p).get(w).op(wasmI32Add).set(p)
	}
	f.get(r).i32(1).op(wasmI32Add).set(r)
	f.op(wasmBr, 0).op(wasmEnd, wasmEnd)
	f.op(wasmEnd)
	return append([]byte{2, nI32, wasmI32, nV128, wasmV128}, f...)
}

// Opcodes and types of the WebAssembly binary format (core specification 2.0,
// §5.3 and §5.4) used by simdModule.
const (
	wasmI32  = 0x7f
	wasmV128 = 0x7b
	wasmVoid = 0x40 // empty block type

	wasmBlock    = 0x02
	wasmLoop     = 0x03
	wasmIf       = 0x04
	wasmElse     = 0x05
	wasmEnd      = 0x0b
	wasmBr       = 0x0c
	wasmBrIf     = 0x0d
	wasmLocalGet = 0x20
	wasmLocalSet = 0x21
	wasmLocalTee = 0x22
	wasmSelectT  = 0x1c // followed by one value type
	wasmI32Load  = 0x28 // followed by alignment (log2 bytes) and offset
	wasmI32Const = 0x41
	wasmI32Eq    = 0x46
	wasmI32Eqz   = 0x45
	wasmI32GeU   = 0x4f
	wasmI32Add   = 0x6a
	wasmI32Mul   = 0x6c
	wasmI32Shl   = 0x74

	wasmSIMDPrefix      = 0xfd // followed by a LEB128 SIMD opcode
	wasmV128Load        = 0
	wasmV128Load64Splat = 10
	wasmV128Store       = 11
	wasmV128Const       = 12
	wasmV128And         = 78
	wasmF64x2Gt         = 74
	wasmF64x2Add        = 240
	wasmF64x2Mul        = 242
	wasmF64x2Max        = 245
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

// i32 appends an i32.const of v (signed LEB128).
func (w *wasmAsm) i32(v int32) *wasmAsm {
	w.op(wasmI32Const)
	for {
		b := byte(v & 0x7f)
		v >>= 7 // arithmetic shift: the sign fills in
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return w.op(b)
		}
		w.op(b | 0x80)
	}
}

func (w *wasmAsm) simd(op int) *wasmAsm { return w.op(wasmSIMDPrefix).uleb(op) }

// mem appends a SIMD memory instruction with its alignment (log2 bytes) and offset.
func (w *wasmAsm) mem(op, align, offset int) *wasmAsm { return w.simd(op).uleb(align).uleb(offset) }

// section appends a section with its id and size.
func (w *wasmAsm) section(id byte, content []byte) {
	w.op(id).uleb(len(content)).op(content...)
}
