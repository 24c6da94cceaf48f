package ad

import (
	"fmt"
	"math"
)

type opKind uint8

const (
	opLeaf opKind = iota
	opMatMul
	opAffine
	opAdd
	opSub
	opMul
	opScale
	opAddScalar
	opExp
	opLog
	opTanh
	opSigmoid
	opReLU
	opSoftplus
	opSquare
	opSum
	opSumEachRow
	opSumEachCol
	opCols
	opSliceCols
	opMerge
	opLogSumExpEachRow
)

// MatMul records a·b for an R×K a and a K×C b.
func (t *Tape) MatMul(a, b *Node) *Node { return t.MatMulT(a, b, false, false) }

// MatMulT records op(a)·op(b), where op transposes its operand when the flag
// is set: the forms backward passes need, without materialising a transpose.
func (t *Tape) MatMulT(a, b *Node, tA, tB bool) *Node {
	m, k := a.R, a.C
	if tA {
		m, k = k, m
	}
	kb, n := b.R, b.C
	if tB {
		kb, n = n, kb
	}
	if k != kb {
		panic(fmt.Sprintf("ad: MatMul of %d×%d%s and %d×%d%s", a.R, a.C, tick(tA), b.R, b.C, tick(tB)))
	}
	out := t.node(opMatMul, m, n, a.needGrad || b.needGrad)
	out.a, out.b, out.tA, out.tB = a, b, tA, tB
	gemm(tA, tB, m, n, k, 1, a.Val, a.C, b.Val, b.C, 0, out.Val, n)
	return out
}

func tick(t bool) string {
	if t {
		return "ᵀ"
	}
	return ""
}

// Affine records x·w + bias for an R×K x, a K×C w and a 1×C bias (nil for
// none): a dense layer in one node.
func (t *Tape) Affine(x, w, bias *Node) *Node {
	if x.C != w.R || (bias != nil && (bias.R != 1 || bias.C != w.C)) {
		bs := "none"
		if bias != nil {
			bs = fmt.Sprintf("%d×%d", bias.R, bias.C)
		}
		panic(fmt.Sprintf("ad: Affine of %d×%d, %d×%d and bias %s", x.R, x.C, w.R, w.C, bs))
	}
	return t.affine(opAffine, x, w, bias)
}

// affine records x·w + bias as a node of kind op: Affine, or AffineReLU,
// whose ReLU is applied here as the product is stored.
func (t *Tape) affine(op opKind, x, w, bias *Node) *Node {
	ng := x.needGrad || w.needGrad || (bias != nil && bias.needGrad)
	out := t.node(op, x.R, w.C, ng)
	out.a, out.b, out.c = x, w, bias
	var bv []float64
	if bias != nil {
		bv = bias.Val
	}
	gemmBiasReLU(x.R, w.C, x.C, x.Val, x.C, w.Val, w.C, bv, op == opAffineReLU, out.Val, w.C)
	return out
}

// broadcastable reports whether b can stand beside an R×C a in Add, Sub and
// Mul: the same shape, a 1×C row, an R×1 column or a 1×1 scalar.
func broadcastable(a, b *Node) bool {
	return (b.R == a.R || b.R == 1) && (b.C == a.C || b.C == 1)
}

func (t *Tape) binary(op opKind, a, b *Node) *Node {
	if !broadcastable(a, b) {
		panic(fmt.Sprintf("ad: %s of %d×%d and %d×%d", opName[op], a.R, a.C, b.R, b.C))
	}
	out := t.node(op, a.R, a.C, a.needGrad || b.needGrad)
	out.a, out.b = a, b
	C := a.C
	bs := 0
	if b.C == C {
		bs = 1
	}
	for i := 0; i < a.R; i++ {
		ar := a.Val[i*C : (i+1)*C]
		or := out.Val[i*C : (i+1)*C]
		br := brow(b, i)
		switch op {
		case opAdd:
			for j := range or {
				or[j] = ar[j] + br[j*bs]
			}
		case opSub:
			for j := range or {
				or[j] = ar[j] - br[j*bs]
			}
		case opMul:
			for j := range or {
				or[j] = ar[j] * br[j*bs]
			}
		}
	}
	return out
}

// brow returns the row of b that stands beside row i of a broadcast op.
func brow(b *Node, i int) []float64 {
	if b.R == 1 {
		return b.Val[:b.C]
	}
	return b.Val[i*b.C : (i+1)*b.C]
}

func growRow(b *Node, i int) []float64 {
	if b.R == 1 {
		return b.Grad[:b.C]
	}
	return b.Grad[i*b.C : (i+1)*b.C]
}

var opName = map[opKind]string{opAdd: "Add", opSub: "Sub", opMul: "Mul"}

// Add records a + b; b may be a's shape, a 1×C row, an R×1 column or 1×1.
func (t *Tape) Add(a, b *Node) *Node { return t.binary(opAdd, a, b) }

// Sub records a − b, broadcasting b as Add does.
func (t *Tape) Sub(a, b *Node) *Node { return t.binary(opSub, a, b) }

// Mul records the element-wise a ⊙ b, broadcasting b as Add does.
func (t *Tape) Mul(a, b *Node) *Node { return t.binary(opMul, a, b) }

// Scale records k·a.
func (t *Tape) Scale(a *Node, k float64) *Node {
	out := t.node(opScale, a.R, a.C, a.needGrad)
	out.a, out.k = a, k
	for i, v := range a.Val {
		out.Val[i] = k * v
	}
	return out
}

// AddScalar records a + k.
func (t *Tape) AddScalar(a *Node, k float64) *Node {
	out := t.node(opAddScalar, a.R, a.C, a.needGrad)
	out.a, out.k = a, k
	for i, v := range a.Val {
		out.Val[i] = v + k
	}
	return out
}

// Neg records −a.
func (t *Tape) Neg(a *Node) *Node { return t.Scale(a, -1) }

func (t *Tape) unary(op opKind, a *Node) *Node {
	out := t.node(op, a.R, a.C, a.needGrad)
	out.a = a
	o := out.Val
	switch op {
	case opExp:
		for i, v := range a.Val {
			o[i] = math.Exp(v)
		}
	case opLog:
		for i, v := range a.Val {
			o[i] = math.Log(v)
		}
	case opTanh:
		for i, v := range a.Val {
			o[i] = math.Tanh(v)
		}
	case opSigmoid:
		for i, v := range a.Val {
			o[i] = sigmoid(v)
		}
	case opReLU:
		for i, v := range a.Val {
			o[i] = relu(v)
		}
	case opSoftplus:
		for i, v := range a.Val {
			o[i] = Softplus(v)
		}
	case opSquare:
		for i, v := range a.Val {
			o[i] = v * v
		}
	}
	return out
}

// Exp records e^a element-wise.
func (t *Tape) Exp(a *Node) *Node { return t.unary(opExp, a) }

// Log records the natural log of a element-wise.
func (t *Tape) Log(a *Node) *Node { return t.unary(opLog, a) }

// Tanh records tanh(a) element-wise.
func (t *Tape) Tanh(a *Node) *Node { return t.unary(opTanh, a) }

// Sigmoid records 1/(1+e^−a) element-wise.
func (t *Tape) Sigmoid(a *Node) *Node { return t.unary(opSigmoid, a) }

// ReLU records max(a, 0) element-wise.
func (t *Tape) ReLU(a *Node) *Node { return t.unary(opReLU, a) }

// Softplus records log(1+e^a) element-wise, computed without overflow.
func (t *Tape) Softplus(a *Node) *Node { return t.unary(opSoftplus, a) }

// Square records a² element-wise.
func (t *Tape) Square(a *Node) *Node { return t.unary(opSquare, a) }

// relu is max(x, 0) as Go's max has it (NaN stays NaN, −0 becomes 0),
// written as a comparison: on js/wasm max of floats is a call into the
// runtime (fmax64), which took 9% of a flow training step.
func relu(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x // positive or NaN
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Softplus is log(1+e^x) without overflow for large x or loss for small x.
func Softplus(x float64) float64 {
	return relu(x) + math.Log1p(math.Exp(-math.Abs(x)))
}

// Sum records the sum of all entries of a, as a 1×1 node.
func (t *Tape) Sum(a *Node) *Node {
	out := t.node(opSum, 1, 1, a.needGrad)
	out.a = a
	s := 0.0
	for _, v := range a.Val {
		s += v
	}
	out.Val[0] = s
	return out
}

// Mean records the mean of all entries of a, as a 1×1 node.
func (t *Tape) Mean(a *Node) *Node {
	return t.Scale(t.Sum(a), 1/float64(a.R*a.C))
}

// SumEachRow records the R×1 column of row sums of a.
func (t *Tape) SumEachRow(a *Node) *Node {
	out := t.node(opSumEachRow, a.R, 1, a.needGrad)
	out.a = a
	for i := 0; i < a.R; i++ {
		s := 0.0
		for _, v := range a.Val[i*a.C : (i+1)*a.C] {
			s += v
		}
		out.Val[i] = s
	}
	return out
}

// SumEachCol records the 1×C row of column sums of a.
func (t *Tape) SumEachCol(a *Node) *Node {
	out := t.node(opSumEachCol, 1, a.C, a.needGrad)
	out.a = a
	clear(out.Val)
	for i := 0; i < a.R; i++ {
		for j, v := range a.Val[i*a.C : (i+1)*a.C] {
			out.Val[j] += v
		}
	}
	return out
}

// MeanEachRow records the R×1 column of row means of a.
func (t *Tape) MeanEachRow(a *Node) *Node { return t.Scale(t.SumEachRow(a), 1/float64(a.C)) }

// MeanEachCol records the 1×C row of column means of a.
func (t *Tape) MeanEachCol(a *Node) *Node { return t.Scale(t.SumEachCol(a), 1/float64(a.R)) }

// Cols records the columns idx of a, in that order (a gather). idx belongs
// to the caller and must stay unchanged until Reset.
func (t *Tape) Cols(a *Node, idx []int) *Node {
	for _, j := range idx {
		if j < 0 || j >= a.C {
			panic(fmt.Sprintf("ad: Cols index %d of a %d×%d node", j, a.R, a.C))
		}
	}
	out := t.node(opCols, a.R, len(idx), a.needGrad)
	out.a, out.ia = a, idx
	for i := 0; i < a.R; i++ {
		ar := a.Val[i*a.C : (i+1)*a.C]
		or := out.Val[i*out.C : (i+1)*out.C]
		for k, j := range idx {
			or[k] = ar[j]
		}
	}
	return out
}

// SliceCols records the columns from ≤ j < to of a.
func (t *Tape) SliceCols(a *Node, from, to int) *Node {
	if from < 0 || to > a.C || from > to {
		panic(fmt.Sprintf("ad: SliceCols [%d,%d) of a %d×%d node", from, to, a.R, a.C))
	}
	w := to - from
	out := t.node(opSliceCols, a.R, w, a.needGrad)
	out.a, out.i0, out.i1 = a, from, to
	for i := 0; i < a.R; i++ {
		copy(out.Val[i*w:(i+1)*w], a.Val[i*a.C+from:i*a.C+to])
	}
	return out
}

// Merge records the R×c matrix whose columns ia are a's and whose columns ib
// are b's (a scatter): the inverse of two Cols. Every column 0..c−1 must be
// named exactly once. ia and ib belong to the caller, as in Cols.
func (t *Tape) Merge(a *Node, ia []int, b *Node, ib []int, c int) *Node {
	if a.R != b.R || a.C != len(ia) || b.C != len(ib) || len(ia)+len(ib) != c {
		panic(fmt.Sprintf("ad: Merge of %d×%d (%d columns) and %d×%d (%d columns) into %d columns",
			a.R, a.C, len(ia), b.R, b.C, len(ib), c))
	}
	out := t.node(opMerge, a.R, c, a.needGrad || b.needGrad)
	out.a, out.b, out.ia, out.ib = a, b, ia, ib
	for i := 0; i < a.R; i++ {
		or := out.Val[i*c : (i+1)*c]
		for k, j := range ia {
			or[j] = a.Val[i*a.C+k]
		}
		for k, j := range ib {
			or[j] = b.Val[i*b.C+k]
		}
	}
	return out
}

// ConcatCols records [a b], a's columns followed by b's.
func (t *Tape) ConcatCols(a, b *Node) *Node {
	if a.R != b.R {
		panic(fmt.Sprintf("ad: ConcatCols of %d×%d and %d×%d", a.R, a.C, b.R, b.C))
	}
	out := t.node(opMerge, a.R, a.C+b.C, a.needGrad || b.needGrad)
	out.a, out.b = a, b
	out.i0 = -1 // contiguous: a then b, no index lists
	for i := 0; i < a.R; i++ {
		copy(out.Val[i*out.C:], a.Val[i*a.C:(i+1)*a.C])
		copy(out.Val[i*out.C+a.C:], b.Val[i*b.C:(i+1)*b.C])
	}
	return out
}

// LogSumExpEachRow records the R×1 column log Σ_j exp(a_ij), computed stably.
func (t *Tape) LogSumExpEachRow(a *Node) *Node {
	out := t.node(opLogSumExpEachRow, a.R, 1, a.needGrad)
	out.a = a
	for i := 0; i < a.R; i++ {
		out.Val[i] = logSumExp(a.Val[i*a.C : (i+1)*a.C])
	}
	return out
}

func logSumExp(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - m)
	}
	return m + math.Log(s)
}
