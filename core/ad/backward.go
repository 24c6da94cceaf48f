package ad

import "math"

// backward adds n's contribution to the gradients of its inputs: each op's
// local chain rule, given n.Grad.
func (n *Node) backward() {
	a, g := n.a, n.Grad
	switch n.op {
	case opMatMul:
		backMatMul(n)
	case opAffine:
		if n.c != nil && n.c.needGrad {
			colSumInto(n.c.Grad, g, n.R, n.C)
		}
		backAffine(n, g)
	case opAdd, opSub, opMul:
		backBinary(n)
	case opScale:
		if a.needGrad {
			for i, v := range g {
				a.Grad[i] += n.k * v
			}
		}
	case opAddScalar:
		if a.needGrad {
			for i, v := range g {
				a.Grad[i] += v
			}
		}
	case opExp:
		for i, v := range g {
			a.Grad[i] += v * n.Val[i]
		}
	case opLog:
		for i, v := range g {
			a.Grad[i] += v / a.Val[i]
		}
	case opTanh:
		for i, v := range g {
			y := n.Val[i]
			a.Grad[i] += v * (1 - y*y)
		}
	case opSigmoid:
		for i, v := range g {
			y := n.Val[i]
			a.Grad[i] += v * y * (1 - y)
		}
	case opReLU:
		for i, v := range g {
			if a.Val[i] > 0 {
				a.Grad[i] += v
			}
		}
	case opSoftplus:
		for i, v := range g {
			a.Grad[i] += v * sigmoid(a.Val[i])
		}
	case opSquare:
		for i, v := range g {
			a.Grad[i] += 2 * v * a.Val[i]
		}
	case opSum:
		for i := range a.Grad {
			a.Grad[i] += g[0]
		}
	case opSumEachRow:
		for i := 0; i < a.R; i++ {
			gr := a.Grad[i*a.C : (i+1)*a.C]
			for j := range gr {
				gr[j] += g[i]
			}
		}
	case opSumEachCol:
		for i := 0; i < a.R; i++ {
			gr := a.Grad[i*a.C : (i+1)*a.C]
			for j := range gr {
				gr[j] += g[j]
			}
		}
	case opCols:
		for i := 0; i < a.R; i++ {
			gr := a.Grad[i*a.C : (i+1)*a.C]
			for k, j := range n.ia {
				gr[j] += g[i*n.C+k]
			}
		}
	case opSliceCols:
		w := n.C
		for i := 0; i < a.R; i++ {
			gr := a.Grad[i*a.C+n.i0 : i*a.C+n.i1]
			for j := range gr {
				gr[j] += g[i*w+j]
			}
		}
	case opMerge:
		backMerge(n)
	case opLogSumExpEachRow:
		// ∂/∂a_ij log Σ exp(a_i·) = exp(a_ij − lse_i)
		for i := 0; i < a.R; i++ {
			lse := n.Val[i]
			if math.IsInf(lse, -1) {
				continue
			}
			gr := a.Grad[i*a.C : (i+1)*a.C]
			for j, v := range a.Val[i*a.C : (i+1)*a.C] {
				gr[j] += g[i] * math.Exp(v-lse)
			}
		}
	case opBCELogits, opGaussLogProb, opKLStdNormal, opRepeatRows, opReshape:
		n.backwardVAE() // the ops of ops_vae.go
	case opAffineReLU:
		n.backwardFused() // the ops of ops_fused.go
	case opSin, opCos:
		n.backwardFM() // the ops of ops_fm.go
	default:
		n.backwardMore() // the ops of ops_more.go
	}
}

// backAffine adds the gradients of x·w given the gradient g of the product
// (the bias is the caller's).
func backAffine(n *Node, g []float64) {
	x, w := n.a, n.b
	if x.needGrad { // dx += g·wᵀ
		gemm(false, true, x.R, x.C, w.C, 1, g, n.C, w.Val, w.C, 1, x.Grad, x.C)
	}
	if w.needGrad { // dw += xᵀ·g
		gemm(true, false, w.R, w.C, x.R, 1, x.Val, x.C, g, n.C, 1, w.Grad, w.C)
	}
}

func backMatMul(n *Node) {
	a, b, g := n.a, n.b, n.Grad
	m, k := n.R, a.C // output rows, and the inner size…
	if n.tA {
		k = a.R
	}
	cols := n.C
	switch {
	case !n.tA && !n.tB: // C = A·B: dA += G·Bᵀ, dB += Aᵀ·G
		if a.needGrad {
			gemm(false, true, m, k, cols, 1, g, cols, b.Val, b.C, 1, a.Grad, a.C)
		}
		if b.needGrad {
			gemm(true, false, k, cols, m, 1, a.Val, a.C, g, cols, 1, b.Grad, b.C)
		}
	case !n.tA && n.tB: // C = A·Bᵀ: dA += G·B, dB += Gᵀ·A
		if a.needGrad {
			gemm(false, false, m, k, cols, 1, g, cols, b.Val, b.C, 1, a.Grad, a.C)
		}
		if b.needGrad {
			gemm(true, false, cols, k, m, 1, g, cols, a.Val, a.C, 1, b.Grad, b.C)
		}
	case n.tA && !n.tB: // C = Aᵀ·B: dA += B·Gᵀ, dB += A·G
		if a.needGrad {
			gemm(false, true, k, m, cols, 1, b.Val, b.C, g, cols, 1, a.Grad, a.C)
		}
		if b.needGrad {
			gemm(false, false, k, cols, m, 1, a.Val, a.C, g, cols, 1, b.Grad, b.C)
		}
	default: // C = Aᵀ·Bᵀ: dA += Bᵀ·Gᵀ, dB += Gᵀ·Aᵀ
		if a.needGrad {
			gemm(true, true, k, m, cols, 1, b.Val, b.C, g, cols, 1, a.Grad, a.C)
		}
		if b.needGrad {
			gemm(true, true, cols, k, m, 1, g, cols, a.Val, a.C, 1, b.Grad, b.C)
		}
	}
}

func backBinary(n *Node) {
	a, b, g := n.a, n.b, n.Grad
	C := n.C
	bs := 0
	if b.C == C {
		bs = 1
	}
	for i := 0; i < n.R; i++ {
		gr := g[i*C : (i+1)*C]
		if a.needGrad {
			agr := a.Grad[i*C : (i+1)*C]
			switch n.op {
			case opAdd, opSub:
				for j, v := range gr {
					agr[j] += v
				}
			case opMul:
				br := brow(b, i)
				for j, v := range gr {
					agr[j] += v * br[j*bs]
				}
			}
		}
		if b.needGrad {
			bgr := growRow(b, i)
			switch n.op {
			case opAdd:
				for j, v := range gr {
					bgr[j*bs] += v
				}
			case opSub:
				for j, v := range gr {
					bgr[j*bs] -= v
				}
			case opMul:
				ar := a.Val[i*C : (i+1)*C]
				for j, v := range gr {
					bgr[j*bs] += v * ar[j]
				}
			}
		}
	}
}

func backMerge(n *Node) {
	a, b, g := n.a, n.b, n.Grad
	for i := 0; i < n.R; i++ {
		gr := g[i*n.C : (i+1)*n.C]
		if n.i0 == -1 { // ConcatCols
			if a.needGrad {
				ag := a.Grad[i*a.C : (i+1)*a.C]
				for j := range ag {
					ag[j] += gr[j]
				}
			}
			if b.needGrad {
				bg := b.Grad[i*b.C : (i+1)*b.C]
				for j := range bg {
					bg[j] += gr[a.C+j]
				}
			}
			continue
		}
		if a.needGrad {
			for k, j := range n.ia {
				a.Grad[i*a.C+k] += gr[j]
			}
		}
		if b.needGrad {
			for k, j := range n.ib {
				b.Grad[i*b.C+k] += gr[j]
			}
		}
	}
}

// colSumInto adds the column sums of the r×c matrix g into dst.
func colSumInto(dst, g []float64, r, c int) {
	for i := 0; i < r; i++ {
		for j, v := range g[i*c : (i+1)*c] {
			dst[j] += v
		}
	}
}
