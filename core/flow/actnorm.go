package flow

import (
	"fmt"
	"math"

	"likelab/core/ad"
	"likelab/core/nn"
)

// ActNorm is Glow's activation normalisation (Kingma & Dhariwal 2018): a
// per-dimension affine map z = x·e^s + b whose parameters are first set from
// data, so that the first training batch leaves it with zero mean and unit
// variance in every dimension; after that s and b train like any parameter.
// log|det| = Σ s for every row.
//
// Initialisation happens on the first Forward recorded for training (a tape
// without NoGrad) while Initialised is false, so density grids drawn before
// training do not spend it. A layer whose parameters are not all zero counts
// as initialised — that is how a checkpoint loaded into a new layer keeps its
// values — and Initialised can also be set by hand.
type ActNorm struct {
	D           int
	LogScale    *nn.Param // 1×D: s
	Bias        *nn.Param // 1×D: b
	Initialised bool
}

// actNormStdFloor keeps a constant column (or a batch of one row) from giving
// an infinite scale; Glow adds 1e-6 to the standard deviation the same way.
const actNormStdFloor = 1e-6

// NewActNorm returns an uninitialised ActNorm on d columns (the identity
// until its first training batch).
func NewActNorm(name string, d int) *ActNorm {
	return &ActNorm{D: d, LogScale: nn.NewParam(name+".logscale", 1, d), Bias: nn.NewParam(name+".bias", 1, d)}
}

// InitFrom sets s and b from the rows of x (n×D, row-major) so that they come
// out with zero mean and unit variance, and marks the layer initialised.
func (a *ActNorm) InitFrom(x []float64) {
	n := len(x) / a.D
	if n == 0 || len(x)%a.D != 0 {
		panic(fmt.Sprintf("flow: ActNorm on %d columns initialised from %d values", a.D, len(x)))
	}
	for j := 0; j < a.D; j++ {
		var mean, sq float64
		for i := 0; i < n; i++ {
			mean += x[i*a.D+j]
		}
		mean /= float64(n)
		for i := 0; i < n; i++ {
			d := x[i*a.D+j] - mean
			sq += d * d
		}
		s := -math.Log(math.Sqrt(sq/float64(n)) + actNormStdFloor)
		a.LogScale.Val[j] = s
		a.Bias.Val[j] = -mean * math.Exp(s)
	}
	a.Initialised = true
}

func (a *ActNorm) maybeInit(t *ad.Tape, x *ad.Node) {
	if a.Initialised {
		return
	}
	for _, p := range a.Params() {
		for _, v := range p.Val {
			if v != 0 {
				a.Initialised = true
				return
			}
		}
	}
	if !t.NoGrad {
		a.InitFrom(x.Val)
	}
}

// Forward maps x to z = x·e^s + b, initialising from x first if due.
func (a *ActNorm) Forward(t *ad.Tape, x *ad.Node) (*ad.Node, *ad.Node) {
	a.check(x)
	a.maybeInit(t, x)
	s := a.LogScale.Node(t)
	z := t.Add(t.Mul(x, t.Exp(s)), a.Bias.Node(t))
	return z, t.Add(zeros(t, x.R, 1), t.SumEachRow(s))
}

// Inverse maps z to x = (z − b)·e^−s.
func (a *ActNorm) Inverse(t *ad.Tape, z *ad.Node) (*ad.Node, *ad.Node) {
	a.check(z)
	ns := t.Neg(a.LogScale.Node(t))
	x := t.Mul(t.Sub(z, a.Bias.Node(t)), t.Exp(ns))
	return x, t.Add(zeros(t, z.R, 1), t.SumEachRow(ns))
}

// Params are s and b.
func (a *ActNorm) Params() []*nn.Param { return []*nn.Param{a.LogScale, a.Bias} }

func (a *ActNorm) check(x *ad.Node) {
	if x.C != a.D {
		panic(fmt.Sprintf("flow: ActNorm on %d columns given %d", a.D, x.C))
	}
}
