package ad

import "fmt"

// Node is one value on a tape: an R×C row-major matrix, its gradient, and the
// operation that produced it. Nodes belong to their tape and are recycled by
// Tape.Reset; do not keep one across a Reset.
type Node struct {
	R, C int
	Val  []float64
	// Grad is the gradient of the backward root with respect to Val. It is
	// nil for nodes that no parameter depends on (constants and what is
	// computed from constants only).
	Grad []float64

	op   opKind
	a, b *Node
	// k is a scalar parameter of the op (a scale, an offset).
	k float64
	// ia, ib are column index lists of Cols and Merge; they belong to the
	// caller, who must not change them while the node is in use.
	ia, ib []int
	// c is the third input of three-input ops (Affine's bias).
	c *Node
	// tmp is scratch of the op's own for its backward pass, a node recycled
	// with the tape, when a, b and c are all inputs.
	tmp *Node
	// tA, tB mark transposed operands of MatMul; i0, i1 a column range.
	tA, tB bool
	i0, i1 int

	valBuf, gradBuf []float64
	needGrad        bool
}

// Tape records operations in creation order. Backward walks them in reverse,
// which is a topological order because inputs always precede outputs.
type Tape struct {
	nodes []*Node
	n     int
	// NoGrad makes Param behave like Const: nothing recorded on the tape
	// needs a gradient, and no gradient buffers are touched. For inference.
	NoGrad bool
}

// NewTape returns an empty tape.
func NewTape() *Tape { return &Tape{} }

// Reset forgets every node recorded so far, keeping their buffers for reuse.
func (t *Tape) Reset() { t.n = 0 }

// Len is the number of nodes recorded since the last Reset.
func (t *Tape) Len() int { return t.n }

// node returns the next recycled node with an own value buffer of r×c.
func (t *Tape) node(op opKind, r, c int, needGrad bool) *Node {
	if r < 0 || c < 0 {
		panic(fmt.Sprintf("ad: negative shape %d×%d", r, c))
	}
	if t.n == len(t.nodes) {
		t.nodes = append(t.nodes, &Node{})
	}
	n := t.nodes[t.n]
	t.n++
	size := r * c
	n.R, n.C = r, c
	n.op = op
	n.a, n.b, n.c, n.tmp = nil, nil, nil, nil
	n.ia, n.ib = nil, nil
	n.k = 0
	n.tA, n.tB = false, false
	n.i0, n.i1 = 0, 0
	n.needGrad = needGrad && !t.NoGrad
	n.Val = grow(&n.valBuf, size)
	if n.needGrad {
		n.Grad = grow(&n.gradBuf, size)
		clear(n.Grad)
	} else {
		n.Grad = nil
	}
	return n
}

func grow(buf *[]float64, size int) []float64 {
	if cap(*buf) < size {
		*buf = make([]float64, size)
	}
	return (*buf)[:size]
}

// Const records an R×C constant whose values are data (row-major). The tape
// reads data but never writes it; it must stay unchanged until Reset.
func (t *Tape) Const(r, c int, data []float64) *Node {
	if len(data) != r*c {
		panic(fmt.Sprintf("ad: Const %d×%d given %d values", r, c, len(data)))
	}
	n := t.node(opLeaf, r, 0, false)
	n.C = c
	n.Val = data
	return n
}

// Zeros records an R×C constant filled with zero, in a buffer of the tape's.
func (t *Tape) Zeros(r, c int) *Node {
	n := t.node(opLeaf, r, c, false)
	clear(n.Val) // the recycled buffer holds the last step's values
	return n
}

// Input records an R×C constant in a buffer of the tape's, filled by the
// caller after the call: the way to feed a minibatch without allocating.
func (t *Tape) Input(r, c int) *Node { return t.node(opLeaf, r, c, false) }

// Param records a trainable R×C leaf whose value and gradient live outside
// the tape (an nn.Param): backward adds into grad. With NoGrad set it is a
// constant.
func (t *Tape) Param(r, c int, val, grad []float64) *Node {
	if len(val) != r*c || (!t.NoGrad && len(grad) != r*c) {
		panic(fmt.Sprintf("ad: Param %d×%d given %d values and %d gradients", r, c, len(val), len(grad)))
	}
	n := t.node(opLeaf, r, 0, false)
	n.C = c
	n.Val = val
	if !t.NoGrad {
		n.needGrad = true
		n.Grad = grad
	}
	return n
}

// Backward computes gradients of the 1×1 node root with respect to every
// node recorded before it that needs one, adding into Param gradients.
func (t *Tape) Backward(root *Node) {
	if root.R*root.C != 1 {
		panic(fmt.Sprintf("ad: Backward from a %d×%d node, want 1×1", root.R, root.C))
	}
	if !root.needGrad {
		return
	}
	end := -1
	for i := t.n - 1; i >= 0; i-- {
		if t.nodes[i] == root {
			end = i
			break
		}
	}
	if end < 0 {
		panic("ad: Backward from a node not on this tape")
	}
	root.Grad[0] = 1
	for i := end; i >= 0; i-- {
		n := t.nodes[i]
		if n.needGrad && n.op != opLeaf {
			n.backward()
		}
	}
}

// Scalar returns the single value of a 1×1 node.
func (n *Node) Scalar() float64 {
	if n.R*n.C != 1 {
		panic(fmt.Sprintf("ad: Scalar of a %d×%d node", n.R, n.C))
	}
	return n.Val[0]
}

// At returns the value in row i, column j.
func (n *Node) At(i, j int) float64 { return n.Val[i*n.C+j] }

// NeedsGrad reports whether a gradient flows into this node.
func (n *Node) NeedsGrad() bool { return n.needGrad }
