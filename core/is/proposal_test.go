package is

import (
	"math"
	"math/rand/v2"
	"testing"

	"likelab/core/ad"
	"likelab/core/dist"
	"likelab/core/flow"
)

// gaussLogp is the log-density of N(mean, σ²I) in 2D plus logC: an
// unnormalised density whose log Z is logC.
func gaussLogp(mean [2]float64, sigma, logC float64) LogDensity {
	return func(x []float64) float64 {
		a, b := (x[0]-mean[0])/sigma, (x[1]-mean[1])/sigma
		return logC - 0.5*(a*a+b*b) - math.Log(2*math.Pi*sigma*sigma)
	}
}

// TestExactProposal: with q = p every weight is Z, so the estimate is exact
// and the ESS is the number of draws.
func TestExactProposal(t *testing.T) {
	t.Parallel()
	const n = 5000
	const tol = 1e-12 // rounding in the two log-densities
	q, err := Gaussian([]float64{1, -2}, []float64{0.25, 0, 0, 0.25})
	if err != nil {
		t.Fatal(err)
	}
	r := Run(rand.New(rand.NewPCG(1, 1)), q, gaussLogp([2]float64{1, -2}, 0.5, 3.5), n)
	if !near(r.LogZ, 3.5, tol) || !near(r.ESS, n, tol) || r.StdErr > tol || r.N != n {
		t.Errorf("got %+v want log Z 3.5, ESS %d, stderr 0", r, n)
	}
}

// TestShiftedGaussian: q = N(0, I), p = N(μ, I) in 2D. Then
// w = exp(μ·x − |μ|²/2), E_q[w] = 1, E_q[w²] = e^{|μ|²}: the ESS fraction
// tends to e^{−|μ|²} and the delta-method standard error to
// √((e^{|μ|²} − 1)/n).
func TestShiftedGaussian(t *testing.T) {
	t.Parallel()
	const n = 200_000
	mu := [2]float64{0.6, -0.3}
	m2 := mu[0]*mu[0] + mu[1]*mu[1]
	logC := -1.25
	q := Dist{dist.StandardNormal{D: 2}}
	var e Estimator
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, 2*n)
	logw := make([]float64, n)
	Weigh(rng, q, gaussLogp(mu, 1, logC), x, logw)
	for i := range logw {
		// each weight is the closed form
		if w := logC + mu[0]*x[2*i] + mu[1]*x[2*i+1] - m2/2; math.Abs(logw[i]-w) > 1e-12 {
			t.Fatalf("weight %d: got %v want %v", i, logw[i], w)
		}
	}
	e.AddAll(logw)
	r := e.Result()
	se := math.Sqrt((math.Exp(m2) - 1) / n)
	// 4 standard errors: the estimate's own sampling error
	if math.Abs(r.LogZ-logC) > 4*se {
		t.Errorf("log Z: got %v want %v ± %v", r.LogZ, logC, se)
	}
	// The ESS fraction and the standard error are ratios of sample moments
	// of w up to w²; with |μ|² = 0.45 and n = 2e5 their relative sampling
	// error is below 1% (E_q[w⁴] = e^{6|μ|²} ≈ 15).
	const rel = 0.02
	if want := math.Exp(-m2); math.Abs(r.ESSFraction-want) > rel*want {
		t.Errorf("ESS fraction: got %v want %v", r.ESSFraction, want)
	}
	if math.Abs(r.StdErr-se) > rel*se {
		t.Errorf("stderr: got %v want %v", r.StdErr, se)
	}
}

func TestGaussianRejectsBadCovariance(t *testing.T) {
	t.Parallel()
	if _, err := Gaussian([]float64{0, 0}, []float64{1, 2, 2, 1}); err == nil {
		t.Error("an indefinite covariance was accepted")
	}
}

// TestFlowProposal: the log-densities the flow proposal reports are the
// flow's log-density at the points it drew (evaluated in the other
// direction), for a flow with random parameters.
func TestFlowProposal(t *testing.T) {
	t.Parallel()
	// Measured: realnvp's two directions agree to ~1e-13; nsf's to ~2e-9
	// relative where random parameters make bins steep (the inverse solves
	// a quadratic per coordinate).
	const tol = 1e-8
	for i, model := range []string{"realnvp", "nsf"} {
		rng := rand.New(rand.NewPCG(3, uint64(i)))
		f, err := flow.New(flow.Spec{Model: model, Dim: 2, Layers: 4, Hidden: 16}, rng)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Params() {
			for j := range p.Val {
				p.Val[j] += 0.2 * rng.NormFloat64()
			}
		}
		const n = flowChunk + 100 // more than one chunk
		x := make([]float64, 2*n)
		logq := make([]float64, n)
		q := NewFlow(f)
		q.SampleLogProb(rng, x, logq)
		want := make([]float64, n)
		f.EvalLogProb(ad.NewTape(), x, want, 512)
		for k := range logq {
			if math.Abs(logq[k]-want[k]) > tol*max(1, math.Abs(want[k])) {
				t.Fatalf("test %d (%s) point %d: got log q %v want %v", i, model, k, logq[k], want[k])
			}
		}
		if q.Tape.NoGrad {
			t.Errorf("test %d: the tape was left in NoGrad mode", i)
		}
	}
}
