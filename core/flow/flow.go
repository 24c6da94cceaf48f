package flow

import (
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// Flow is a base distribution pushed through a Transform.
type Flow struct {
	Base Base
	T    Transform
}

// Dim is the dimension of the data and the base.
func (f *Flow) Dim() int { return f.Base.Dim() }

// Params are the transform's.
func (f *Flow) Params() []*nn.Param { return f.T.Params() }

// LogProb records log p(x) = log p_Z(f(x)) + log|det J_f(x)| for each row of x.
func (f *Flow) LogProb(t *ad.Tape, x *ad.Node) *ad.Node {
	z, ld := f.T.Forward(t, x)
	return t.Add(f.Base.LogProb(t, z), ld)
}

// NLL records the mean negative log-likelihood of the rows of x: the
// maximum-likelihood training loss.
func (f *Flow) NLL(t *ad.Tape, x *ad.Node) *ad.Node {
	return t.Neg(t.Mean(f.LogProb(t, x)))
}

// Sample records n draws from the flow.
func (f *Flow) Sample(t *ad.Tape, rng *rand.Rand, n int) *ad.Node {
	x, _ := f.SampleWithLogProb(t, rng, n)
	return x
}

// SampleWithLogProb records n draws x = f⁻¹(z) and their log-density
// log p_Z(z) − log|det ∂x/∂z|, in one pass (what reverse-KL training and
// importance sampling need).
func (f *Flow) SampleWithLogProb(t *ad.Tape, rng *rand.Rand, n int) (x, logp *ad.Node) {
	z := t.Input(n, f.Dim())
	f.Base.Sample(rng, z.Val)
	x, ld := f.T.Inverse(t, z)
	return x, t.Sub(f.Base.LogProb(t, z), ld)
}

// Trace records the points after each layer of a Chain in the data → base
// direction: Trace(x)[0] is x, the last is z. For the layer-by-layer picture.
// A transform that is not a Chain counts as one layer.
func (f *Flow) Trace(t *ad.Tape, x *ad.Node) []*ad.Node {
	out := []*ad.Node{x}
	c, ok := f.T.(Chain)
	if !ok {
		c = Chain{f.T}
	}
	for _, tr := range c {
		x, _ = tr.Forward(t, x)
		out = append(out, x)
	}
	return out
}

// TraceInverse is Trace in the base → data direction, starting from base
// points z: TraceInverse(z)[0] is z, the last is x.
func (f *Flow) TraceInverse(t *ad.Tape, z *ad.Node) []*ad.Node {
	out := []*ad.Node{z}
	c, ok := f.T.(Chain)
	if !ok {
		c = Chain{f.T}
	}
	for i := len(c) - 1; i >= 0; i-- {
		z, _ = c[i].Inverse(t, z)
		out = append(out, z)
	}
	return out
}

// EvalLogProb writes log p(x) for the rows of x (n×Dim, row-major) into dst
// without recording gradients, in batches of at most chunk rows, reusing t.
func (f *Flow) EvalLogProb(t *ad.Tape, x, dst []float64, chunk int) {
	d := f.Dim()
	n := len(x) / d
	saved := t.NoGrad
	t.NoGrad = true
	defer func() { t.NoGrad = saved }()
	for i := 0; i < n; i += chunk {
		m := min(chunk, n-i)
		t.Reset()
		lp := f.LogProb(t, t.Const(m, d, x[i*d:(i+m)*d]))
		copy(dst[i:i+m], lp.Val)
	}
}
