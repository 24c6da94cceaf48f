package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// Planar is the planar flow of Rezende & Mohamed (2015):
//
//	z = x + û·tanh(wᵀx + b),  log|det ∂z/∂x| = log(1 + (1 − tanh²(wᵀx + b))·ûᵀw),
//
// a shear along û of a ridge across w. û = u + (m(wᵀu) − wᵀu)·w/|w|² with
// m(a) = −1 + softplus(a) makes ûᵀw = m(wᵀu) > −1, which keeps the map
// invertible.
//
// Direction: Forward (data → base, the density direction) is the analytic
// one, so log p(x) costs one pass. Inverse has no closed form: it solves the
// scalar equation α + m·tanh(α + b) = wᵀz for α = wᵀx, increasing in α, by
// safeguarded Newton steps inside a bracket to a few ulps, then sets
// x = z − û·tanh(α + b). Its gradient is the implicit one: on the tape α is
// recorded as one Newton step from the solved value, α* − F(α*)/F′(α*) with
// F′ a constant, which equals α* and has exactly the derivatives of the root.
type Planar struct {
	D    int
	U, W *nn.Param // 1×D
	B    *nn.Param // 1×1
}

// NewPlanar returns a planar layer on d columns with u and w drawn from
// U(−1/√d, 1/√d) (a dense layer's default) and b = 0.
func NewPlanar(name string, d int, rng *rand.Rand) *Planar {
	p := &Planar{D: d, U: nn.NewParam(name+".u", 1, d), W: nn.NewParam(name+".w", 1, d), B: nn.NewParam(name+".b", 1, 1)}
	a := 1 / math.Sqrt(float64(d))
	for i := 0; i < d; i++ {
		p.U.Val[i] = a * (2*rng.Float64() - 1)
		p.W.Val[i] = a * (2*rng.Float64() - 1)
	}
	return p
}

// uhat records û and m = ûᵀw (both from u and w).
func (p *Planar) uhat(t *ad.Tape) (uh, m, w *ad.Node) {
	u, w := p.U.Node(t), p.W.Node(t)
	wu := t.Sum(t.Mul(w, u))
	m = t.AddScalar(t.Softplus(wu), -1)
	k := t.Mul(t.Sub(m, wu), t.Reciprocal(t.Sum(t.Square(w))))
	return t.Add(u, t.Mul(w, k)), m, w
}

// logDet records log(1 + (1 − h²)·m) for h = tanh(·).
func planarLogDet(t *ad.Tape, h, m *ad.Node) *ad.Node {
	return t.Log(t.AddScalar(t.Mul(t.AddScalar(t.Neg(t.Square(h)), 1), m), 1))
}

// Forward maps x to z = x + û·tanh(wᵀx + b).
func (p *Planar) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	p.check(x)
	uh, m, w := p.uhat(t)
	h := t.Tanh(t.Add(t.MatMulT(x, w, false, true), p.B.Node(t)))
	return t.Add(x, t.MatMul(h, uh)), planarLogDet(t, h, m)
}

// Inverse maps z to x by a root solve (see Planar).
func (p *Planar) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	p.check(z)
	uh, m, w := p.uhat(t)
	b := p.B.Node(t)
	wz := t.MatMulT(z, w, false, true)
	mv, bv := m.Val[0], b.Val[0]
	root, slope := t.Input(z.R, 1), t.Input(z.R, 1)
	for i := 0; i < z.R; i++ {
		a := planarRoot(wz.Val[i], mv, bv)
		th := math.Tanh(a + bv)
		root.Val[i] = a
		slope.Val[i] = 1 / (1 + mv*(1-th*th))
	}
	// α = α* − F(α*)/F′(α*), F(α) = α + m·tanh(α + b) − wᵀz
	f := t.Sub(t.Add(root, t.Mul(t.Tanh(t.Add(root, b)), m)), wz)
	alpha := t.Sub(root, t.Mul(f, slope))
	h := t.Tanh(t.Add(alpha, b))
	return t.Sub(z, t.MatMul(h, uh)), t.Neg(planarLogDet(t, h, m))
}

// planarRoot solves α + m·tanh(α + b) = s for α, m > −1. The left side is
// increasing (slope 1 + m·sech² ≥ min(1, 1+m) > 0) and within |m| of α, so
// the root lies in [s − |m|, s + |m|]; Newton steps that leave the shrinking
// bracket are replaced by bisection.
func planarRoot(s, m, b float64) float64 {
	lo, hi := s-math.Abs(m), s+math.Abs(m)
	a := s
	for range 100 {
		th := math.Tanh(a + b)
		f := a + m*th - s
		if f == 0 {
			return a
		}
		if f < 0 {
			lo = a
		} else {
			hi = a
		}
		next := a - f/(1+m*(1-th*th))
		if !(next > lo && next < hi) {
			next = lo + (hi-lo)/2
		}
		if next == a || hi-lo <= 4*math.Abs(a)*0x1p-52 {
			return next
		}
		a = next
	}
	return a
}

// Params are u, w and b.
func (p *Planar) Params() []*nn.Param { return []*nn.Param{p.U, p.W, p.B} }

func (p *Planar) check(x *ad.Node) {
	if x.C != p.D {
		panic(fmt.Sprintf("flow: Planar on %d columns given %d", p.D, x.C))
	}
}
