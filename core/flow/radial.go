package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// Radial is the radial flow of Rezende & Mohamed (2015): a contraction or
// expansion around a centre x0,
//
//	z = x + β·(x − x0)/(α + r),  r = |x − x0|,
//	log|det ∂z/∂x| = (D−1)·log(1 + β/(α + r)) + log(1 + αβ/(α + r)²),
//
// with α = softplus(a) > 0 and β = −α + softplus(b) > −α, which keeps the map
// invertible.
//
// Direction: Forward (data → base, the density direction) is analytic.
// Inverse solves for r from ρ = |z − x0| = r·(1 + β/(α + r)), a quadratic
// whose non-negative root is taken in the cancellation-free form, then sets
// x = x0 + (z − x0)/(1 + β/(α + r)). As in Planar, r is recorded on the tape
// as one Newton step from the solved value, which carries the implicit
// derivatives.
type Radial struct {
	D    int
	X0   *nn.Param // 1×D
	A, B *nn.Param // 1×1 each: α = softplus(A), β = −α + softplus(B)
}

// NewRadial returns a radial layer on d columns whose centre is drawn from
// N(0, I) (where base and data mass is) and whose α and β start at
// softplus(0) = log 2 and 0: the identity.
func NewRadial(name string, d int, rng *rand.Rand) *Radial {
	p := &Radial{D: d, X0: nn.NewParam(name+".x0", 1, d), A: nn.NewParam(name+".a", 1, 1), B: nn.NewParam(name+".b", 1, 1)}
	for i := range p.X0.Val {
		p.X0.Val[i] = rng.NormFloat64()
	}
	return p // a = b = 0: softplus(b) = α, so β = 0
}

// coefs records α, β and αβ.
func (p *Radial) coefs(t *ad.Tape) (alpha, beta, ab *ad.Node) {
	alpha = t.Softplus(p.A.Node(t))
	beta = t.Sub(t.Softplus(p.B.Node(t)), alpha)
	return alpha, beta, t.Mul(alpha, beta)
}

// logDet records (D−1)·log(1 + β·hh) + log(1 + αβ·hh²) for hh = 1/(α + r).
func (p *Radial) logDet(t *ad.Tape, hh, beta, ab *ad.Node) *ad.Node {
	l := t.Log(t.AddScalar(t.Mul(t.Square(hh), ab), 1))
	if p.D == 1 {
		return l
	}
	return t.Add(t.Scale(t.Log(t.AddScalar(t.Mul(hh, beta), 1)), float64(p.D-1)), l)
}

// Forward maps x to z.
func (p *Radial) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	p.check(x)
	alpha, beta, ab := p.coefs(t)
	d := t.Sub(x, p.X0.Node(t))
	r := t.Sqrt(t.SumEachRow(t.Square(d)))
	hh := t.Reciprocal(t.Add(r, alpha))
	z := t.Add(x, t.Mul(d, t.Mul(hh, beta)))
	return z, p.logDet(t, hh, beta, ab)
}

// Inverse maps z to x (see Radial).
func (p *Radial) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	p.check(z)
	alpha, beta, ab := p.coefs(t)
	x0 := p.X0.Node(t)
	dz := t.Sub(z, x0)
	rho := t.Sqrt(t.SumEachRow(t.Square(dz)))
	av, bv := alpha.Val[0], beta.Val[0]
	root, slope := t.Input(z.R, 1), t.Input(z.R, 1)
	for i := 0; i < z.R; i++ {
		r := radialRoot(rho.Val[i], av, bv)
		root.Val[i] = r
		slope.Val[i] = 1 / (1 + av*bv/((av+r)*(av+r)))
	}
	// r = r* − F(r*)/F′(r*), F(r) = r + β·r/(α + r) − ρ
	hs := t.Reciprocal(t.Add(root, alpha))
	f := t.Sub(t.Add(root, t.Mul(t.Mul(root, hs), beta)), rho)
	r := t.Sub(root, t.Mul(f, slope))
	hh := t.Reciprocal(t.Add(r, alpha))
	x := t.Add(t.Mul(dz, t.Reciprocal(t.AddScalar(t.Mul(hh, beta), 1))), x0)
	return x, t.Neg(p.logDet(t, hh, beta, ab))
}

// radialRoot returns the r ≥ 0 with r + β·r/(α + r) = ρ, that is the
// non-negative root of r² + (α + β − ρ)·r − αρ = 0 (the other is ≤ 0 since
// their product is −αρ), computed without cancellation.
func radialRoot(rho, alpha, beta float64) float64 {
	c := alpha + beta - rho
	sq := math.Sqrt(c*c + 4*alpha*rho)
	if c <= 0 {
		return (sq - c) / 2
	}
	if den := c + sq; den > 0 {
		return 2 * alpha * rho / den
	}
	return 0
}

// Params are x0, a and b.
func (p *Radial) Params() []*nn.Param { return []*nn.Param{p.X0, p.A, p.B} }

func (p *Radial) check(x *ad.Node) {
	if x.C != p.D {
		panic(fmt.Sprintf("flow: Radial on %d columns given %d", p.D, x.C))
	}
}
