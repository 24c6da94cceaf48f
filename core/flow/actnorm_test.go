package flow

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
)

func TestActNormInitialisesOnFirstTrainingBatch(t *testing.T) {
	t.Parallel()
	// The sample mean and variance of the normalised batch are 0 and 1 up to
	// rounding and the 1e-6 floor added to the standard deviation, which for
	// the column of standard deviation 0.01 lowers the variance by 2e-4.
	const tol = 1e-3
	const n, d = 500, 3
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, n*d)
	for i := range n {
		x[i*d] = 3 + 0.5*rng.NormFloat64()
		x[i*d+1] = -1 + 4*rng.NormFloat64()
		x[i*d+2] = 0.01 * rng.NormFloat64()
	}
	a := NewActNorm("a", d)
	// a pass without gradients (a density grid before training) must not
	// spend the initialisation
	nog := ad.NewTape()
	nog.NoGrad = true
	if z, _ := a.Forward(nog, nog.Const(n, d, x)); a.Initialised || z.Val[0] != x[0] {
		t.Fatalf("a NoGrad pass initialised the layer")
	}
	tape := ad.NewTape()
	z, ld := a.Forward(tape, tape.Const(n, d, x))
	if !a.Initialised {
		t.Fatalf("not initialised after a training pass")
	}
	for j := range d {
		var m, v float64
		for i := range n {
			m += z.At(i, j)
		}
		m /= n
		for i := range n {
			v += (z.At(i, j) - m) * (z.At(i, j) - m)
		}
		v /= n
		if math.Abs(m) > tol || math.Abs(v-1) > tol {
			t.Errorf("test %d: got mean %v variance %v want 0 and 1", j, m, v)
		}
	}
	want := a.LogScale.Val[0] + a.LogScale.Val[1] + a.LogScale.Val[2]
	if ld.R != n || ld.Val[n-1] != want {
		t.Errorf("log-det column %d rows, last %v want %v", ld.R, ld.Val[n-1], want)
	}
	// a second batch trains from there; it does not re-initialise
	saved := a.LogScale.Val[0]
	tape.Reset()
	a.Forward(tape, tape.Const(2, d, []float64{100, 100, 100, -100, -100, -100}))
	if a.LogScale.Val[0] != saved {
		t.Errorf("second batch re-initialised: log-scale %v, was %v", a.LogScale.Val[0], saved)
	}
}

// TestActNormKeepsLoadedValues: a fresh layer whose parameters were loaded
// from a checkpoint (not all zero) must not be re-initialised from data.
func TestActNormKeepsLoadedValues(t *testing.T) {
	t.Parallel()
	a := NewActNorm("a", 2)
	a.LogScale.Val[1] = 0.7 // as a checkpoint load would leave it
	tape := ad.NewTape()
	z, _ := a.Forward(tape, tape.Const(2, 2, []float64{1, 2, 3, 4}))
	if a.LogScale.Val[0] != 0 || a.LogScale.Val[1] != 0.7 || a.Bias.Val[0] != 0 {
		t.Errorf("loaded values changed: log-scale %v bias %v", a.LogScale.Val, a.Bias.Val)
	}
	if got, want := z.At(1, 1), 4*math.Exp(0.7); got != want {
		t.Errorf("got %v want %v", got, want)
	}
}
