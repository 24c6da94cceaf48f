package vae

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// PosteriorFlow is a normalizing flow on the posterior sample whose
// parameters depend on the input (amortised): the encoder emits a
// conditioning per input and the flow maps z0 to z given it.
type PosteriorFlow interface {
	// Cond records the conditioning of each input from the encoder's last
	// hidden layer h (one row per input).
	Cond(t *ad.Tape, h *ad.Node) *ad.Node
	// Apply records z = f(z0; cond) for rows of z0 and cond that belong
	// together, and log|det ∂z/∂z0| of each row (R×1).
	Apply(t *ad.Tape, z0, cond *ad.Node) (z, logDet *ad.Node)
	Params() []*nn.Param
}

// planarFlow is a stack of planar flows (Rezende & Mohamed 2015, eq. 10–12)
//
//	z' = z + û·tanh(wᵀz + b),  log|det| = log(1 + (1 − tanh²(wᵀz + b))·ûᵀw),
//
// whose u, w and b the encoder emits for each input: one linear head gives
// Layers·(2·D + 1) numbers per input. û = u + (m(wᵀu) − wᵀu)·w/|w|² with
// m(a) = −1 + softplus(a) makes ûᵀw > −1, the paper's sufficient condition
// for invertibility (appendix A.1), so the log-det is always finite.
type planarFlow struct {
	D, Layers int
	Head      *nn.Linear
}

// planarHeadScale shrinks the head's initial weights so that at the start
// the flow's parameters hardly depend on the input: the encoder first learns
// the Gaussian, then the flow learns to bend it. planarInitW is the spread
// of the initial w (its bias), away from 0 where û = u + (…)·w/|w|² is
// ill-conditioned.
const (
	planarHeadScale = 0.01
	planarInitW     = 1.0
)

func newPlanarFlow(name string, in, d, layers int, rng *rand.Rand) *planarFlow {
	p := &planarFlow{D: d, Layers: layers, Head: nn.NewLinear(name, in, layers*(2*d+1), rng)}
	for i := range p.Head.W.Val {
		p.Head.W.Val[i] *= planarHeadScale
	}
	s := planarInitW / math.Sqrt(float64(d)) // entries N(0, 1/d): |w| ≈ planarInitW
	for l := 0; l < layers; l++ {
		off := l * (2*d + 1)
		for j := 0; j < d; j++ {
			p.Head.B.Val[off+d+j] = s * rng.NormFloat64()
		}
	}
	return p
}

func (p *planarFlow) Cond(t *ad.Tape, h *ad.Node) *ad.Node { return p.Head.Forward(t, h) }

func (p *planarFlow) Apply(t *ad.Tape, z, cond *ad.Node) (*ad.Node, *ad.Node) {
	d := p.D
	if z.C != d || cond.R != z.R || cond.C != p.Layers*(2*d+1) {
		panic(fmt.Sprintf("vae: planar flow on %d×%d codes with %d×%d parameters", z.R, z.C, cond.R, cond.C))
	}
	var sum *ad.Node
	for l := 0; l < p.Layers; l++ {
		off := l * (2*d + 1)
		u := t.SliceCols(cond, off, off+d)
		w := t.SliceCols(cond, off+d, off+2*d)
		b := t.SliceCols(cond, off+2*d, off+2*d+1)
		wu := t.SumEachRow(t.Mul(w, u))
		m := t.AddScalar(t.Softplus(wu), -1)
		k := t.Mul(t.Sub(m, wu), t.Reciprocal(t.SumEachRow(t.Square(w))))
		uh := t.Add(u, t.Mul(w, k))
		h := t.Tanh(t.Add(t.SumEachRow(t.Mul(w, z)), b))
		z = t.Add(z, t.Mul(uh, h))
		// ûᵀψ = (1 − h²)·ûᵀw and ûᵀw = m, so 1 + ûᵀψ ≥ min(1, 1 + m) > 0
		ld := t.Log(t.AddScalar(t.Mul(t.AddScalar(t.Neg(t.Square(h)), 1), m), 1))
		if sum == nil {
			sum = ld
		} else {
			sum = t.Add(sum, ld)
		}
	}
	return z, sum
}

func (p *planarFlow) Params() []*nn.Param { return p.Head.Params() }

// iaf is a stack of inverse autoregressive flow steps (Kingma et al. 2016,
// algorithm 1): a MADE over z that also sees the encoder's context h gives
// m and s for every dimension, each from the dimensions before it, and
//
//	σ = sigmoid(s),  z' = σ⊙z + (1 − σ)⊙m,  log|det| = Σ log σ,
//
// the numerically stable form of the paper (its eq. 14–15). Between steps
// the order of the dimensions is reversed, so each dimension is conditioned
// on all others across two steps.
type iaf struct {
	D     int
	Ctx   *nn.Linear // encoder's last hidden layer → context h
	Steps []*iafStep // applied in order
	rev   []int      // the reversal permutation
}

type iafStep struct {
	Made *nn.MADE
	// CtxIn adds the context to the MADE's first hidden layer; it carries no
	// mask because the context is not one of the autoregressive inputs.
	CtxIn *nn.Linear
}

// iafInitS is the initial bias of s: σ = sigmoid(2) ≈ 0.88, so each step
// starts close to the identity, as the paper advises (section 4: "initialise
// … so that σ_t is sufficiently positive, close to +1 or +2").
const iafInitS = 2

func newIAF(name string, in, d, steps, hidden int, act nn.Activation, rng *rand.Rand) *iaf {
	f := &iaf{D: d, Ctx: nn.NewLinear(name+".ctx", in, hidden, rng)}
	for i := 0; i < steps; i++ {
		sn := fmt.Sprintf("%s%d", name, i)
		m := nn.NewMADE(sn+".made", d, []int{hidden, hidden}, 2, act, true, rng)
		last := m.Layers[len(m.Layers)-1]
		for j := d; j < 2*d; j++ {
			last.B.Val[j] = iafInitS
		}
		f.Steps = append(f.Steps, &iafStep{Made: m, CtxIn: nn.NewLinear(sn+".ctxin", hidden, hidden, rng)})
	}
	f.rev = make([]int, d)
	for j := range f.rev {
		f.rev[j] = d - 1 - j
	}
	return f
}

func (f *iaf) Cond(t *ad.Tape, h *ad.Node) *ad.Node { return f.Ctx.Forward(t, h) }

func (f *iaf) Apply(t *ad.Tape, z, ctx *ad.Node) (*ad.Node, *ad.Node) {
	if z.C != f.D || ctx.R != z.R {
		panic(fmt.Sprintf("vae: IAF on %d×%d codes with %d×%d context", z.R, z.C, ctx.R, ctx.C))
	}
	var sum *ad.Node
	for i, st := range f.Steps {
		if i > 0 {
			z = t.Cols(z, f.rev)
		}
		out := st.forward(t, z, ctx)
		m, s := t.SliceCols(out, 0, f.D), t.SliceCols(out, f.D, 2*f.D)
		sig := t.Sigmoid(s)
		// z' = σ⊙z + (1−σ)⊙m = m + σ⊙(z − m)
		z = t.Add(m, t.Mul(sig, t.Sub(z, m)))
		// log σ = −softplus(−s), without the log of a rounded sigmoid
		ld := t.Neg(t.SumEachRow(t.Softplus(t.Neg(s))))
		if sum == nil {
			sum = ld
		} else {
			sum = t.Add(sum, ld)
		}
	}
	return z, sum
}

// forward is nn.MADE.Forward with the context added before the first
// activation.
func (st *iafStep) forward(t *ad.Tape, z, ctx *ad.Node) *ad.Node {
	m := st.Made
	x := z
	for l, lin := range m.Layers {
		w := t.Mul(lin.W.Node(t), t.Const(lin.W.R, lin.W.C, m.Masks[l]))
		x = t.Affine(x, w, lin.B.Node(t))
		if l == 0 {
			x = t.Add(x, st.CtxIn.Forward(t, ctx))
		}
		if l+1 < len(m.Layers) {
			x = m.Act.Apply(t, x)
		}
	}
	return x
}

func (f *iaf) Params() []*nn.Param {
	ps := f.Ctx.Params()
	for _, st := range f.Steps {
		ps = append(ps, st.Made.Params()...)
		ps = append(ps, st.CtxIn.Params()...)
	}
	return ps
}

// realNVP is a stack of affine couplings (Dinh et al. 2017) conditioned on
// the encoder's context h: the columns A pass through and, with h, feed an
// MLP that gives a log-scale s = tanh(·) and a shift t for the columns B,
// z_B' = z_B·e^s + t, log|det| = Σ s; A and B alternate between layers.
// Its output layers start at zero, so each coupling starts as the identity.
type realNVP struct {
	D     int
	Ctx   *nn.Linear
	Nets  []*nn.MLP
	masks [][2][]int // per layer: the passing columns A and the changed B
}

func newRealNVP(name string, in, d, layers, hidden int, act nn.Activation, rng *rand.Rand) *realNVP {
	f := &realNVP{D: d, Ctx: nn.NewLinear(name+".ctx", in, hidden, rng)}
	for l := 0; l < layers; l++ {
		var a, b []int
		for j := 0; j < d; j++ {
			if (j+l)%2 == 0 {
				a = append(a, j)
			} else {
				b = append(b, j)
			}
		}
		if len(b) == 0 { // one latent dimension: let it change, conditioned on h alone
			a, b = nil, a
		}
		f.masks = append(f.masks, [2][]int{a, b})
		sizes := []int{len(a) + hidden, hidden, hidden, 2 * len(b)}
		f.Nets = append(f.Nets, nn.NewMLP(fmt.Sprintf("%s%d", name, l), sizes, act, true, rng))
	}
	return f
}

func (f *realNVP) Cond(t *ad.Tape, h *ad.Node) *ad.Node { return f.Ctx.Forward(t, h) }

func (f *realNVP) Apply(t *ad.Tape, z, ctx *ad.Node) (*ad.Node, *ad.Node) {
	if z.C != f.D || ctx.R != z.R {
		panic(fmt.Sprintf("vae: RealNVP on %d×%d codes with %d×%d context", z.R, z.C, ctx.R, ctx.C))
	}
	var sum *ad.Node
	for l, net := range f.Nets {
		a, b := f.masks[l][0], f.masks[l][1]
		in := ctx
		var za *ad.Node
		if len(a) > 0 {
			za = t.Cols(z, a)
			in = t.ConcatCols(za, ctx)
		}
		out := net.Forward(t, in)
		s, sh := t.Tanh(t.SliceCols(out, 0, len(b))), t.SliceCols(out, len(b), 2*len(b))
		zb := t.Add(t.Mul(t.Cols(z, b), t.Exp(s)), sh)
		if za != nil {
			z = t.Merge(za, a, zb, b, f.D)
		} else {
			z = zb
		}
		ld := t.SumEachRow(s)
		if sum == nil {
			sum = ld
		} else {
			sum = t.Add(sum, ld)
		}
	}
	return z, sum
}

func (f *realNVP) Params() []*nn.Param {
	ps := f.Ctx.Params()
	for _, n := range f.Nets {
		ps = append(ps, n.Params()...)
	}
	return ps
}
