package nn

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/ad"
)

// MADE is a masked autoencoder for distribution estimation (Germain et al.
// 2015): an MLP whose weights are masked so that the outputs for input
// dimension i depend only on inputs 0…i−1. It is the conditioner of
// autoregressive flows: one pass gives every dimension's parameters, each
// from the dimensions before it.
//
// Degrees follow the paper: input i has degree i+1, hidden unit u of every
// hidden layer degree 1 + u mod (D−1) (cycling, so each degree is present
// when the layer is at least D−1 wide), output i degree i+1; a weight is kept
// from a unit of degree a to a hidden unit of degree b when b ≥ a, and to an
// output of degree b when b > a. For D = 2 every hidden unit sees x0 only and
// the outputs of dimension 0 are their biases alone.
type MADE struct {
	D      int // input dimensions
	PerDim int // outputs per input dimension
	Layers []*Linear
	// Masks[l] is Layers[l].W's 0/1 mask, the same shape, row-major.
	Masks [][]float64
	Act   Activation
}

// NewMADE returns a MADE over d inputs with the given hidden sizes and perDim
// outputs per input. Its output has d·perDim columns, grouped by parameter:
// columns k·d … k·d+d−1 hold parameter k for dimensions 0…d−1, so
// SliceCols(k·d, (k+1)·d) takes one parameter for every dimension. With
// zeroLast the output layer starts at zero, as in NewMLP.
func NewMADE(name string, d int, hidden []int, perDim int, act Activation, zeroLast bool, rng *rand.Rand) *MADE {
	if d < 1 || perDim < 1 {
		panic(fmt.Sprintf("nn: MADE over %d inputs with %d outputs each", d, perDim))
	}
	m := &MADE{D: d, PerDim: perDim, Act: act}
	in := make([]int, d) // degrees of the current layer's inputs
	for i := range in {
		in[i] = i + 1
	}
	sizes := append(append([]int{d}, hidden...), d*perDim)
	for l := 0; l+1 < len(sizes); l++ {
		last := l+2 == len(sizes)
		out := make([]int, sizes[l+1])
		for u := range out {
			if last {
				out[u] = u%d + 1
			} else {
				out[u] = 1 + u%max(1, d-1)
			}
		}
		lin := NewLinear(fmt.Sprintf("%s.%d", name, l), sizes[l], sizes[l+1], rng)
		if act == ReLU && !last {
			HeNormal(lin.W, rng)
		}
		mask := make([]float64, len(lin.W.Val))
		for a, da := range in {
			for b, db := range out {
				if db > da || (!last && db == da) {
					mask[a*len(out)+b] = 1
				}
			}
		}
		for i, k := range mask {
			lin.W.Val[i] *= k // masked weights start (and, untouched by gradients, stay) at 0
		}
		if last && zeroLast {
			clear(lin.W.Val)
		}
		m.Layers = append(m.Layers, lin)
		m.Masks = append(m.Masks, mask)
		in = out
	}
	return m
}

// Forward records the MADE applied to x (R×D): R×(D·PerDim).
func (m *MADE) Forward(t *ad.Tape, x *ad.Node) *ad.Node {
	if x.C != m.D {
		panic(fmt.Sprintf("nn: MADE over %d inputs given %d columns", m.D, x.C))
	}
	for l, lin := range m.Layers {
		w := t.Mul(lin.W.Node(t), t.Const(lin.W.R, lin.W.C, m.Masks[l]))
		x = t.Affine(x, w, lin.B.Node(t))
		if l+1 < len(m.Layers) {
			x = m.Act.Apply(t, x)
		}
	}
	return x
}

// Params returns every layer's parameters in order.
func (m *MADE) Params() []*Param {
	var ps []*Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}
