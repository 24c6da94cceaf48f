package ad

import "math"

// Ops added for flow matching (core/fm): element-wise Sin and Cos, for
// Fourier features of the points a velocity field sees — they must be on
// the tape, because the exact divergence differentiates through them. Their
// op codes start at 224, clear of the other op files' ranges.
const (
	opSin opKind = 224 + iota
	opCos
)

// Sin records sin(a) element-wise.
func (t *Tape) Sin(a *Node) *Node {
	out := t.node(opSin, a.R, a.C, a.needGrad)
	out.a = a
	for i, v := range a.Val {
		out.Val[i] = math.Sin(v)
	}
	return out
}

// Cos records cos(a) element-wise.
func (t *Tape) Cos(a *Node) *Node {
	out := t.node(opCos, a.R, a.C, a.needGrad)
	out.a = a
	for i, v := range a.Val {
		out.Val[i] = math.Cos(v)
	}
	return out
}

// backwardFM is backward for the ops of this file.
func (n *Node) backwardFM() {
	a, g := n.a, n.Grad
	switch n.op {
	case opSin:
		for i, v := range g {
			a.Grad[i] += v * math.Cos(a.Val[i])
		}
	case opCos:
		for i, v := range g {
			a.Grad[i] -= v * math.Sin(a.Val[i])
		}
	default:
		panic("ad: backwardFM of an unknown op")
	}
}
