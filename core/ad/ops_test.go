package ad

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

type shape struct{ r, c int }

// gradCase is one expression of the inputs whose gradient is checked.
type gradCase struct {
	name   string
	inputs []shape
	// positive draws inputs in [0.5, 2] instead of [-2, 2] (for Log).
	positive bool
	f        func(t *Tape, in []*Node) *Node
}

var (
	colsIdx   = []int{2, 0}
	mergeIA   = []int{1, 3}
	mergeIB   = []int{0, 2, 4}
	gradCases = []gradCase{
		{"MatMul", []shape{{3, 4}, {4, 2}}, false, func(t *Tape, in []*Node) *Node { return t.MatMul(in[0], in[1]) }},
		{"MatMulNT", []shape{{3, 4}, {5, 4}}, false, func(t *Tape, in []*Node) *Node { return t.MatMulT(in[0], in[1], false, true) }},
		{"MatMulTN", []shape{{4, 3}, {4, 5}}, false, func(t *Tape, in []*Node) *Node { return t.MatMulT(in[0], in[1], true, false) }},
		{"MatMulTT", []shape{{4, 3}, {2, 4}}, false, func(t *Tape, in []*Node) *Node { return t.MatMulT(in[0], in[1], true, true) }},
		{"Affine", []shape{{5, 3}, {3, 4}, {1, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Affine(in[0], in[1], in[2]) }},
		{"AffineNoBias", []shape{{5, 3}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Affine(in[0], in[1], nil) }},
		{"Add", []shape{{3, 4}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Add(in[0], in[1]) }},
		{"AddRow", []shape{{3, 4}, {1, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Add(in[0], in[1]) }},
		{"SubCol", []shape{{3, 4}, {3, 1}}, false, func(t *Tape, in []*Node) *Node { return t.Sub(in[0], in[1]) }},
		{"MulScalar", []shape{{3, 4}, {1, 1}}, false, func(t *Tape, in []*Node) *Node { return t.Mul(in[0], in[1]) }},
		{"Mul", []shape{{3, 4}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Mul(in[0], in[1]) }},
		{"MulSelf", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Mul(in[0], in[0]) }},
		{"Scale", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Scale(in[0], -1.7) }},
		{"AddScalar", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.AddScalar(in[0], 0.3) }},
		{"Exp", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Exp(in[0]) }},
		{"Log", []shape{{2, 3}}, true, func(t *Tape, in []*Node) *Node { return t.Log(in[0]) }},
		{"Tanh", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Tanh(in[0]) }},
		{"Sigmoid", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Sigmoid(in[0]) }},
		{"ReLU", []shape{{3, 3}}, false, func(t *Tape, in []*Node) *Node { return t.ReLU(in[0]) }},
		{"Softplus", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Softplus(in[0]) }},
		{"Square", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Square(in[0]) }},
		{"Sum", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Sum(in[0]) }},
		{"Mean", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Mean(in[0]) }},
		{"SumEachRow", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.SumEachRow(in[0]) }},
		{"SumEachCol", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.SumEachCol(in[0]) }},
		{"MeanEachRow", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.MeanEachRow(in[0]) }},
		{"MeanEachCol", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.MeanEachCol(in[0]) }},
		{"Cols", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.Cols(in[0], colsIdx) }},
		{"SliceCols", []shape{{3, 5}}, false, func(t *Tape, in []*Node) *Node { return t.SliceCols(in[0], 1, 4) }},
		{"Merge", []shape{{3, 2}, {3, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Merge(in[0], mergeIA, in[1], mergeIB, 5) }},
		{"ConcatCols", []shape{{3, 2}, {3, 3}}, false, func(t *Tape, in []*Node) *Node { return t.ConcatCols(in[0], in[1]) }},
		{"LogSumExpEachRow", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.LogSumExpEachRow(in[0]) }},
		{"Sqrt", []shape{{2, 3}}, true, func(t *Tape, in []*Node) *Node { return t.Sqrt(in[0]) }},
		{"Reciprocal", []shape{{2, 3}}, true, func(t *Tape, in []*Node) *Node { return t.Reciprocal(in[0]) }},
		{"SolveTriUpper", []shape{{3, 4}, {4, 4}}, true, func(t *Tape, in []*Node) *Node { return t.SolveTri(in[0], in[1], false) }},
		{"SolveTriLower", []shape{{3, 4}, {4, 4}}, true, func(t *Tape, in []*Node) *Node { return t.SolveTri(in[0], in[1], true) }},
		// bound 1.5 puts some of the inputs in [−2, 2] in the identity tails
		{"RQSpline", []shape{{4, 2}, {4, 2 * 11}}, false, func(t *Tape, in []*Node) *Node { return t.RQSpline(in[0], in[1], 4, 1.5, false) }},
		{"RQSplineInverse", []shape{{4, 2}, {4, 2 * 11}}, false, func(t *Tape, in []*Node) *Node { return t.RQSpline(in[0], in[1], 4, 2.5, true) }},
		{"BCEWithLogitsEachRow", []shape{{3, 4}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.BCEWithLogitsEachRow(t.Scale(in[0], 8), in[1]) }},
		{"GaussianLogProbEachRow", []shape{{3, 4}, {3, 4}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.GaussianLogProbEachRow(in[0], in[1], in[2]) }},
		{"GaussianLogProbEachRowBroadcast", []shape{{3, 4}, {1, 4}, {1, 1}}, false, func(t *Tape, in []*Node) *Node { return t.GaussianLogProbEachRow(in[0], in[1], in[2]) }},
		{"GaussianLogProbEachRowStd", []shape{{3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.GaussianLogProbEachRow(in[0], nil, nil) }},
		{"KLStdNormalEachRow", []shape{{3, 4}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.KLStdNormalEachRow(in[0], in[1]) }},
		{"RepeatRows", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.RepeatRows(in[0], 3) }},
		{"Reshape", []shape{{4, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Reshape(in[0], 2, 6) }},
		{"AffineReLU", []shape{{5, 3}, {3, 4}, {1, 4}}, false, func(t *Tape, in []*Node) *Node { return t.AffineReLU(in[0], in[1], in[2]) }},
		{"AffineReLUNoBias", []shape{{5, 3}, {3, 4}}, false, func(t *Tape, in []*Node) *Node { return t.AffineReLU(in[0], in[1], nil) }},
		// with gradients ReLUPair1 is computed directly; its pieces are checked in pieces_test.go
		{"ReLUPair1", []shape{{5, 1}, {1, 4}, {1, 4}, {4, 3}, {1, 3}}, false, func(t *Tape, in []*Node) *Node {
			return t.ReLUPair1(in[0], in[1], in[2], in[3], in[4], new(PieceCache))
		}},
		{"Sin", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Sin(in[0]) }},
		{"Cos", []shape{{2, 3}}, false, func(t *Tape, in []*Node) *Node { return t.Cos(in[0]) }},
		{"Composite", []shape{{4, 3}, {3, 3}, {1, 3}}, false, func(t *Tape, in []*Node) *Node {
			// a small MLP with a loss: a shape every model here uses
			h := t.Tanh(t.Affine(in[0], in[1], in[2]))
			return t.Mean(t.Sub(t.LogSumExpEachRow(h), t.SumEachRow(t.Square(h))))
		}},
	}
)

// TestGradients checks every op's backward pass against central differences
// of its forward pass, through a random linear functional of its output.
func TestGradients(t *testing.T) {
	t.Parallel()
	// Central differences with step 1e-6 have truncation error O(h²)·f''' and
	// rounding error O(ε/h) ≈ 1e-10 relative; 1e-6 leaves a wide margin.
	const tol = 1e-6
	for ci, tc := range gradCases {
		rng := rand.New(rand.NewPCG(uint64(ci)+1, 7))
		vals := make([][]float64, len(tc.inputs))
		grads := make([][]float64, len(tc.inputs))
		for k, s := range tc.inputs {
			vals[k] = make([]float64, s.r*s.c)
			grads[k] = make([]float64, s.r*s.c)
			for i := range vals[k] {
				if tc.positive {
					vals[k][i] = 0.5 + 1.5*rng.Float64()
				} else {
					v := 4*rng.Float64() - 2
					// keep ReLU's kink away from the finite-difference step
					if math.Abs(v) < 0.05 {
						v += 0.1
					}
					vals[k][i] = v
				}
			}
		}
		var weights []float64
		tape := NewTape()
		loss := func() *Node {
			tape.Reset()
			in := make([]*Node, len(vals))
			for k, s := range tc.inputs {
				in[k] = tape.Param(s.r, s.c, vals[k], grads[k])
			}
			out := tc.f(tape, in)
			if weights == nil {
				weights = make([]float64, out.R*out.C)
				for i := range weights {
					weights[i] = rng.NormFloat64()
				}
			}
			return tape.Sum(tape.Mul(out, tape.Const(out.R, out.C, weights)))
		}
		tape.Backward(loss())
		for k := range vals {
			x := vals[k]
			want := make([]float64, len(x))
			fd.Gradient(want, func(y []float64) float64 {
				saved := append([]float64(nil), x...)
				copy(x, y)
				v := loss().Scalar()
				copy(x, saved)
				return v
			}, append([]float64(nil), x...), &fd.Settings{Formula: fd.Central, Step: 1e-6})
			for i := range want {
				if d := math.Abs(grads[k][i] - want[i]); d > tol*max(1, math.Abs(want[i])) {
					t.Errorf("test %d (%s): input %d entry %d: got gradient %v want %v", ci, tc.name, k, i, grads[k][i], want[i])
				}
			}
		}
	}
}

func TestReuseAllocatesNothing(t *testing.T) {
	w := make([]float64, 3*4)
	gw := make([]float64, 3*4)
	x := make([]float64, 8*3)
	for i := range x {
		x[i] = float64(i%5) - 2
	}
	tape := NewTape()
	step := func() {
		tape.Reset()
		in := tape.Const(8, 3, x)
		h := tape.Tanh(tape.Affine(in, tape.Param(3, 4, w, gw), nil))
		tape.Backward(tape.Mean(tape.Square(h)))
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("a warm step allocated %v times, want 0", a)
	}
}

func TestNoGradRecordsNoGradients(t *testing.T) {
	t.Parallel()
	tape := NewTape()
	tape.NoGrad = true
	w := []float64{1, 2}
	n := tape.Exp(tape.Param(1, 2, w, nil))
	if n.NeedsGrad() || n.Grad != nil {
		t.Errorf("NoGrad tape: node needs a gradient")
	}
	if got, want := n.Val[1], math.Exp(2); got != want {
		t.Errorf("got %v want %v", got, want)
	}
}

func TestShapeMismatchPanics(t *testing.T) {
	t.Parallel()
	for i, f := range []func(t *Tape){
		func(t *Tape) { t.MatMul(t.Zeros(2, 3), t.Zeros(2, 3)) },
		func(t *Tape) { t.Add(t.Zeros(2, 3), t.Zeros(3, 2)) },
		func(t *Tape) { t.Cols(t.Zeros(2, 3), []int{3}) },
		func(t *Tape) { t.Backward(t.Zeros(2, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("test %d: no panic on a shape mismatch", i)
				}
			}()
			f(NewTape())
		}()
	}
}
