package flow

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// AffineCoupling is the RealNVP layer (Dinh et al. 2017): the columns Cond
// pass through unchanged and condition an MLP that gives, for the columns
// Trans, a log-scale s and a shift b; then z_T = x_T·e^s + b, log|det| = Σ s.
// s = tanh(raw) keeps each layer's scale within [1/e, e], as in the talk.
type AffineCoupling struct {
	D           int
	Cond, Trans []int
	Net         *nn.MLP

	// pieces speeds up evaluation without gradients of a conditioner of
	// one input (see net); nil in a coupling built without
	// NewAffineCoupling, which then evaluates directly.
	pieces *ad.PieceCache
}

// NewAffineCoupling returns a coupling on d columns whose conditioner has the
// given hidden sizes and ReLU activations; its output layer starts at zero,
// so the layer starts as the identity.
func NewAffineCoupling(name string, d int, cond, trans []int, hidden []int, rng *rand.Rand) *AffineCoupling {
	if len(cond)+len(trans) != d || len(trans) == 0 {
		panic(fmt.Sprintf("flow: coupling on %d columns with conditioning %v and transformed %v", d, cond, trans))
	}
	sizes := append(append([]int{len(cond)}, hidden...), 2*len(trans))
	return &AffineCoupling{D: d, Cond: cond, Trans: trans, Net: nn.NewMLP(name, sizes, nn.ReLU, true, rng),
		pieces: new(ad.PieceCache)}
}

// params returns s and b for the conditioning columns xc.
func (c *AffineCoupling) params(t *ad.Tape, xc *ad.Node) (s, b *ad.Node) {
	h := c.net(t, xc)
	n := len(c.Trans)
	return t.Tanh(t.SliceCols(h, 0, n)), t.SliceCols(h, n, 2*n)
}

// net records the conditioner on xc: c.Net.Forward, with each hidden layer
// of a ReLU network one fused node (the same values, fewer passes over
// memory). When the conditioner has one input (every 2D coupling) and two
// or more hidden layers, its first two are one ReLUPair1 node, which a pass
// without gradients (density grids, samples) evaluates piecewise.
func (c *AffineCoupling) net(t *ad.Tape, xc *ad.Node) *ad.Node {
	if c.Net.Act != nn.ReLU {
		return c.Net.Forward(t, xc)
	}
	h, layers := xc, c.Net.Layers
	if len(layers) >= 3 && xc.C == 1 {
		l1, l2 := layers[0], layers[1]
		h = t.ReLUPair1(h, l1.W.Node(t), l1.B.Node(t), l2.W.Node(t), l2.B.Node(t), c.pieces)
		layers = layers[2:]
	}
	last := len(layers) - 1
	for _, l := range layers[:last] {
		h = t.AffineReLU(h, l.W.Node(t), l.B.Node(t))
	}
	return layers[last].Forward(t, h)
}

// Forward maps x to z.
func (c *AffineCoupling) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	xc := t.Cols(x, c.Cond)
	s, b := c.params(t, xc)
	zt := t.Add(t.Mul(t.Cols(x, c.Trans), t.Exp(s)), b)
	return t.Merge(xc, c.Cond, zt, c.Trans, c.D), t.SumEachRow(s)
}

// Inverse maps z to x: x_T = (z_T − b)·e^−s.
func (c *AffineCoupling) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	zc := t.Cols(z, c.Cond)
	s, b := c.params(t, zc)
	ns := t.Neg(s)
	xt := t.Mul(t.Sub(t.Cols(z, c.Trans), b), t.Exp(ns))
	return t.Merge(zc, c.Cond, xt, c.Trans, c.D), t.SumEachRow(ns)
}

// Params are the conditioner's.
func (c *AffineCoupling) Params() []*nn.Param { return c.Net.Params() }

// AlternatingMasks returns the conditioning and transformed columns of layer
// k of a d-dimensional coupling stack: even columns condition in even layers,
// odd ones in odd layers (for d = 2: x0 conditions x1, then x1 conditions x0).
func AlternatingMasks(d, k int) (cond, trans []int) {
	for j := 0; j < d; j++ {
		if (j+k)%2 == 0 {
			cond = append(cond, j)
		} else {
			trans = append(trans, j)
		}
	}
	return cond, trans
}

// NewRealNVP returns the talk's flow: layers affine couplings with
// alternating masks and conditioners with two hidden layers of the given width.
func NewRealNVP(d, layers, hidden int, rng *rand.Rand) Chain {
	if d < 2 {
		panic(fmt.Sprintf("flow: RealNVP needs at least 2 dimensions, got %d", d))
	}
	c := make(Chain, layers)
	for k := range c {
		cond, trans := AlternatingMasks(d, k)
		c[k] = NewAffineCoupling(fmt.Sprintf("coupling%d", k), d, cond, trans, []int{hidden, hidden}, rng)
	}
	return c
}
