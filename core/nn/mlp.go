package nn

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/ad"
)

// MLP is a stack of Linear layers with an activation between them and none
// after the last.
type MLP struct {
	Layers []*Linear
	Act    Activation
}

// NewMLP returns an MLP through the given sizes (input, hidden…, output).
// With zeroLast the output layer starts at zero, so a flow's coupling built
// on it starts as the identity — the initialisation Glow uses for stability.
func NewMLP(name string, sizes []int, act Activation, zeroLast bool, rng *rand.Rand) *MLP {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("nn: MLP needs at least input and output sizes, got %v", sizes))
	}
	m := &MLP{Act: act}
	for i := 0; i+1 < len(sizes); i++ {
		l := NewLinear(fmt.Sprintf("%s.%d", name, i), sizes[i], sizes[i+1], rng)
		if act == ReLU && i+2 < len(sizes) {
			HeNormal(l.W, rng)
		}
		m.Layers = append(m.Layers, l)
	}
	if zeroLast {
		clear(m.Layers[len(m.Layers)-1].W.Val)
	}
	return m
}

// Forward records the MLP applied to x.
func (m *MLP) Forward(t *ad.Tape, x *ad.Node) *ad.Node {
	for i, l := range m.Layers {
		x = l.Forward(t, x)
		if i+1 < len(m.Layers) {
			x = m.Act.Apply(t, x)
		}
	}
	return x
}

// Params returns every layer's parameters in order.
func (m *MLP) Params() []*Param {
	var ps []*Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}
