package nn

import (
	"fmt"
	"math"

	"likelab/core/ad"
)

// Param is a trainable R×C matrix with its gradient, owned outside any tape.
type Param struct {
	Name string
	R, C int
	Val  []float64
	Grad []float64
}

// NewParam returns a zero R×C parameter.
func NewParam(name string, r, c int) *Param {
	return &Param{Name: name, R: r, C: c, Val: make([]float64, r*c), Grad: make([]float64, r*c)}
}

// Node records p on the tape as a leaf whose gradient flows into p.Grad.
func (p *Param) Node(t *ad.Tape) *ad.Node { return t.Param(p.R, p.C, p.Val, p.Grad) }

// ZeroGrad clears the gradients of ps.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear(p.Grad)
	}
}

// GradNorm is the Euclidean norm of all gradients of ps together.
func GradNorm(ps []*Param) float64 {
	s := 0.0
	for _, p := range ps {
		for _, g := range p.Grad {
			s += g * g
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales the gradients of ps so their joint norm is at most
// maxNorm, and returns the norm before clipping. maxNorm ≤ 0 clips nothing.
func ClipGradNorm(ps []*Param, maxNorm float64) float64 {
	n := GradNorm(ps)
	if maxNorm > 0 && n > maxNorm {
		k := maxNorm / n
		for _, p := range ps {
			for i := range p.Grad {
				p.Grad[i] *= k
			}
		}
	}
	return n
}

// Finite reports whether every value of ps is a finite number, and names the
// first parameter that is not.
func Finite(ps []*Param) (bool, string) {
	for _, p := range ps {
		for _, v := range p.Val {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false, p.Name
			}
		}
	}
	return true, ""
}

// Count is the number of scalar values in ps.
func Count(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.Val)
	}
	return n
}

// CopyValues copies the values of src into dst, which must have the same
// shapes: for snapshots and rollback.
func CopyValues(dst, src []*Param) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("nn: CopyValues of %d params into %d", len(src), len(dst)))
	}
	for i := range src {
		if len(dst[i].Val) != len(src[i].Val) {
			panic(fmt.Sprintf("nn: CopyValues of %s (%d values) into %s (%d)", src[i].Name, len(src[i].Val), dst[i].Name, len(dst[i].Val)))
		}
		copy(dst[i].Val, src[i].Val)
	}
}
