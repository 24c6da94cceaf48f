package ad

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fusedCase is a fused op beside the unfused expression it stands for.
type fusedCase struct {
	name    string
	inputs  []shape
	fused   func(t *Tape, in []*Node) *Node
	unfused func(t *Tape, in []*Node) *Node
}

var fusedCases = []fusedCase{
	{"AffineReLU", []shape{{7, 5}, {5, 6}, {1, 6}},
		func(t *Tape, in []*Node) *Node { return t.AffineReLU(in[0], in[1], in[2]) },
		func(t *Tape, in []*Node) *Node { return t.ReLU(t.Affine(in[0], in[1], in[2])) }},
	{"AffineReLUNoBias", []shape{{7, 5}, {5, 6}},
		func(t *Tape, in []*Node) *Node { return t.AffineReLU(in[0], in[1], nil) },
		func(t *Tape, in []*Node) *Node { return t.ReLU(t.Affine(in[0], in[1], nil)) }},
	// large enough for the products to take the platform's fast path
	{"AffineReLULarge", []shape{{40, 30}, {30, 20}, {1, 20}},
		func(t *Tape, in []*Node) *Node { return t.AffineReLU(in[0], in[1], in[2]) },
		func(t *Tape, in []*Node) *Node { return t.ReLU(t.Affine(in[0], in[1], in[2])) }},
}

// TestFusedOpsMatchUnfused: a fused op gives the same values and the same
// gradients, bit for bit, as the expression it fuses, including at the
// ReLU's kink (exact zeros in the input make some outputs exactly 0) and
// for NaN, which must come through as the unfused ops let it.
func TestFusedOpsMatchUnfused(t *testing.T) {
	t.Parallel()
	for ci, tc := range fusedCases {
		rng := rand.New(rand.NewPCG(uint64(ci)+1, 11))
		vals := make([][]float64, len(tc.inputs))
		for k, s := range tc.inputs {
			vals[k] = make([]float64, s.r*s.c)
			for i := range vals[k] {
				switch rng.IntN(8) {
				case 0:
					vals[k][i] = 0
				default:
					vals[k][i] = 4*rng.Float64() - 2
				}
			}
		}
		clear(vals[0][:tc.inputs[0].c])      // a zero input row: outputs exactly 0 without a bias
		vals[0][len(vals[0])-1] = math.NaN() // one NaN row in the input
		var weights []float64
		run := func(f func(t *Tape, in []*Node) *Node) (out []float64, grads [][]float64) {
			tape := NewTape()
			in := make([]*Node, len(vals))
			for k, s := range tc.inputs {
				grads = append(grads, make([]float64, s.r*s.c))
				in[k] = tape.Param(s.r, s.c, vals[k], grads[k])
			}
			o := f(tape, in)
			if weights == nil {
				weights = make([]float64, o.R*o.C)
				for i := range weights {
					weights[i] = rng.NormFloat64()
				}
			}
			tape.Backward(tape.Sum(tape.Mul(o, tape.Const(o.R, o.C, weights))))
			return append([]float64(nil), o.Val...), grads
		}
		gotV, gotG := run(tc.fused)
		wantV, wantG := run(tc.unfused)
		same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
		for i := range wantV {
			if !same(gotV[i], wantV[i]) {
				t.Errorf("test %d (%s): value %d: got %v want %v", ci, tc.name, i, gotV[i], wantV[i])
			}
		}
		for k := range wantG {
			for i := range wantG[k] {
				if !same(gotG[k][i], wantG[k][i]) {
					t.Errorf("test %d (%s): input %d gradient %d: got %v want %v", ci, tc.name, k, i, gotG[k][i], wantG[k][i])
				}
			}
		}
	}
}

// TestFusedKernelsMatchGo: the platform's fused layer (on js/wasm the SIMD
// kernel adds the bias and applies the ReLU as it stores a tile) gives the
// values of the plain Go steps (bias, product, ReLU), and its ReLU backward
// pass those of the Go loop, bit for bit — on shapes with partial tiles,
// with and without a bias, with NaN, zeros and −0 among the values.
func TestFusedKernelsMatchGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(12, 12))
	gen := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			switch rng.IntN(10) {
			case 0:
				v[i] = 0
			case 1:
				v[i] = math.Copysign(0, -1)
			default:
				v[i] = 4*rng.Float64() - 2
			}
		}
		return v
	}
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for ci, s := range [][3]int{{4, 4, 1}, {8, 8, 8}, {13, 7, 9}, {256, 128, 1}, {64, 130, 33}, {300, 6, 20}} {
		m, n, k := s[0], s[1], s[2]
		a, b, bias := gen(m*k), gen(k*n), gen(n)
		a[len(a)/2] = math.NaN()
		for _, withBias := range []bool{false, true} {
			for _, rectify := range []bool{false, true} {
				bs := bias
				if !withBias {
					bs = nil
				}
				got, want := gen(m*n), make([]float64, m*n)
				gemmBiasReLU(m, n, k, a, k, b, n, bs, rectify, got, n)
				gemmBiasReLUGo(m, n, k, a, k, b, n, bs, rectify, want, n)
				for i := range want {
					if !same(got[i], want[i]) {
						t.Errorf("test %d bias %v relu %v: layer entry %d: got %v want %v", ci, withBias, rectify, i, got[i], want[i])
						break
					}
				}
			}
		}
		g, y := gen(m*n), gen(m*n)
		y[0], g[1] = math.NaN(), math.NaN()
		for _, withBG := range []bool{false, true} {
			gotM, wantM := gen(m*n), make([]float64, m*n)
			var gotB, wantB []float64
			if withBG {
				gotB, wantB = gen(n), make([]float64, n)
				copy(wantB, gotB)
			}
			reluMask(gotM, g, y, gotB, m, n)
			reluMaskGo(wantM, g, y, wantB, m, n)
			for i := range wantM {
				if !same(gotM[i], wantM[i]) {
					t.Errorf("test %d bg %v: mask entry %d: got %v want %v", ci, withBG, i, gotM[i], wantM[i])
					break
				}
			}
			for i := range wantB {
				if !same(gotB[i], wantB[i]) {
					t.Errorf("test %d: bias gradient %d: got %v want %v", ci, i, gotB[i], wantB[i])
				}
			}
		}
	}
}
