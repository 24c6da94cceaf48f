package nn

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/ad"
)

// Linear is a dense layer x·W + b with W of shape In×Out.
type Linear struct {
	W, B *Param
}

// NewLinear returns an In×Out layer with Glorot-uniform weights and zero bias.
func NewLinear(name string, in, out int, rng *rand.Rand) *Linear {
	l := &Linear{W: NewParam(name+".w", in, out), B: NewParam(name+".b", 1, out)}
	GlorotUniform(l.W, rng)
	return l
}

// Forward records x·W + b.
func (l *Linear) Forward(t *ad.Tape, x *ad.Node) *ad.Node {
	return t.Affine(x, l.W.Node(t), l.B.Node(t))
}

// Params returns W and b.
func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

// Activation is an element-wise nonlinearity between layers.
type Activation uint8

// The activations an MLP can use.
const (
	ReLU Activation = iota
	Tanh
	Softplus
	Sigmoid
)

var activationNames = []string{"relu", "tanh", "softplus", "sigmoid"}

func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", a)
}

// ParseActivation is the inverse of String.
func ParseActivation(s string) (Activation, error) {
	for i, n := range activationNames {
		if n == s {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (want one of %v)", s, activationNames)
}

// Apply records the activation of x.
func (a Activation) Apply(t *ad.Tape, x *ad.Node) *ad.Node {
	switch a {
	case ReLU:
		return t.ReLU(x)
	case Tanh:
		return t.Tanh(x)
	case Softplus:
		return t.Softplus(x)
	case Sigmoid:
		return t.Sigmoid(x)
	}
	panic(fmt.Sprintf("nn: unknown activation %d", a))
}
