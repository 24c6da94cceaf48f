package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// Energy is a density on the plane given by an energy U, p(x) = exp(−U(x))/Z,
// for training a flow by reverse KL (which needs only U and its gradient) and
// for checking importance-sampling estimates of log Z against the truth.
//
// Every energy also samples exactly and knows its normalised density, so it
// is an Exact target too: a flow can learn it by maximum likelihood as well.
type Energy struct {
	box
	name, doc string
	// logUnnorm returns −U(x, y) and its gradient.
	logUnnorm func(x, y float64) (v, gx, gy float64)
	// draw returns one exact sample.
	draw func(rng *rand.Rand) (x, y float64)
	// closed gives log Z and the moments in closed form; when it is nil they
	// come from Quadrature over quadBox, and logZ (if not nil) is the closed
	// form of log Z alone.
	closed func() Moments2D
	logZ   func() float64
	// quadBox holds all but a negligible part of the mass (< e⁻⁴⁰ of it);
	// quadH is the panel width of the quadrature, no wider than the
	// narrowest standard deviation of U's factors. Panel edges fall on
	// multiples of quadH from the box's corner, so kinks of U at such points
	// (the walls of U2–U4, U1's cone at the origin) sit on panel edges.
	quadBox box
	quadH   float64

	once    sync.Once
	z       float64    // log Z
	mean    [2]float64 // E[x]
	cov     [4]float64 // Cov[x], row-major
	zApprox bool       // z came from quadrature
}

// EnergyNames lists the energies Lookup knows under the "energy:" prefix, in
// order: Rezende & Mohamed's four test energies and the physics ones.
var EnergyNames = []string{"u1", "u2", "u3", "u4", "ring", "banana"}

// LookupEnergy returns the energy named name, with or without the "energy:"
// prefix ("u1" or "energy:u1").
func LookupEnergy(name string) (*Energy, error) {
	short := strings.TrimPrefix(name, "energy:")
	if e, ok := energies[short]; ok {
		return e, nil
	}
	return nil, fmt.Errorf("data: unknown energy %q (valid: %s)", name, strings.Join(EnergyNames, ", "))
}

func init() {
	Register("energy:NAME", func(arg string) (Target, error) { return LookupEnergy(arg) })
}

// Name returns "energy:" and the energy's short name, e.g. "energy:u1".
func (e *Energy) Name() string { return "energy:" + e.name }

// Doc is one line for a person: what the energy is.
func (e *Energy) Doc() string { return e.doc }

// LogUnnorm returns log p̃(x, y) = −U(x, y).
func (e *Energy) LogUnnorm(x, y float64) float64 {
	v, _, _ := e.logUnnorm(x, y)
	return v
}

// LogUnnormGrad returns −U(x, y) and its gradient, from the closed form.
func (e *Energy) LogUnnormGrad(x, y float64) (v, gx, gy float64) { return e.logUnnorm(x, y) }

// LogProb returns log p(x, y) = −U(x, y) − log Z, exact up to LogZ's error.
func (e *Energy) LogProb(x, y float64) float64 { return e.LogUnnorm(x, y) - e.LogZ() }

// LogZ returns log ∫ exp(−U). It is a closed form for every energy but u1,
// whose value comes from Quadrature on panels of U1's ring width with
// quadNodes nodes each (absolute error below 1e-13: see the tests, which
// also check every closed form by quadrature). The value is computed once.
func (e *Energy) LogZ() float64 {
	e.init()
	return e.z
}

// LogZByQuadrature reports whether LogZ is a quadrature value rather than a
// closed form.
func (e *Energy) LogZByQuadrature() bool {
	e.init()
	return e.zApprox
}

// Moments returns the mean and the covariance (row-major 2×2) of the
// normalised density, in closed form or by quadrature: what a
// moment-matched Gaussian proposal needs.
func (e *Energy) Moments() (mean [2]float64, cov [4]float64) {
	e.init()
	return e.mean, e.cov
}

// Sample fills dst with len(dst)/2 exact independent draws.
func (e *Energy) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		dst[i], dst[i+1] = e.draw(rng)
	}
}

// quadNodes is the number of Gauss–Legendre nodes per panel. With panels no
// wider than the narrowest factor's standard deviation, 8 nodes give log Z
// within 2e-14 of a quadrature with twice the panels and 16 nodes each
// (measured for every energy; the tests check 1e-13).
const quadNodes = 8

func (e *Energy) init() {
	e.once.Do(func() {
		if e.closed != nil {
			m := e.closed()
			e.z, e.mean, e.cov = m.LogZ, m.Mean, m.Cov
			return
		}
		m := e.quadrature(quadNodes, 1)
		e.mean, e.cov = m.Mean, m.Cov
		e.z, e.zApprox = m.LogZ, true
		if e.logZ != nil {
			e.z, e.zApprox = e.logZ(), false
		}
	})
}

// quadrature integrates the energy over its box with n nodes on panels
// quadH/split wide.
func (e *Energy) quadrature(n, split int) Moments2D {
	return Quadrature(func(x, y float64) float64 { return e.LogUnnorm(x, y) },
		e.quadBox.x0, e.quadBox.x1, e.quadBox.y0, e.quadBox.y1, e.quadH/float64(split), n)
}

// Moments2D are the zeroth to second moments of an unnormalised density on
// the plane: log of its integral, its mean and covariance.
type Moments2D struct {
	LogZ float64
	Mean [2]float64
	Cov  [4]float64 // row-major
}

// Quadrature integrates exp(logf) over [x0, x1]×[y0, y1] by a tensor product
// of composite n-point Gauss–Legendre rules on panels of width h (the last
// panel in each direction may be narrower), and returns the log of the
// integral with the normalised mean and covariance. The sums are taken
// relative to the largest value of logf at the nodes, so densities far
// below or above 1 lose no precision. It panics unless x0 < x1, y0 < y1,
// h > 0 and n ≥ 1.
func Quadrature(logf func(x, y float64) float64, x0, x1, y0, y1, h float64, n int) Moments2D {
	if !(x0 < x1 && y0 < y1 && h > 0 && n >= 1) {
		panic("data: Quadrature needs x0 < x1, y0 < y1, h > 0 and n ≥ 1")
	}
	xs, wx := glPanels(x0, x1, h, n)
	ys, wy := glPanels(y0, y1, h, n)
	lf := make([]float64, len(xs)*len(ys))
	top := math.Inf(-1)
	for j, y := range ys {
		for i, x := range xs {
			v := logf(x, y)
			lf[j*len(xs)+i] = v
			top = max(top, v)
		}
	}
	// Sums row by row, then over the rows: the rounding error grows with
	// the square root of the row length and of the row count rather than
	// of their product (about 1e-12 relative for a million nodes otherwise).
	var s0, sx, sy, sxx, sxy, syy float64
	for j, y := range ys {
		var r0, rx, rxx float64
		for i, x := range xs {
			w := wx[i] * math.Exp(lf[j*len(xs)+i]-top)
			r0 += w
			rx += w * x
			rxx += w * x * x
		}
		s0 += wy[j] * r0
		sx += wy[j] * rx
		sy += wy[j] * r0 * y
		sxx += wy[j] * rxx
		sxy += wy[j] * rx * y
		syy += wy[j] * r0 * y * y
	}
	mx, my := sx/s0, sy/s0
	cxy := sxy/s0 - mx*my
	return Moments2D{
		LogZ: top + math.Log(s0),
		Mean: [2]float64{mx, my},
		Cov:  [4]float64{sxx/s0 - mx*mx, cxy, cxy, syy/s0 - my*my},
	}
}

// glPanels returns the nodes and weights of the composite n-point
// Gauss–Legendre rule on [a, b] with panels of width h.
func glPanels(a, b, h float64, n int) (x, w []float64) {
	gx, gw := gaussLegendre(n)
	for lo := a; lo < b; lo += h {
		hi := min(lo+h, b)
		if hi-lo < 1e-12*h {
			break
		}
		for k := range gx {
			x = append(x, lo+(gx[k]+1)/2*(hi-lo))
			w = append(w, gw[k]*(hi-lo)/2)
		}
	}
	return x, w
}

// gaussLegendre returns the n-point Gauss–Legendre nodes and weights on
// [−1, 1], by Newton's method on the Legendre polynomial from the
// Tricomi-type initial guesses cos(π(k − 1/4)/(n + 1/2)) (Numerical Recipes
// §4.6, gauleg). Converged to machine precision in a few steps.
func gaussLegendre(n int) (x, w []float64) {
	x, w = make([]float64, n), make([]float64, n)
	for k := 0; k < (n+1)/2; k++ {
		z := math.Cos(math.Pi * (float64(k) + 0.75) / (float64(n) + 0.5))
		var dp float64
		for range 100 {
			p0, p1 := 1.0, 0.0
			for j := 1; j <= n; j++ {
				p0, p1 = ((2*float64(j)-1)*z*p0-(float64(j)-1)*p1)/float64(j), p0
			}
			// p0 = P_n(z), p1 = P_{n−1}(z)
			dp = float64(n) * (z*p0 - p1) / (z*z - 1)
			dz := p0 / dp
			z -= dz
			if math.Abs(dz) < 1e-16 {
				break
			}
		}
		x[k], x[n-1-k] = -z, z
		w[k] = 2 / ((1 - z*z) * dp * dp)
		w[n-1-k] = w[k]
	}
	return x, w
}

// Rezende & Mohamed (2015), "Variational Inference with Normalizing Flows",
// Table 1: four unnormalised 2D densities exp(−U) with
//
//	w1(z) = sin(2π z1/4), w2(z) = 3 exp(−½((z1 − 1)/0.6)²), w3(z) = 3 σ((z1 − 1)/0.3)
//	U1(z) = ½((‖z‖ − 2)/0.4)² − ln(e^{−½((z1−2)/0.6)²} + e^{−½((z1+2)/0.6)²})
//	U2(z) = ½((z2 − w1)/0.4)²
//	U3(z) = −ln(e^{−½((z2−w1)/0.35)²} + e^{−½((z2−w1+w2)/0.35)²})
//	U4(z) = −ln(e^{−½((z2−w1)/0.4)²} + e^{−½((z2−w1+w3)/0.35)²})
//
// U2–U4 do not depend on z1 far from the origin, so exp(−U) does not
// integrate over the plane; the paper shows them in the window [−4, 4]².
// Here they keep exactly that shape inside |z1| ≤ 4 and get a soft wall
// outside it, wall(z1) = ½((|z1| − 4)₊/wallWidth)², which makes them proper
// densities with closed-form normalisers: ∫exp(−wall) = 8 + 2·wallWidth·√(π/2),
// and each Gaussian factor in z2 integrates to σ√(2π).
const (
	wallEdge  = 4
	wallWidth = 0.2
)

// wall returns the wall's energy at z1 and its derivative.
func wall(z1 float64) (u, du float64) {
	a := math.Abs(z1) - wallEdge
	if a <= 0 {
		return 0, 0
	}
	u = 0.5 * (a / wallWidth) * (a / wallWidth)
	du = a / (wallWidth * wallWidth)
	if z1 < 0 {
		du = -du
	}
	return u, du
}

// logWallMass is log ∫exp(−wall(z1)) dz1.
func logWallMass() float64 { return math.Log(2*wallEdge + 2*wallWidth*math.Sqrt(math.Pi/2)) }

// drawWall samples z1 ∝ exp(−wall(z1)): uniform on [−4, 4] or a half-normal
// tail beyond ±4, by their masses.
func drawWall(rng *rand.Rand) float64 {
	tail := wallWidth * math.Sqrt(math.Pi/2) // mass of one tail
	u := rng.Float64() * (2*wallEdge + 2*tail)
	if u < 2*wallEdge {
		return u - wallEdge
	}
	z := wallEdge + wallWidth*math.Abs(rng.NormFloat64())
	if u < 2*wallEdge+tail {
		return z
	}
	return -z
}

// The sinusoid w1 and the bumps w2, w3 with their derivatives.
func w1(z1 float64) (v, d float64) {
	s, c := math.Sincos(math.Pi * z1 / 2)
	return s, math.Pi / 2 * c
}

func w2(z1 float64) (v, d float64) {
	a := (z1 - 1) / 0.6
	v = 3 * math.Exp(-0.5*a*a)
	return v, -v * a / 0.6
}

func w3(z1 float64) (v, d float64) {
	s := 1 / (1 + math.Exp(-(z1-1)/0.3))
	return 3 * s, 3 * s * (1 - s) / 0.3
}

// logSumExp2 returns log(e^a + e^b) and the weights e^a/(e^a+e^b), e^b/(…).
func logSumExp2(a, b float64) (v, wa, wb float64) {
	m := max(a, b)
	ea, eb := math.Exp(a-m), math.Exp(b-m)
	s := ea + eb
	return m + math.Log(s), ea / s, eb / s
}

// U1's parameters: ring radius and width, the two bumps' centres and width.
const (
	u1Radius = 2
	u1Width  = 0.4
	u1Bump   = 2
	u1BumpSd = 0.6
)

func u1LogUnnorm(x, y float64) (v, gx, gy float64) {
	r := math.Hypot(x, y)
	a := (r - u1Radius) / u1Width
	ba, bb := -0.5*sq((x-u1Bump)/u1BumpSd), -0.5*sq((x+u1Bump)/u1BumpSd)
	l, wa, wb := logSumExp2(ba, bb)
	v = -0.5*a*a + l
	// d/dx of the log-sum-exp: the softmax-weighted derivatives of ba, bb
	gx = -wa*(x-u1Bump)/(u1BumpSd*u1BumpSd) - wb*(x+u1Bump)/(u1BumpSd*u1BumpSd)
	if r > 0 {
		gx -= a / u1Width * x / r
		gy = -a / u1Width * y / r
	}
	return v, gx, gy
}

// u1Draw samples U1 exactly in two rejection stages. The radius has density
// ∝ r·exp(−½((r−2)/s)²) (s = 0.4); since log r ≤ log 2 + (r−2)/2 (the
// tangent of a concave function), it lies under 2·exp(−½((r−2)/s)² + (r−2)/2),
// a multiple of the normal N(2 + s²/2, s²): propose from it, accept with
// probability r/(2e^{(r−2)/2}). The angle is uniform. The bump factor
// g(z1) = e^{−½((z1−2)/0.6)²} + e^{−½((z1+2)/0.6)²} is at most
// M = 1 + e^{−½(2/0.6)²} (one term is ≤ 1, the other ≤ e^{−½(2/0.6)²}
// on either side of 0): accept the point with probability g(z1)/M.
func u1Draw(rng *rand.Rand) (x, y float64) {
	const s = u1Width
	bound := 1 + math.Exp(-0.5*sq(u1Bump/u1BumpSd))
	for {
		r := u1Radius + s*s/2 + s*rng.NormFloat64()
		if r <= 0 || rng.Float64()*2*math.Exp((r-u1Radius)/2) > r {
			continue
		}
		sn, cs := math.Sincos(2 * math.Pi * rng.Float64())
		x, y = r*cs, r*sn
		g := math.Exp(-0.5*sq((x-u1Bump)/u1BumpSd)) + math.Exp(-0.5*sq((x+u1Bump)/u1BumpSd))
		if rng.Float64()*bound <= g {
			return x, y
		}
	}
}

// sinusoid is the energy family of U2–U4 (with the wall): z2 given z1 is a
// mixture of one or two Gaussians of widths sd1, sd2 with means w1(z1) and
// w1(z1) − shift(z1), weighted by their widths, so that the marginal of z1 is
// exp(−wall(z1)) up to a constant.
type sinusoid struct {
	sd1, sd2 float64                         // sd2 = 0: one component
	shift    func(z1 float64) (v, d float64) // w2 or w3
}

func (s sinusoid) logUnnorm(x, y float64) (v, gx, gy float64) {
	m1, d1 := w1(x)
	wu, wd := wall(x)
	a := (y - m1) / s.sd1
	if s.sd2 == 0 {
		v = -0.5*a*a - wu
		gy = -a / s.sd1
		gx = a/s.sd1*d1 - wd
		return v, gx, gy
	}
	m2, d2 := s.shift(x)
	b := (y - m1 + m2) / s.sd2
	l, wa, wb := logSumExp2(-0.5*a*a, -0.5*b*b)
	v = l - wu
	gy = -wa*a/s.sd1 - wb*b/s.sd2
	gx = wa*a/s.sd1*d1 + wb*b/s.sd2*(d1-d2) - wd
	return v, gx, gy
}

func (s sinusoid) logZ() float64 {
	return logWallMass() + math.Log(math.Sqrt(2*math.Pi)*(s.sd1+s.sd2))
}

func (s sinusoid) draw(rng *rand.Rand) (x, y float64) {
	x = drawWall(rng)
	m, _ := w1(x)
	sd := s.sd1
	if s.sd2 > 0 && rng.Float64()*(s.sd1+s.sd2) >= s.sd1 {
		d, _ := s.shift(x)
		m, sd = m-d, s.sd2
	}
	return x, m + sd*rng.NormFloat64()
}

// ringBeta is the inverse temperature of the ring energy. With
// U = β(‖x‖² − 1)², u = ‖x‖² is normal with mean 1 and standard deviation
// 1/√(2β) = 0.1 (truncated at 0): a ring of radius 1 and radial standard
// deviation about 0.05 — thin enough that a Gaussian proposal wastes most of
// its samples.
const ringBeta = 50

// ring is the Boltzmann factor exp(−βV) of the Mexican-hat potential
// V(x) = (‖x‖² − 1)², the single-site potential of a two-component φ⁴ field
// (its minima form a circle: the picture of spontaneous symmetry breaking).
// In polar coordinates, with u = r², dA = π du over the angle, so
//
//	Z = π ∫₀^∞ e^{−β(u−1)²} du = (π/2)·√(π/β)·(1 + erf(√β)).
func ringLogUnnorm(x, y float64) (v, gx, gy float64) {
	d := x*x + y*y - 1
	return -ringBeta * d * d, -4 * ringBeta * d * x, -4 * ringBeta * d * y
}

// ringMoments: the ring is centred and isotropic, so its covariance is
// E[u]/2·I, and E[u] = 1 + s·φ(1/s)/Φ(1/s) for the normal N(1, s²)
// truncated at 0, s = 1/√(2β).
func ringMoments() Moments2D {
	s := 1 / math.Sqrt(2*ringBeta)
	phi := math.Exp(-0.5/(s*s)) / math.Sqrt(2*math.Pi)
	cdf := 0.5 * math.Erfc(-1/(s*math.Sqrt2))
	v := (1 + s*phi/cdf) / 2
	return Moments2D{
		LogZ: math.Log(math.Pi / 2 * math.Sqrt(math.Pi/ringBeta) * (1 + math.Erf(math.Sqrt(ringBeta)))),
		Cov:  [4]float64{v, 0, 0, v},
	}
}

// ringDraw: u = r² is N(1, 1/(2β)) truncated to u > 0 (rejection loses
// Φ(−√(2β)) ≈ 1e-23 of the draws), the angle uniform.
func ringDraw(rng *rand.Rand) (x, y float64) {
	sd := 1 / math.Sqrt(2*ringBeta)
	u := -1.0
	for u <= 0 {
		u = 1 + sd*rng.NormFloat64()
	}
	r := math.Sqrt(u)
	s, c := math.Sincos(2 * math.Pi * rng.Float64())
	return r * c, r * s
}

// The banana is the Boltzmann factor of Rosenbrock's valley (Rosenbrock
// 1960, the classic curved test function), V = (a − x)² + b(y − x²)² scaled
// to the plot: x is N(bananaX, bananaSx²) and y given x is
// N(x² − bananaDrop, bananaSy²). The map (x, y) ↦ (x, y − x²) has unit
// Jacobian, so Z = 2π·bananaSx·bananaSy exactly. A Gaussian fits it
// badly; one affine coupling layer can represent it exactly. The width
// bananaSy = 0.1 makes the moment-matched Gaussian waste most of its draws
// (ESS 7% of 10 000; 9.5% at 0.15) while a 6-layer RealNVP trained by
// reverse KL reaches 90–98% (issue 3's acceptance test). With
// x = bananaX + bananaSx·ε: E[y] = bananaX² + bananaSx² − bananaDrop,
// Var y = 4bananaX²bananaSx² + 2bananaSx⁴ + bananaSy², Cov(x, y) = 2bananaX·bananaSx².
const (
	bananaX    = 0
	bananaSx   = 1
	bananaSy   = 0.1
	bananaDrop = 2
)

func bananaLogUnnorm(x, y float64) (v, gx, gy float64) {
	a := (x - bananaX) / bananaSx
	b := (y - x*x + bananaDrop) / bananaSy
	v = -0.5*a*a - 0.5*b*b
	gx = -a/bananaSx + b/bananaSy*2*x
	gy = -b / bananaSy
	return v, gx, gy
}

func bananaMoments() Moments2D {
	const m, s float64 = bananaX, bananaSx
	c := 2 * m * s * s
	return Moments2D{
		LogZ: math.Log(2 * math.Pi * bananaSx * bananaSy),
		Mean: [2]float64{m, m*m + s*s - bananaDrop},
		Cov:  [4]float64{s * s, c, c, 4*m*m*s*s + 2*s*s*s*s + bananaSy*bananaSy},
	}
}

func bananaDraw(rng *rand.Rand) (x, y float64) {
	x = bananaX + bananaSx*rng.NormFloat64()
	return x, x*x - bananaDrop + bananaSy*rng.NormFloat64()
}

func sq(x float64) float64 { return x * x }

// energies by short name. The quadrature boxes leave more than 9 standard
// deviations of the narrowest factor beyond the mass (e⁻⁴⁰), but for the
// banana's, which only the tests use.
var energies = func() map[string]*Energy {
	u3 := sinusoid{sd1: 0.35, sd2: 0.35, shift: w2}
	u4 := sinusoid{sd1: 0.4, sd2: 0.35, shift: w3}
	u2 := sinusoid{sd1: 0.4}
	es := []*Energy{
		{name: "u1", doc: "Rezende & Mohamed's U1: a ring with two bumps", box: square(4),
			logUnnorm: u1LogUnnorm, draw: u1Draw, quadBox: square(6.4), quadH: 0.4},
		{name: "u2", doc: "Rezende & Mohamed's U2: a sine wave", box: square(4),
			logUnnorm: u2.logUnnorm, draw: u2.draw, logZ: u2.logZ, quadBox: box{-6, 6, -6, 6}, quadH: 0.25},
		{name: "u3", doc: "Rezende & Mohamed's U3: a sine wave splitting around a bump", box: square(4),
			logUnnorm: u3.logUnnorm, draw: u3.draw, logZ: u3.logZ, quadBox: box{-6, 6, -6.5, 4.5}, quadH: 0.25},
		{name: "u4", doc: "Rezende & Mohamed's U4: a sine wave and a step below it", box: box{-4, 4, -5.5, 2.5},
			logUnnorm: u4.logUnnorm, draw: u4.draw, logZ: u4.logZ, quadBox: box{-6, 6, -7.5, 5}, quadH: 0.25},
		{name: "ring", doc: "the Mexican-hat potential (‖x‖² − 1)² at inverse temperature 50", box: square(1.75),
			logUnnorm: ringLogUnnorm, draw: ringDraw, closed: ringMoments, quadBox: square(2), quadH: 0.05},
		{name: "banana", doc: "Rosenbrock's valley: a curved, thin banana", box: box{-3.5, 3.5, -2.75, 4.25},
			logUnnorm: bananaLogUnnorm, draw: bananaDraw, closed: bananaMoments,
			// x beyond ±6.5 holds 8e-11 of the mass: enough for the tests.
			quadBox: box{-6.5, 6.5, -3.5, 41}, quadH: 0.15},
	}
	m := make(map[string]*Energy, len(es))
	for _, e := range es {
		m[e.name] = e
	}
	return m
}()
