package fm

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// Field is a time-dependent velocity field on R^Dim, evaluated on a tape.
type Field interface {
	Dim() int
	// Velocity records v(x_i, ts[i]) for each row x_i of x.
	Velocity(t *ad.Tape, x *ad.Node, ts []float64) *ad.Node
}

// Model is a velocity network v(x, t): an MLP on [x, time features].
type Model struct {
	Spec   Spec
	Layers []*nn.Linear
	act    nn.Activation
	// freq is the Dim×(Dim·SpaceFreqs) matrix whose product with a point
	// gives the phases of its Fourier features, ω_k·x_d in column d·K+k.
	freq []float64

	// training scratch, reused from step to step
	x0, psi, u, ts []float64
	pair           pairer
}

// New builds the velocity network s describes, initialised from rng. The
// output layer starts at zero, so the untrained field is v = 0 and sampling
// returns the base distribution.
func New(s Spec, rng *rand.Rand) (*Model, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	act, _ := nn.ParseActivation(s.Activation)
	sizes := []int{s.inputs()}
	for range s.Layers {
		sizes = append(sizes, s.Hidden)
	}
	sizes = append(sizes, s.Dim)
	mlp := nn.NewMLP("fm", sizes, act, true, rng)
	m := &Model{Spec: s, Layers: mlp.Layers, act: act}
	if k := s.SpaceFreqs; k > 0 {
		m.freq = make([]float64, s.Dim*s.Dim*k)
		for d := range s.Dim {
			w := spaceBase
			for j := range k {
				m.freq[d*s.Dim*k+d*k+j] = w
				w *= 2
			}
		}
	}
	return m, nil
}

// Dim is the dimension of the data.
func (m *Model) Dim() int { return m.Spec.Dim }

// Params returns every layer's parameters in order.
func (m *Model) Params() []*nn.Param {
	var ps []*nn.Param
	for _, l := range m.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Velocity records v(x, t) with the weights as constants: gradients reach x
// but never the parameters, so sampling and likelihoods can run between
// training steps without disturbing them.
func (m *Model) Velocity(t *ad.Tape, x *ad.Node, ts []float64) *ad.Node {
	return m.forward(t, x, ts, false)
}

// forward records the MLP on [x, features(ts)]; trainable records the
// weights as parameters whose gradients accumulate.
func (m *Model) forward(t *ad.Tape, x *ad.Node, ts []float64, trainable bool) *ad.Node {
	if x.C != m.Spec.Dim || len(ts) != x.R {
		panic(fmt.Sprintf("fm: velocity of %d×%d points at %d times, want %d columns and a time per row",
			x.R, x.C, len(ts), m.Spec.Dim))
	}
	nf := m.Spec.features()
	feat := t.Input(x.R, nf)
	for i, tt := range ts {
		m.Spec.timeFeatures(feat.Val[i*nf:(i+1)*nf], tt)
	}
	h := x
	if k := m.Spec.SpaceFreqs; k > 0 {
		phase := t.MatMul(x, t.Const(x.C, x.C*k, m.freq))
		h = t.ConcatCols(t.ConcatCols(h, t.Sin(phase)), t.Cos(phase))
	}
	h = t.ConcatCols(h, feat)
	for i, l := range m.Layers {
		var w, b *ad.Node
		if trainable {
			w, b = l.W.Node(t), l.B.Node(t)
		} else {
			w, b = t.Const(l.W.R, l.W.C, l.W.Val), t.Const(l.B.R, l.B.C, l.B.Val)
		}
		h = t.Affine(h, w, b)
		if i+1 < len(m.Layers) {
			h = m.act.Apply(t, h)
		}
	}
	return h
}
