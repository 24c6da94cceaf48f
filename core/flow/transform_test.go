package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"likelab/core/ad"
	"likelab/core/nn"
)

// transformCase is one row of the shared Transform test: every Transform of
// the package joins by adding a line here.
type transformCase struct {
	name  string
	dim   int
	build func(rng *rand.Rand) Transform
	// scale of the test inputs; inputs also include far-out points.
	scale float64
}

var transformCases = []transformCase{
	{"AffineCoupling2D", 2, func(rng *rand.Rand) Transform {
		return NewAffineCoupling("c", 2, []int{0}, []int{1}, []int{8}, rng)
	}, 2},
	{"AffineCoupling5D", 5, func(rng *rand.Rand) Transform {
		cond, trans := AlternatingMasks(5, 1)
		return NewAffineCoupling("c", 5, cond, trans, []int{6, 6}, rng)
	}, 2},
	{"RealNVP", 2, func(rng *rand.Rand) Transform { return NewRealNVP(2, 4, 8, rng) }, 2},
	{"InvertedRealNVP", 3, func(rng *rand.Rand) Transform { return Invert{NewRealNVP(3, 3, 6, rng)} }, 1},
	{"RQSplineCoupling2D", 2, func(rng *rand.Rand) Transform {
		return NewRQSplineCoupling("s", 2, []int{0}, []int{1}, []int{8}, 8, 3, rng)
	}, 2},
	{"RQSplineCoupling5D", 5, func(rng *rand.Rand) Transform {
		cond, trans := AlternatingMasks(5, 0)
		return NewRQSplineCoupling("s", 5, cond, trans, []int{6, 6}, 5, 2.5, rng)
	}, 1.5},
	{"NSF", 2, func(rng *rand.Rand) Transform { return NewNSF(2, 3, 8, 6, 3, rng) }, 1.5},
	{"MAF2D", 2, func(rng *rand.Rand) Transform { return NewMAF("m", 2, []int{8, 8}, rng) }, 2},
	{"MAF4D", 4, func(rng *rand.Rand) Transform { return NewMAF("m", 4, []int{9}, rng) }, 1},
	{"MAFChain", 3, func(rng *rand.Rand) Transform { return NewMAFChain(3, 3, 6, rng) }, 1},
	{"IAFChain", 3, func(rng *rand.Rand) Transform { return NewIAFChain(3, 3, 6, rng) }, 1},
	{"Planar2D", 2, func(rng *rand.Rand) Transform { return NewPlanar("p", 2, rng) }, 2},
	{"PlanarChain3D", 3, func(rng *rand.Rand) Transform {
		return Chain{NewPlanar("p0", 3, rng), NewPlanar("p1", 3, rng), NewPlanar("p2", 3, rng)}
	}, 1},
	{"Radial2D", 2, func(rng *rand.Rand) Transform { return NewRadial("r", 2, rng) }, 2},
	{"RadialChain3D", 3, func(rng *rand.Rand) Transform {
		return Chain{NewRadial("r0", 3, rng), NewRadial("r1", 3, rng), NewRadial("r2", 3, rng)}
	}, 1},
	{"ActNorm", 3, func(rng *rand.Rand) Transform { return NewActNorm("a", 3) }, 2},
	{"Permute", 4, func(rng *rand.Rand) Transform { return NewPermute([]int{2, 0, 3, 1}) }, 1},
	{"Reverse", 3, func(rng *rand.Rand) Transform { return NewReverse(3) }, 1},
	{"LULinear", 3, func(rng *rand.Rand) Transform { return NewLULinear("l", 3, rng) }, 1},
	{"LULinearIdentityInit", 2, func(rng *rand.Rand) Transform { return NewLULinear("l", 2, nil) }, 2},
}

// perturb moves every parameter away from its (often identity) initial value,
// so the test sees a transform that does something.
func perturb(ps []*nn.Param, rng *rand.Rand, scale float64) {
	for _, p := range ps {
		for i := range p.Val {
			p.Val[i] += scale * rng.NormFloat64()
		}
	}
}

func testInputs(rng *rand.Rand, n, d int, scale float64) []float64 {
	x := make([]float64, n*d)
	for i := range x {
		x[i] = scale * rng.NormFloat64()
	}
	// far-out rows: tails must stay finite and invertible
	for j := 0; j < d; j++ {
		x[j] = 8 * scale
		x[d+j] = -8 * scale
	}
	return x
}

// TestTransforms is the one test every Transform passes: round trip, log-det
// against a numerical Jacobian, gradients against finite differences, and
// finite values everywhere.
func TestTransforms(t *testing.T) {
	t.Parallel()
	for ci, tc := range transformCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(ci)+11, 3))
			tr := tc.build(rng)
			perturb(tr.Params(), rng, 0.3)
			const n = 6
			x := testInputs(rng, n, tc.dim, tc.scale)
			checkRoundTrip(t, tr, x, n, tc.dim)
			checkLogDet(t, tr, x, n, tc.dim, false)
			checkLogDet(t, tr, x, n, tc.dim, true)
			checkGradients(t, tr, x, n, tc.dim, rng)
		})
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

func checkRoundTrip(t *testing.T, tr Transform, x []float64, n, d int) {
	// Float64 round trips through a few exp/log and affine maps lose a few ulps
	// per layer; 1e-9 relative leaves room for deep stacks.
	const tol = 1e-9
	tape := ad.NewTape()
	z, ldf := tr.Forward(tape, tape.Const(n, d, x))
	back, ldi := tr.Inverse(tape, z)
	if !finite(z.Val) || !finite(ldf.Val) || !finite(back.Val) || !finite(ldi.Val) {
		t.Fatalf("non-finite values: z %v logdet %v", z.Val, ldf.Val)
	}
	for i := range x {
		if math.Abs(back.Val[i]-x[i]) > tol*max(1, math.Abs(x[i])) {
			t.Errorf("round trip entry %d: got %v want %v", i, back.Val[i], x[i])
		}
	}
	for i := 0; i < n; i++ {
		if s := ldf.Val[i] + ldi.Val[i]; math.Abs(s) > tol*max(1, math.Abs(ldf.Val[i])) {
			t.Errorf("row %d: forward log-det %v and inverse log-det %v do not cancel", i, ldf.Val[i], ldi.Val[i])
		}
	}
}

// checkLogDet compares the returned log|det J| of each row with the log of
// the determinant of a central-difference Jacobian of that row's map.
func checkLogDet(t *testing.T, tr Transform, x []float64, n, d int, inverse bool) {
	// Central differences with step 1e-6 give Jacobian entries to ~1e-9; the
	// log-det then agrees to ~1e-7 for well-conditioned maps.
	const tol = 1e-6
	apply := func(in []float64, rows int) ([]float64, []float64) {
		tape := ad.NewTape()
		tape.NoGrad = true
		var out, ld *ad.Node
		if inverse {
			out, ld = tr.Inverse(tape, tape.Const(rows, d, in))
		} else {
			out, ld = tr.Forward(tape, tape.Const(rows, d, in))
		}
		return out.Val, ld.Val
	}
	_, ld := apply(x, n)
	for i := 0; i < n; i++ {
		row := append([]float64(nil), x[i*d:(i+1)*d]...)
		jac := mat.NewDense(d, d, nil)
		fd.Jacobian(jac, func(y, xx []float64) {
			out, _ := apply(xx, 1)
			copy(y, out)
		}, row, &fd.JacobianSettings{Formula: fd.Central, Step: 1e-6})
		var lu mat.LU
		lu.Factorize(jac)
		want, _ := lu.LogDet()
		if math.Abs(ld[i]-want) > tol*max(1, math.Abs(want)) {
			t.Errorf("inverse=%v row %d: got log-det %v want %v (numerical)", inverse, i, ld[i], want)
		}
	}
}

// checkGradients compares the tape's gradients of a random functional of
// (z, log-det) with central differences, for inputs and a sample of parameters,
// in both directions.
func checkGradients(t *testing.T, tr Transform, x []float64, n, d int, rng *rand.Rand) {
	const tol = 1e-5 // as in core/ad's op test, looser for deep compositions
	wz := make([]float64, n*d)
	wl := make([]float64, n)
	for i := range wz {
		wz[i] = rng.NormFloat64()
	}
	for i := range wl {
		wl[i] = rng.NormFloat64()
	}
	for _, inverse := range []bool{false, true} {
		xg := make([]float64, len(x))
		tape := ad.NewTape()
		loss := func() *ad.Node {
			tape.Reset()
			in := tape.Param(n, d, x, xg)
			var out, ld *ad.Node
			if inverse {
				out, ld = tr.Inverse(tape, in)
			} else {
				out, ld = tr.Forward(tape, in)
			}
			return tape.Add(tape.Sum(tape.Mul(out, tape.Const(n, d, wz))), tape.Sum(tape.Mul(ld, tape.Const(n, 1, wl))))
		}
		ps := tr.Params()
		nn.ZeroGrad(ps)
		tape.Backward(loss())
		check := func(what string, v []float64, got float64, i int) {
			old := v[i]
			want := fd.Derivative(func(h float64) float64 {
				v[i] = old + h
				r := loss().Scalar()
				v[i] = old
				return r
			}, 0, &fd.Settings{Formula: fd.Central, Step: 1e-6})
			if math.Abs(got-want) > tol*max(1, math.Abs(want)) {
				t.Errorf("inverse=%v %s: got gradient %v want %v", inverse, what, got, want)
			}
		}
		for i := range x {
			check("input", x, xg[i], i)
		}
		// a sample of parameter entries keeps the test fast for wide nets
		for k := 0; k < 30 && len(ps) > 0; k++ { // (permutations have no parameters)
			p := ps[rng.IntN(len(ps))]
			i := rng.IntN(len(p.Val))
			check(p.Name, p.Val, p.Grad[i], i)
		}
	}
}
