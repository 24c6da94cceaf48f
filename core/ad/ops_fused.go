package ad

// Fused ops: several elementary ops in one node where that saves passes over
// memory in the hot loops of training — the intermediate buffers, their
// gradient buffers and the clearing of those. Each computes bit-for-bit what
// its unfused expression computes, forward and backward. Their op codes start
// at 64 so they never collide with ops.go (from 0), ops_more.go (from 128) or
// ops_vae.go (from 192).
const (
	opAffineReLU opKind = 64 + iota
)

// AffineReLU records max(x·w + bias, 0): ReLU(Affine(x, w, bias)) in one
// node, a hidden layer of a ReLU network. Against the two nodes it saves the
// intermediate value and gradient buffers and two of the five passes over
// them per step.
func (t *Tape) AffineReLU(x, w, bias *Node) *Node {
	if x.C != w.R || (bias != nil && (bias.R != 1 || bias.C != w.C)) {
		t.Affine(x, w, bias) // panics with the message Affine gives
	}
	out := t.affine(opAffineReLU, x, w, bias)
	if out.needGrad {
		// the gradient masked by the ReLU's slope, which the products take
		out.tmp = t.node(opLeaf, out.R, out.C, false)
	}
	return out
}

// backwardFused is backward for the ops of this file.
func (n *Node) backwardFused() {
	switch n.op {
	case opAffineReLU:
		// ReLU's slope is 1 where its output is positive, else 0 (at 0 and
		// for NaN too, as ReLU's backward has it); the bias's gradient is
		// the masked gradient's column sums, taken in the same pass.
		var bg []float64
		if n.c != nil && n.c.needGrad {
			bg = n.c.Grad
		}
		reluMask(n.tmp.Val, n.Grad, n.Val, bg, n.R, n.C)
		backAffine(n, n.tmp.Val)
	default:
		panic("ad: backwardFused of an op not its own")
	}
}
