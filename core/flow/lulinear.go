package flow

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// LULinear is an invertible linear map z = x·W + b with W = P·L·U (Kingma &
// Dhariwal 2018, Glow's LU-decomposed 1×1 convolution): P a fixed
// permutation, L unit lower triangular, U upper triangular with diagonal
// sign_i·e^{s_i} for fixed signs. Then log|det W| = Σ s, cheap and exact, and
// the inverse is two triangular solves.
//
// Lower and Upper are full D×D parameters of which only the strict lower and
// strict upper triangles are used (masks keep the rest at zero gradient).
type LULinear struct {
	D int
	// Perm is P as a column gather: (x·P)_j = x_Perm[j].
	Perm                  []int
	Lower, Upper, LogDiag *nn.Param // D×D, D×D, 1×D
	Bias                  *nn.Param // 1×D
	// Sign holds the fixed signs of U's diagonal.
	Sign []float64

	inv                  []int
	lowerMask, upperMask []float64
	eye, signEye         []float64
}

// NewLULinear returns an LU-linear layer on d columns. With a nil rng it is
// the identity (nflows' default); otherwise W starts as a random rotation,
// factored with partial pivoting (Glow's initialisation), which mixes the
// columns from the start while keeping log|det W| = 0.
func NewLULinear(name string, d int, rng *rand.Rand) *LULinear {
	l := &LULinear{
		D:       d,
		Lower:   nn.NewParam(name+".lower", d, d),
		Upper:   nn.NewParam(name+".upper", d, d),
		LogDiag: nn.NewParam(name+".logdiag", 1, d),
		Bias:    nn.NewParam(name+".bias", 1, d),
		Sign:    make([]float64, d),
	}
	perm := make([]int, d)
	for i := range perm {
		perm[i] = i
		l.Sign[i] = 1
	}
	if rng != nil {
		perm = l.factor(randomRotation(rng, d))
	}
	l.setPerm(perm)
	l.lowerMask, l.upperMask = make([]float64, d*d), make([]float64, d*d)
	l.eye, l.signEye = make([]float64, d*d), make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			switch {
			case j < i:
				l.lowerMask[i*d+j] = 1
			case j > i:
				l.upperMask[i*d+j] = 1
			default:
				l.eye[i*d+j] = 1
				l.signEye[i*d+j] = l.Sign[i]
			}
		}
	}
	return l
}

func (l *LULinear) setPerm(perm []int) {
	l.Perm = perm
	l.inv = make([]int, len(perm))
	for j, p := range perm {
		l.inv[p] = j
	}
}

// factor sets L, U, s and the signs from w = P·L·U (Doolittle with partial
// pivoting) and returns P as a column gather.
func (l *LULinear) factor(w []float64) []int {
	d := l.D
	a := append([]float64(nil), w...)
	piv := make([]int, d)
	for i := range piv {
		piv[i] = i
	}
	for k := 0; k < d; k++ {
		p := k
		for i := k + 1; i < d; i++ {
			if math.Abs(a[i*d+k]) > math.Abs(a[p*d+k]) {
				p = i
			}
		}
		if p != k {
			for j := 0; j < d; j++ {
				a[k*d+j], a[p*d+j] = a[p*d+j], a[k*d+j]
			}
			piv[k], piv[p] = piv[p], piv[k]
		}
		for i := k + 1; i < d; i++ {
			a[i*d+k] /= a[k*d+k]
			for j := k + 1; j < d; j++ {
				a[i*d+j] -= a[i*d+k] * a[k*d+j]
			}
		}
	}
	// Rows piv of w are L·U, so w = Qᵀ·L·U with Q_{i,piv[i]} = 1, and
	// x·Qᵀ gathers column piv[j] into column j.
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			switch {
			case j < i:
				l.Lower.Val[i*d+j] = a[i*d+j]
			case j > i:
				l.Upper.Val[i*d+j] = a[i*d+j]
			default:
				l.LogDiag.Val[i] = math.Log(math.Abs(a[i*d+i]))
				l.Sign[i] = math.Copysign(1, a[i*d+i])
			}
		}
	}
	return piv
}

// randomRotation returns a d×d orthogonal matrix from Gram–Schmidt on
// normal rows, which is Haar distributed.
func randomRotation(rng *rand.Rand, d int) []float64 {
	q := make([]float64, d*d)
	for r := 0; r < d; r++ {
		row := q[r*d : (r+1)*d]
		for {
			for j := range row {
				row[j] = rng.NormFloat64()
			}
			for p := 0; p < r; p++ {
				prev := q[p*d : (p+1)*d]
				dot := 0.0
				for j := range row {
					dot += row[j] * prev[j]
				}
				for j := range row {
					row[j] -= dot * prev[j]
				}
			}
			n := 0.0
			for _, v := range row {
				n += v * v
			}
			// a near-dependent draw would lose accuracy: draw again
			if n = math.Sqrt(n); n > 1e-6 {
				for j := range row {
					row[j] /= n
				}
				break
			}
		}
	}
	return q
}

// factors records L and U on the tape.
func (l *LULinear) factors(t *ad.Tape) (lo, up *ad.Node) {
	d := l.D
	lo = t.Add(t.Mul(l.Lower.Node(t), t.Const(d, d, l.lowerMask)), t.Const(d, d, l.eye))
	diag := t.Mul(t.Const(d, d, l.signEye), t.Exp(l.LogDiag.Node(t)))
	up = t.Add(t.Mul(l.Upper.Node(t), t.Const(d, d, l.upperMask)), diag)
	return lo, up
}

// Forward maps x to z = ((x·P)·L)·U + b.
func (l *LULinear) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	l.check(x)
	lo, up := l.factors(t)
	z := t.Add(t.MatMul(t.MatMul(t.Cols(x, l.Perm), lo), up), l.Bias.Node(t))
	return z, t.Add(zeros(t, x.R, 1), t.SumEachRow(l.LogDiag.Node(t)))
}

// Inverse maps z to x = ((z − b)·U⁻¹·L⁻¹)·P⁻¹ by two triangular solves.
func (l *LULinear) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	l.check(z)
	lo, up := l.factors(t)
	y := t.SolveTri(t.SolveTri(t.Sub(z, l.Bias.Node(t)), up, false), lo, true)
	return t.Cols(y, l.inv), t.Add(zeros(t, z.R, 1), t.Neg(t.SumEachRow(l.LogDiag.Node(t))))
}

// Params are L's and U's off-diagonal entries, s and b.
func (l *LULinear) Params() []*nn.Param {
	return []*nn.Param{l.Lower, l.Upper, l.LogDiag, l.Bias}
}

func (l *LULinear) check(x *ad.Node) {
	if x.C != l.D {
		panic(fmt.Sprintf("flow: LULinear on %d columns given %d", l.D, x.C))
	}
}
