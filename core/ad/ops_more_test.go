package ad

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

func TestSolveTriSolves(t *testing.T) {
	t.Parallel()
	// Substitution on a 5×5 triangle with diagonal ≥ 0.5 loses a few ulps per
	// step; 1e-12 is far above that and far below any wrong answer.
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(3, 3))
	const r, d = 4, 5
	for ti, lower := range []bool{false, true} {
		a := make([]float64, d*d)
		for i := range d {
			for j := range d {
				if (lower && j <= i) || (!lower && j >= i) {
					a[i*d+j] = rng.NormFloat64()
				} else {
					a[i*d+j] = 1e9 * rng.NormFloat64() // garbage: must not be read
				}
			}
			a[i*d+i] = 0.5 + rng.Float64()
		}
		y := make([]float64, r*d)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		tape := NewTape()
		x := tape.SolveTri(tape.Const(r, d, y), tape.Const(d, d, a), lower)
		for row := range r {
			for j := range d {
				s := 0.0 // (x·A)_j over the triangle only
				for i := range d {
					if (lower && j <= i) || (!lower && j >= i) {
						s += x.At(row, i) * a[i*d+j]
					}
				}
				if math.Abs(s-y[row*d+j]) > tol {
					t.Errorf("test %d: (x·A)[%d][%d] got %v want %v", ti, row, j, s, y[row*d+j])
				}
			}
		}
	}
}

// splineRaw returns n entries' raw spline parameters of scale s.
func splineRaw(rng *rand.Rand, n, bins int, s float64) []float64 {
	p := make([]float64, n*(3*bins-1))
	for i := range p {
		p[i] = s * rng.NormFloat64()
	}
	return p
}

// runSpline applies RQSpline to a column of inputs sharing one raw block.
func runSpline(in, p []float64, bins int, bound float64, inverse bool) (out, ld []float64) {
	n := len(in)
	raw := make([]float64, 0, n*len(p))
	for range n {
		raw = append(raw, p...)
	}
	tape := NewTape()
	y := tape.RQSpline(tape.Const(n, 1, in), tape.Const(n, len(p), raw), bins, bound, inverse)
	out, ld = make([]float64, n), make([]float64, n)
	for i := range n {
		out[i], ld[i] = y.At(i, 0), y.At(i, 1)
	}
	return out, ld
}

func TestRQSplineIdentityAtZero(t *testing.T) {
	t.Parallel()
	// raw 0 gives equal bins and unit derivatives: y = x up to the rounding
	// of the knot sums (a few ulps of B).
	const tol = 1e-14
	const bins, bound = 8, 3.0
	in := []float64{-5, -3, -2.99, -1, 0, 0.3, 1.5, 2.999999, 3, 7}
	y, ld := runSpline(in, make([]float64, 3*bins-1), bins, bound, false)
	for i, x := range in {
		if math.Abs(y[i]-x) > tol || math.Abs(ld[i]) > tol {
			t.Errorf("test %d: x %v: got y %v log-derivative %v want %v and 0", i, x, y[i], ld[i], x)
		}
	}
}

// splineProbes returns inputs where inverses go wrong: every knot, points a
// hair either side of each, the interval ends and their neighbours, the far
// tails, and random points.
func splineProbes(rng *rand.Rand, edges []float64, bound float64) []float64 {
	var v []float64
	for _, e := range edges {
		v = append(v, e, math.Nextafter(e, math.Inf(-1)), math.Nextafter(e, math.Inf(1)), e-1e-9, e+1e-9)
	}
	v = append(v, -bound, bound, bound*(1-1e-12), bound*(1+1e-12), -bound*(1-1e-12), -bound*(1+1e-12),
		1e6, -1e6, 1e300, -1e300, 0)
	for range 200 {
		v = append(v, bound*(2*rng.Float64()-1))
	}
	return v
}

// TestRQSplineRoundTrip inverts forward outputs (and forwards inverse
// outputs) at the probes, for parameters from gentle to extreme (raw ×20
// drives widths, heights and derivatives to their floors and beyond).
func TestRQSplineRoundTrip(t *testing.T) {
	t.Parallel()
	// A bin as narrow as SplineMinBin·2B with derivatives near 1e-3 has
	// slopes up to ~1e6, so a ulp of y becomes ~1e-10 of x; the quadratic's
	// root loses a few more ulps. 1e-8 absolute bounds that with margin.
	const tol = 1e-8
	const bins, bound = 8, 4.0
	rng := rand.New(rand.NewPCG(5, 5))
	for ti, scale := range []float64{0.5, 2, 5, 20} {
		for rep := range 5 {
			p := splineRaw(rng, 1, bins, scale)
			var k spline
			k.knots(p, bins, bound)
			for dir, inverse := range []bool{false, true} {
				edges := k.xs[:bins+1]
				if inverse {
					edges = k.ys[:bins+1]
				}
				in := splineProbes(rng, edges, bound)
				y, ld := runSpline(in, p, bins, bound, inverse)
				back, ldb := runSpline(y, p, bins, bound, !inverse)
				for i, x := range in {
					if !finite([]float64{y[i], ld[i], back[i], ldb[i]}) {
						t.Fatalf("test %d.%d.%d: x %v: non-finite y %v ld %v back %v", ti, rep, dir, x, y[i], ld[i], back[i])
					}
					if math.Abs(back[i]-x) > tol*max(1, math.Abs(x)) {
						t.Errorf("test %d.%d.%d: x %v: round trip got %v want %v", ti, rep, dir, x, back[i], x)
					}
					// log-derivatives of a map and its inverse cancel. Where the
					// slope is e^−|ld| the inverse's rounding error in x grows by
					// e^|ld|, and near a knot with derivative 1e-3 the
					// log-derivative moves fast with x (raw ×20 makes such bins),
					// so the tolerance grows with the conditioning.
					if math.Abs(ld[i]+ldb[i]) > 1e-6*math.Exp(math.Abs(ld[i])) {
						t.Errorf("test %d.%d.%d: x %v: log-derivatives %v and %v do not cancel", ti, rep, dir, x, ld[i], ldb[i])
					}
				}
			}
		}
	}
}

// TestRQSplineMonotoneAndDerivative checks that the spline is increasing and
// continuous across knots and that exp(log-derivative) is its slope.
func TestRQSplineMonotoneAndDerivative(t *testing.T) {
	t.Parallel()
	const bins, bound = 6, 3.0
	rng := rand.New(rand.NewPCG(9, 9))
	p := splineRaw(rng, 1, bins, 1.5)
	var k spline
	k.knots(p, bins, bound)
	in := splineProbes(rng, k.xs[:bins+1], bound)
	in = in[:len(in)-200+50]
	sort.Float64s(in)
	y, _ := runSpline(in, p, bins, bound, false)
	for i := 1; i < len(in); i++ {
		if y[i] < y[i-1] {
			t.Errorf("test %d: not monotone: y(%v) = %v < y(%v) = %v", i, in[i], y[i], in[i-1], y[i-1])
		}
		// continuity: inputs 1e-9 apart give outputs at most slope·1e-9 apart;
		// slopes here stay below 50
		if d := in[i] - in[i-1]; d < 1e-8 && math.Abs(y[i]-y[i-1]) > 50*d+1e-15 {
			t.Errorf("test %d: jump at %v: %v to %v", i, in[i], y[i-1], y[i])
		}
	}
	// central differences with h = 1e-6 have error ~h²·y''' ≈ 1e-10 here
	const h, tol = 1e-6, 1e-6
	for i := range 50 {
		x := -bound + 1e-3 + (2*bound-2e-3)*float64(i)/49
		// skip points within h of a knot, where the second derivative jumps
		near := false
		for _, e := range k.xs[:bins+1] {
			near = near || math.Abs(x-e) < 2*h
		}
		if near {
			continue
		}
		yy, l := runSpline([]float64{x - h, x + h, x}, p, bins, bound, false)
		want := (yy[1] - yy[0]) / (2 * h)
		if got := math.Exp(l[2]); math.Abs(got-want) > tol*max(1, want) {
			t.Errorf("test %d: x %v: slope got %v want %v", i, x, got, want)
		}
	}
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

var benchSpline float64

// BenchmarkRQSpline is the fused spline's cost per entry, forward and
// backward, for 256 rows of one entry with 8 bins: what one NSF layer on 2D
// data adds to the conditioner MLP.
func BenchmarkRQSpline(b *testing.B) {
	const n, bins = 256, 8
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = 2 * rng.NormFloat64()
	}
	raw := splineRaw(rng, n, bins, 1)
	gx, graw := make([]float64, n), make([]float64, len(raw))
	tape := NewTape()
	b.ResetTimer()
	for range b.N {
		tape.Reset()
		y := tape.RQSpline(tape.Param(n, 1, x, gx), tape.Param(n, 3*bins-1, raw, graw), bins, 3, false)
		tape.Backward(tape.Sum(y))
		benchSpline = y.Val[0]
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// TestRQSplinePlainMatchesDual: passes without gradients use a plain copy of
// the dual-number formula; both must give the very same numbers.
func TestRQSplinePlainMatchesDual(t *testing.T) {
	t.Parallel()
	const bins, bound = 8, 3.0
	rng := rand.New(rand.NewPCG(4, 4))
	for ti := range 20 {
		var k spline
		k.knots(splineRaw(rng, 1, bins, 2), bins, bound)
		for _, inverse := range []bool{false, true} {
			for _, v := range splineProbes(rng, k.xs[:bins+1], bound) {
				if v < -bound || v > bound {
					continue
				}
				o, l := k.eval(v, inverse)
				od, ld := k.evalDual(v, inverse)
				if o != od.v || l != ld.v {
					t.Errorf("test %d: inverse=%v v %v: plain (%v, %v) dual (%v, %v)", ti, inverse, v, o, l, od.v, ld.v)
				}
			}
		}
	}
}
