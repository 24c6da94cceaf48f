package ad

import (
	"fmt"
	"math"
)

// Ops added for the flow zoo (core/flow): element-wise Sqrt and Reciprocal,
// a triangular solve for LU-parameterised linear flows, and the fused
// rational-quadratic spline of neural spline flows. Their op codes start at
// 128 so they never collide with the core list in ops.go.
const (
	opSqrt opKind = 128 + iota
	opReciprocal
	opSolveTri
	opRQSpline
)

// Sqrt records √a element-wise. At a = 0 its gradient is taken as 0 rather
// than +∞, so a norm √(Σx²) at x = 0 gives a finite (zero) gradient.
func (t *Tape) Sqrt(a *Node) *Node {
	out := t.node(opSqrt, a.R, a.C, a.needGrad)
	out.a = a
	for i, v := range a.Val {
		out.Val[i] = math.Sqrt(v)
	}
	return out
}

// Reciprocal records 1/a element-wise.
func (t *Tape) Reciprocal(a *Node) *Node {
	out := t.node(opReciprocal, a.R, a.C, a.needGrad)
	out.a = a
	for i, v := range a.Val {
		out.Val[i] = 1 / v
	}
	return out
}

// SolveTri records the R×D matrix X with X·A = Y, for an R×D y and a D×D
// triangular a (lower if lower is set, else upper): X = Y·A⁻¹ by substitution,
// row by row. Only the triangle of a, diagonal included, is read, and only it
// receives a gradient. A zero on the diagonal gives infinities, as division
// by zero does.
func (t *Tape) SolveTri(y, a *Node, lower bool) *Node {
	if a.R != a.C || y.C != a.R {
		panic(fmt.Sprintf("ad: SolveTri of %d×%d by %d×%d", y.R, y.C, a.R, a.C))
	}
	d := a.C
	out := t.node(opSolveTri, y.R, d, y.needGrad || a.needGrad)
	out.a, out.b, out.tA = y, a, lower
	if out.needGrad {
		// one row of scratch for the backward pass, recycled with the tape
		out.c = t.node(opLeaf, 1, d, false)
	}
	for r := 0; r < y.R; r++ {
		solveRow(out.Val[r*d:(r+1)*d], y.Val[r*d:(r+1)*d], a.Val, d, lower, false)
	}
	return out
}

// solveRow solves x·A = y (or x·Aᵀ = y when trans is set) for one row x,
// with A triangular as in SolveTri. x and y may not overlap.
func solveRow(x, y, a []float64, d int, lower, trans bool) {
	// x·A = y reads column j of A: y_j = Σ_i x_i A_ij. For an upper A only
	// i ≤ j count, so x is found left to right; for a lower A right to left.
	// x·Aᵀ = y reads row j instead, and the order flips.
	at := func(i, j int) float64 {
		if trans {
			return a[j*d+i]
		}
		return a[i*d+j]
	}
	if lower != trans { // effective lower: right to left
		for j := d - 1; j >= 0; j-- {
			s := y[j]
			for i := j + 1; i < d; i++ {
				s -= x[i] * at(i, j)
			}
			x[j] = s / at(j, j)
		}
		return
	}
	for j := 0; j < d; j++ {
		s := y[j]
		for i := 0; i < j; i++ {
			s -= x[i] * at(i, j)
		}
		x[j] = s / at(j, j)
	}
}

// backSolveTri: with X = Y·A⁻¹ and G = ∂L/∂X, the row Z = G·A⁻ᵀ is ∂L/∂Y,
// and ∂L/∂A = −Xᵀ·Z restricted to A's triangle (dX = dY·A⁻¹ − X·dA·A⁻¹).
func backSolveTri(n *Node) {
	y, a, lower, d := n.a, n.b, n.tA, n.C
	z := n.c.Val
	for r := 0; r < n.R; r++ {
		g := n.Grad[r*d : (r+1)*d]
		solveRow(z, g, a.Val, d, lower, true)
		if y.needGrad {
			yg := y.Grad[r*d : (r+1)*d]
			for j, v := range z {
				yg[j] += v
			}
		}
		if a.needGrad {
			x := n.Val[r*d : (r+1)*d]
			for i, xi := range x {
				lo, hi := i, d // upper: j ≥ i
				if lower {
					lo, hi = 0, i+1
				}
				ag := a.Grad[i*d : (i+1)*d]
				for j := lo; j < hi; j++ {
					ag[j] -= xi * z[j]
				}
			}
		}
	}
}

// Constraints of RQSpline's bins, those of nflows and of Durkan et al. (2019),
// github.com/bayesiains/nflows (DEFAULT_MIN_BIN_WIDTH, _HEIGHT, _DERIVATIVE):
// no bin narrower or lower than SplineMinBin of the interval's width, no knot
// derivative below SplineMinDerivative, so the map stays well conditioned.
const (
	SplineMinBin        = 1e-3
	SplineMinDerivative = 1e-3
	// SplineMaxBins bounds the bins per spline, so the per-entry scratch of
	// RQSpline lives on the stack.
	SplineMaxBins = 64
)

// splineDerivShift makes a raw derivative parameter of 0 give a knot
// derivative of exactly 1: SplineMinDerivative + softplus(0 + shift) = 1. With
// raw widths and heights of 0 (equal bins) the spline is then the identity, so
// a conditioner whose output layer starts at zero starts as the identity.
var splineDerivShift = math.Log(math.Expm1(1 - SplineMinDerivative))

// RQSpline records the monotone rational-quadratic spline of Durkan et al.
// (2019) applied to each entry of x (or its inverse, with inverse set), and
// returns an R×2C node: columns 0…C−1 hold the outputs, columns C…2C−1 the
// log-derivative of each entry's map (log dy/dx forward, log dx/dy inverse);
// slice them apart with SliceCols.
//
// The spline has bins bins on [−bound, bound] and is the identity outside it.
// raw is R×(C·(3·bins−1)): for entry j of a row, the block starting at column
// j·(3·bins−1) holds bins unnormalised widths, bins unnormalised heights and
// bins−1 interior knot derivatives. Widths and heights are a softmax floored at
// SplineMinBin; derivatives are SplineMinDerivative + softplus(raw + shift)
// with shift such that raw 0 gives 1; the derivatives at ±bound are 1, so the
// spline joins the identity tails with a continuous slope. All raw 0 is the
// identity map.
//
// The inverse solves each bin's quadratic with the cancellation-free root
// 2c/(−b − √(b²−4ac)), the discriminant clamped at 0 against rounding.
// Gradients of both directions come from forward-mode dual numbers over the
// seven local quantities of an entry (its input, the bin's left knot, width,
// bottom knot, height and two knot derivatives), then through the softmax and
// softplus to raw: one formula per direction, its derivatives exact.
func (t *Tape) RQSpline(x, raw *Node, bins int, bound float64, inverse bool) *Node {
	if bins < 1 || bins > SplineMaxBins || !(bound > 0) {
		panic(fmt.Sprintf("ad: RQSpline with %d bins on ±%v", bins, bound))
	}
	np := 3*bins - 1
	if raw.R != x.R || raw.C != x.C*np {
		panic(fmt.Sprintf("ad: RQSpline of %d×%d with parameters %d×%d, want %d×%d", x.R, x.C, raw.R, raw.C, x.R, x.C*np))
	}
	out := t.node(opRQSpline, x.R, 2*x.C, x.needGrad || raw.needGrad)
	out.a, out.b, out.i0, out.k, out.tA = x, raw, bins, bound, inverse
	c := x.C
	// When a gradient is wanted, each entry's softmaxes, bin and partials go
	// to a scratch node (recycled with the tape), so the backward pass is a
	// few multiply-adds instead of a second evaluation.
	var save []float64
	stride := splineStride(bins)
	if out.needGrad {
		out.c = t.node(opLeaf, x.R, c*stride, false)
		save = out.c.Val
	}
	var k spline
	for r := 0; r < x.R; r++ {
		for j := 0; j < c; j++ {
			v := x.Val[r*c+j]
			y, ld := v, 0.0
			inside := v >= -bound && v <= bound
			if inside {
				k.knots(raw.Val[r*raw.C+j*np:][:np], bins, bound)
			}
			switch {
			case inside && save != nil:
				o, l := k.evalDual(v, inverse)
				y, ld = o.v, l.v
				e := save[(r*c+j)*stride:][:stride]
				copy(e, k.sw[:bins])
				copy(e[bins:], k.sh[:bins])
				e[2*bins] = float64(k.bin)
				copy(e[2*bins+1:], o.d[:])
				copy(e[2*bins+1+nLocal:], l.d[:])
			case inside:
				y, ld = k.eval(v, inverse)
			}
			out.Val[r*2*c+j] = y
			out.Val[r*2*c+c+j] = ld
		}
	}
	return out
}

// splineStride is the scratch an entry of RQSpline keeps for backward: two
// softmaxes, the bin, and the partials of output and log-derivative.
func splineStride(bins int) int { return 2*bins + 1 + 2*nLocal }

// backRQSpline applies the chain rule from the partials RQSpline saved, then
// through the softmaxes and softpluses to raw.
func backRQSpline(n *Node) {
	x, raw, bins, bound := n.a, n.b, n.i0, n.k
	c, np, stride := x.C, 3*bins-1, splineStride(bins)
	var gw, gh [SplineMaxBins]float64
	for r := 0; r < x.R; r++ {
		for j := 0; j < c; j++ {
			v := x.Val[r*c+j]
			gy, gl := n.Grad[r*2*c+j], n.Grad[r*2*c+c+j]
			if v < -bound || v > bound {
				if x.needGrad { // identity tail: dy/dx = 1, log-derivative 0
					x.Grad[r*c+j] += gy
				}
				continue
			}
			e := n.c.Val[(r*c+j)*stride:][:stride]
			sw, sh, b := e[:bins], e[bins:2*bins], int(e[2*bins])
			od, ldd := e[2*bins+1:][:nLocal], e[2*bins+1+nLocal:][:nLocal]
			var g [nLocal]float64
			for i := range g {
				g[i] = gy*od[i] + gl*ldd[i]
			}
			if x.needGrad {
				x.Grad[r*c+j] += g[locIn]
			}
			if !raw.needGrad {
				continue
			}
			p := raw.Val[r*raw.C+j*np:][:np]
			pg := raw.Grad[r*raw.C+j*np:][:np]
			// Knot q sits at −B + 2B·Σ_{i<q} w_i and bin b is 2B·w_b wide, so
			// a normalised width w_i moves the bin's left knot when i < b and
			// its width when i = b (likewise for heights).
			for i := 0; i < b; i++ {
				gw[i], gh[i] = 2*bound*g[locXK], 2*bound*g[locYK]
			}
			gw[b], gh[b] = 2*bound*g[locW], 2*bound*g[locH]
			for i := b + 1; i < bins; i++ {
				gw[i], gh[i] = 0, 0
			}
			softmaxBack(pg[:bins], sw, gw[:bins])
			softmaxBack(pg[bins:2*bins], sh, gh[:bins])
			// Interior derivative q (1 ≤ q < bins) is raw p[2·bins+q−1].
			if b > 0 {
				pg[2*bins+b-1] += g[locDK] * sigmoid(p[2*bins+b-1]+splineDerivShift)
			}
			if b+1 < bins {
				pg[2*bins+b] += g[locDK1] * sigmoid(p[2*bins+b]+splineDerivShift)
			}
		}
	}
}

// softmaxBack adds into gu the gradient through w = m + (1 − K·m)·softmax(u),
// m = SplineMinBin, given the softmax s and the gradient gw on w.
func softmaxBack(gu, s, gw []float64) {
	scale := 1 - float64(len(s))*SplineMinBin
	dot := 0.0
	for i, v := range s {
		dot += v * gw[i]
	}
	for i, v := range s {
		gu[i] += scale * v * (gw[i] - dot)
	}
}

// spline holds one entry's knots: the softmaxes of its widths and heights,
// the knot positions, its raw parameters, and the bin of the last eval.
type spline struct {
	sw, sh    [SplineMaxBins]float64
	xs, ys    [SplineMaxBins + 1]float64
	p         []float64
	bins, bin int
}

// knots fills the knots from one entry's raw parameters p on [−bound, bound].
func (k *spline) knots(p []float64, bins int, bound float64) {
	k.bins, k.p = bins, p
	cumulate(k.xs[:bins+1], k.sw[:bins], p[:bins], bound)
	cumulate(k.ys[:bins+1], k.sh[:bins], p[bins:2*bins], bound)
}

// deriv is the derivative at knot q: 1 at the ends, else from raw.
func (k *spline) deriv(q int) float64 {
	if q == 0 || q == k.bins {
		return 1
	}
	return SplineMinDerivative + Softplus(k.p[2*k.bins+q-1]+splineDerivShift)
}

// cumulate sets s to the softmax of u and knots to the edges of bins of
// widths 2B·(m + (1 − K·m)·s) from −B; the last edge is B exactly, so the
// spline meets the tails without a rounding gap.
func cumulate(knots, s, u []float64, bound float64) {
	mx := math.Inf(-1)
	for _, v := range u {
		mx = max(mx, v)
	}
	sum := 0.0
	for i, v := range u {
		s[i] = math.Exp(v - mx)
		sum += s[i]
	}
	scale := 1 - float64(len(u))*SplineMinBin
	knots[0] = -bound
	inv := 1 / sum
	for i := range s {
		s[i] *= inv
		knots[i+1] = knots[i] + 2*bound*(SplineMinBin+scale*s[i])
	}
	knots[len(u)] = bound
}

// find returns the bin b with edges[b] ≤ v < edges[b+1], or the last bin for
// v at the right end.
func find(edges []float64, v float64) int {
	lo, hi := 0, len(edges)-2
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if edges[mid] <= v {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// locate finds v's bin (in x for the forward map, in y for the inverse).
func (k *spline) locate(v float64, inverse bool) int {
	edges := k.xs[:k.bins+1]
	if inverse {
		edges = k.ys[:k.bins+1]
	}
	k.bin = find(edges, v)
	return k.bin
}

// eval maps v in [−B, B] through the spline (or its inverse) and returns the
// output and the log-derivative. It is evalDual without the partials, for
// passes that record no gradient, its operations grouped alike so that a test
// can hold the two to bit-identical values.
func (k *spline) eval(v float64, inverse bool) (out, ld float64) {
	b := k.locate(v, inverse)
	xk, w := k.xs[b], k.xs[b+1]-k.xs[b]
	yk, h := k.ys[b], k.ys[b+1]-k.ys[b]
	dk, dk1 := k.deriv(b), k.deriv(b+1)
	s := h / w
	q := dk1 + dk - 2*s
	var xi float64
	if !inverse {
		xi = (v - xk) / w
	} else {
		dy := v - yk
		a := h*(s-dk) + dy*q
		bb := h*dk - dy*q
		c := -s * dy
		disc := max(bb*bb-4*a*c, 0)
		xi = min(max(2*c/(-bb-math.Sqrt(disc)), 0), 1)
	}
	om := 1 - xi
	tt := xi * om
	den := s + q*tt
	ld = 2*math.Log(s) + math.Log(dk1*(xi*xi)+2*s*tt+dk*(om*om)) - 2*math.Log(den)
	if inverse {
		return xk + xi*w, -ld
	}
	return yk + h*(s*(xi*xi)+dk*tt)/den, ld
}

// evalDual is eval with the partials of both results in the local inputs.
func (k *spline) evalDual(v float64, inverse bool) (out, ld dual) {
	b := k.locate(v, inverse)
	in := variable(v, locIn)
	xk := variable(k.xs[b], locXK)
	w := variable(k.xs[b+1]-k.xs[b], locW)
	yk := variable(k.ys[b], locYK)
	h := variable(k.ys[b+1]-k.ys[b], locH)
	dk := variable(k.deriv(b), locDK)
	dk1 := variable(k.deriv(b+1), locDK1)
	s := h.div(w)
	q := dk1.add(dk).sub(s.scale(2))
	var xi dual
	if !inverse {
		xi = in.sub(xk).div(w)
	} else {
		// Durkan et al. (2019), eq. 6–8: ξ solves a·ξ² + b·ξ + c = 0.
		dy := in.sub(yk)
		a := h.mul(s.sub(dk)).add(dy.mul(q))
		bb := h.mul(dk).sub(dy.mul(q))
		c := s.mul(dy).scale(-1)
		disc := bb.mul(bb).sub(a.mul(c).scale(4))
		if disc.v < 0 {
			disc = dual{} // rounding only: the exact discriminant is ≥ 0
		}
		xi = c.scale(2).div(bb.scale(-1).sub(disc.sqrt()))
		// rounding can leave ξ a hair outside the bin; keep the partials
		xi.v = min(max(xi.v, 0), 1)
	}
	om := xi.scale(-1).addK(1) // 1 − ξ
	tt := xi.mul(om)
	den := s.add(q.mul(tt))
	// log dy/dx = 2 log s + log(δ_{k+1}ξ² + 2sξ(1−ξ) + δ_k(1−ξ)²) − 2 log den
	numD := dk1.mul(xi.mul(xi)).add(s.mul(tt).scale(2)).add(dk.mul(om.mul(om)))
	ld = s.log().scale(2).add(numD.log()).sub(den.log().scale(2))
	if inverse {
		return xk.add(xi.mul(w)), ld.scale(-1)
	}
	// y = y_k + h·(sξ² + δ_k ξ(1−ξ)) / den
	num := h.mul(s.mul(xi.mul(xi)).add(dk.mul(tt)))
	return yk.add(num.div(den)), ld
}

// The local inputs of one spline entry, in the order of a dual's partials.
const (
	locIn = iota
	locXK
	locW
	locYK
	locH
	locDK
	locDK1
	nLocal
)

// dual is a value with its partials in the nLocal local inputs of a spline
// entry: forward-mode differentiation of a fixed small formula.
type dual struct {
	v float64
	d [nLocal]float64
}

func variable(v float64, i int) dual {
	x := dual{v: v}
	x.d[i] = 1
	return x
}

func (a dual) add(b dual) dual {
	a.v += b.v
	for i := range a.d {
		a.d[i] += b.d[i]
	}
	return a
}

func (a dual) sub(b dual) dual {
	a.v -= b.v
	for i := range a.d {
		a.d[i] -= b.d[i]
	}
	return a
}

func (a dual) mul(b dual) dual {
	r := dual{v: a.v * b.v}
	for i := range r.d {
		r.d[i] = a.d[i]*b.v + a.v*b.d[i]
	}
	return r
}

func (a dual) div(b dual) dual {
	r := dual{v: a.v / b.v}
	for i := range r.d {
		r.d[i] = (a.d[i] - r.v*b.d[i]) / b.v
	}
	return r
}

func (a dual) scale(k float64) dual {
	a.v *= k
	for i := range a.d {
		a.d[i] *= k
	}
	return a
}

func (a dual) addK(k float64) dual {
	a.v += k
	return a
}

func (a dual) log() dual {
	r := dual{v: math.Log(a.v)}
	for i := range r.d {
		r.d[i] = a.d[i] / a.v
	}
	return r
}

// sqrt takes the derivative at 0 as 0 (see Sqrt).
func (a dual) sqrt() dual {
	r := dual{v: math.Sqrt(a.v)}
	if r.v > 0 {
		for i := range r.d {
			r.d[i] = a.d[i] / (2 * r.v)
		}
	}
	return r
}

// backwardMore is backward for the ops of this file.
func (n *Node) backwardMore() {
	a, g := n.a, n.Grad
	switch n.op {
	case opSqrt:
		for i, v := range g {
			if y := n.Val[i]; y > 0 {
				a.Grad[i] += v / (2 * y)
			}
		}
	case opReciprocal:
		for i, v := range g {
			y := n.Val[i]
			a.Grad[i] -= v * y * y
		}
	case opSolveTri:
		backSolveTri(n)
	case opRQSpline:
		backRQSpline(n)
	default:
		panic("ad: backward of an unknown op")
	}
}
