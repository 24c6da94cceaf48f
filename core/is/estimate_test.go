package is

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestEstimateByHand(t *testing.T) {
	t.Parallel()
	// Weights 1, 2, 3, 4: mean 2.5, sample variance 5/3, Σw² = 30.
	const tol = 1e-14 // a few ulps
	sd := math.Sqrt(5.0 / 3)
	for i, test := range []struct {
		logw []float64
		want Result
	}{
		{[]float64{0, math.Log(2), math.Log(3), math.Log(4)},
			Result{LogZ: math.Log(2.5), StdErr: sd / (2 * 2.5), ESS: 100.0 / 30, ESSFraction: 100.0 / 30 / 4, N: 4}},
		// the same, offset by 1000 nats and in another order: only log Z moves
		{[]float64{1000 + math.Log(3), 1000, 1000 + math.Log(4), 1000 + math.Log(2)},
			Result{LogZ: 1000 + math.Log(2.5), StdErr: sd / (2 * 2.5), ESS: 100.0 / 30, ESSFraction: 100.0 / 30 / 4, N: 4}},
		// a zero weight among them: weights 0, 1, 1
		{[]float64{math.Inf(-1), -700, -700},
			Result{LogZ: -700 + math.Log(2.0/3), StdErr: math.Sqrt(1.0/3/3) / (2.0 / 3), ESS: 2, ESSFraction: 2.0 / 3, N: 3}},
	} {
		got := Estimate(test.logw)
		if got.N != test.want.N || !near(got.LogZ, test.want.LogZ, tol) || !near(got.StdErr, test.want.StdErr, tol) ||
			!near(got.ESS, test.want.ESS, tol) || !near(got.ESSFraction, test.want.ESSFraction, tol) {
			t.Errorf("test %d: got %+v want %+v", i, got, test.want)
		}
	}
}

func TestEstimateDegenerate(t *testing.T) {
	t.Parallel()
	inf := math.Inf(1)
	for i, test := range []struct {
		logw   []float64
		logZ   float64
		stdErr bool // whether StdErr is a number
	}{
		{nil, math.Inf(-1), false},
		{[]float64{math.Inf(-1), math.Inf(-1)}, math.Inf(-1), false},
		{[]float64{3}, 3, false},
		{[]float64{1, math.NaN(), 2}, math.NaN(), false},
		{[]float64{1, inf}, math.NaN(), false},
		{[]float64{math.Inf(-1), 5}, 5 + math.Log(0.5), true},
	} {
		got := Estimate(test.logw)
		if !(got.LogZ == test.logZ || math.IsNaN(got.LogZ) && math.IsNaN(test.logZ)) {
			t.Errorf("test %d: got log Z %v want %v", i, got.LogZ, test.logZ)
		}
		if math.IsNaN(got.StdErr) == test.stdErr {
			t.Errorf("test %d: got stderr %v", i, got.StdErr)
		}
	}
}

// TestEstimatorOrder: the running estimate does not depend on the order the
// weights come in, though the reference weight is rescaled as larger ones
// arrive.
func TestEstimatorOrder(t *testing.T) {
	t.Parallel()
	const tol = 1e-12 // rounding of 1000 rescaled Welford updates
	rng := rand.New(rand.NewPCG(1, 1))
	logw := make([]float64, 1000)
	for i := range logw {
		logw[i] = 5 * rng.NormFloat64()
	}
	a := Estimate(logw)
	rng.Shuffle(len(logw), func(i, j int) { logw[i], logw[j] = logw[j], logw[i] })
	var e Estimator
	for _, v := range logw {
		e.Add(v)
	}
	b := e.Result()
	if !near(a.LogZ, b.LogZ, tol) || !near(a.StdErr, b.StdErr, tol) || !near(a.ESS, b.ESS, tol) {
		t.Errorf("got %+v and %+v", a, b)
	}
	e.Reset()
	if e.N() != 0 || !math.IsInf(e.Result().LogZ, -1) {
		t.Errorf("after Reset: %+v", e.Result())
	}
}

func near(a, b, tol float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}
