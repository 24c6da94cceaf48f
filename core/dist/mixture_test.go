package dist

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// denseNormal is an independent reference for a full-covariance Gaussian:
// Σ⁻¹ and log|Σ| by gonum's LU decomposition, not by Cholesky.
type denseNormal struct {
	mu     []float64
	inv    *mat.Dense
	logDet float64
}

func newDenseNormal(t *testing.T, mu, cov []float64) denseNormal {
	t.Helper()
	d := len(mu)
	c := mat.NewDense(d, d, append([]float64(nil), cov...))
	var inv mat.Dense
	if err := inv.Inverse(c); err != nil {
		t.Fatalf("reference inverse: %v", err)
	}
	logDet, sign := mat.LogDet(c)
	if sign <= 0 {
		t.Fatal("reference: covariance determinant is not positive")
	}
	return denseNormal{mu: mu, inv: &inv, logDet: logDet}
}

func (n denseNormal) LogProb(x []float64) float64 {
	d := len(n.mu)
	diff := make([]float64, d)
	for i := range diff {
		diff[i] = x[i] - n.mu[i]
	}
	v := mat.NewVecDense(d, diff)
	q := mat.Inner(v, n.inv, v)
	return -0.5*q - 0.5*n.logDet - 0.5*float64(d)*math.Log(2*math.Pi)
}

func TestMixtureSingleComponentMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(4, 4))
	for _, d := range []int{1, 2, 3, 6} {
		g := RandomMixture(rng, 1, d, -1, 1)
		ref := newDenseNormal(t, g.Mean(0), g.Cov(0))
		x := make([]float64, d)
		for i := range 20 {
			for j := range x {
				// Up to ~15σ away, so that the far tail is checked too.
				x[j] = 2 * rng.NormFloat64()
			}
			if got, want := g.LogProb(x), ref.LogProb(x); math.Abs(got-want) > logProbTol*math.Max(1, math.Abs(want)) {
				t.Errorf("d=%d test %d: got %v want %v", d, i, got, want)
			}
		}
	}
}

func TestMixtureLogProbIsLogSumOfComponents(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	g := RandomMixture(rng, 4, 2, -2, 2)
	comps := make([]denseNormal, g.Len())
	for k := range comps {
		comps[k] = newDenseNormal(t, g.Mean(k), g.Cov(k))
	}
	x := make([]float64, 2)
	for i := range 30 {
		x[0], x[1] = 2*rng.NormFloat64(), 2*rng.NormFloat64()
		var p float64
		for k, c := range comps {
			p += g.Weight(k) * math.Exp(c.LogProb(x))
		}
		want := math.Log(p)
		if got := g.LogProb(x); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("test %d: got %v want %v", i, got, want)
		}
	}
	// Far from every component the direct sum underflows to log 0 = −Inf;
	// the log-sum-exp must still give a finite value close to the nearest
	// component's log-density.
	far := []float64{200, -150}
	lp := g.LogProb(far)
	if math.IsInf(lp, 0) || math.IsNaN(lp) {
		t.Fatalf("far point: got %v, want finite", lp)
	}
	best := math.Inf(-1)
	for k, c := range comps {
		best = math.Max(best, math.Log(g.Weight(k))+c.LogProb(far))
	}
	if lp < best-logProbTol*math.Abs(best) || lp > best+math.Log(float64(g.Len())) {
		t.Errorf("far point: got %v, want within [%v, %v+log k]", lp, best, best)
	}
}

// integralTol bounds |∫p − 1| for the midpoint rule on a grid: with spacing
// h ≤ σ_min/7 the rule is exponentially accurate for Gaussians (error of
// order exp(−2π²σ²/h²)), and the box reaches ≥ 5σ_max beyond every mean,
// leaving < 1e-6 of the mass outside. A wrong normalizer (a missing
// determinant, a factor 2 in the exponent) is off by far more than 1e-5.
const integralTol = 1e-5

func TestMixtureIntegratesToOne(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 6))
	g := RandomMixture(rng, 5, 2, -2, 2)
	const lo, hi, n = -5.0, 5.0, 500
	h := (hi - lo) / n
	var sum float64
	x := make([]float64, 2)
	for i := 0; i < n; i++ {
		x[0] = lo + (float64(i)+0.5)*h
		for j := 0; j < n; j++ {
			x[1] = lo + (float64(j)+0.5)*h
			sum += math.Exp(g.LogProb(x))
		}
	}
	sum *= h * h
	if math.Abs(sum-1) > integralTol {
		t.Errorf("∫p = %v, want 1 ± %v", sum, integralTol)
	}
}

func TestMixtureSampleMoments(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for _, d := range []int{2, 3} {
		g := RandomMixture(rng, 3, d, -2, 2)
		const n = 200000
		pts := make([]float64, n*d)
		g.Sample(rng, pts)
		mean := make([]float64, d)
		cov := make([]float64, d*d) // Σ w (Σ_k + μ_k μ_kᵀ) − μ μᵀ
		for k := 0; k < g.Len(); k++ {
			w, mu, c := g.Weight(k), g.Mean(k), g.Cov(k)
			for i := 0; i < d; i++ {
				mean[i] += w * mu[i]
				for j := 0; j < d; j++ {
					cov[i*d+j] += w * (c[i*d+j] + mu[i]*mu[j])
				}
			}
		}
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				cov[i*d+j] -= mean[i] * mean[j]
			}
		}
		checkMoments(t, "mixture", pts, d, mean, cov)
	}
}

func TestRandomMixtureShape(t *testing.T) {
	t.Parallel()
	a := RandomMixture(rand.New(rand.NewPCG(8, 8)), 6, 2, -3, 1)
	b := RandomMixture(rand.New(rand.NewPCG(8, 8)), 6, 2, -3, 1)
	var wsum float64
	for k := 0; k < a.Len(); k++ {
		wsum += a.Weight(k)
		// Weights start uniform in [0.5, 1.5], so after normalization each is
		// at least 0.5/(1.5·k) and at most 1.5/(0.5·k).
		if w := a.Weight(k); w < 0.5/1.5/6 || w > 1.5/0.5/6 {
			t.Errorf("component %d: weight %v out of range", k, w)
		}
		for _, m := range a.Mean(k) {
			if m < -3 || m > 1 {
				t.Errorf("component %d: mean %v outside the box", k, m)
			}
		}
		// Eigenvalues of a 2×2 symmetric matrix, closed form.
		c := a.Cov(k)
		tr, det := c[0]+c[3], c[0]*c[3]-c[1]*c[2]
		disc := math.Sqrt(math.Max(0, tr*tr/4-det))
		for _, ev := range []float64{tr/2 - disc, tr/2 + disc} {
			if s := math.Sqrt(ev); s < randomStdMin-1e-9 || s > randomStdMax+1e-9 {
				t.Errorf("component %d: principal std %v outside [%v, %v]", k, s, randomStdMin, randomStdMax)
			}
		}
		if got, want := b.Cov(k), c; !equal(got, want) {
			t.Errorf("component %d: same seed gave covariance %v and %v", k, got, want)
		}
	}
	if math.Abs(wsum-1) > 1e-12 {
		t.Errorf("weights sum to %v", wsum)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNewGaussianMixtureErrors(t *testing.T) {
	t.Parallel()
	id := []float64{1, 0, 0, 1}
	for i, test := range []struct {
		w     []float64
		means [][]float64
		covs  [][]float64
		notPD bool
	}{
		{w: []float64{-1}, means: [][]float64{{0, 0}}, covs: [][]float64{id}},
		{w: []float64{math.NaN()}, means: [][]float64{{0, 0}}, covs: [][]float64{id}},
		{w: []float64{0, 0}, means: [][]float64{{0, 0}, {1, 1}}, covs: [][]float64{id, id}},
		{w: []float64{math.Inf(1)}, means: [][]float64{{0, 0}}, covs: [][]float64{id}},
		{w: []float64{1}, means: [][]float64{{math.Inf(1), 0}}, covs: [][]float64{id}},
		{w: []float64{1}, means: [][]float64{{0, 0}}, covs: [][]float64{{1, 2, 2, 1}}, notPD: true},
		{w: []float64{1}, means: [][]float64{{0, 0}}, covs: [][]float64{{1, 0.5, 0, 1}}, notPD: true},
		{w: []float64{1}, means: [][]float64{{0, 0}}, covs: [][]float64{{0, 0, 0, 1}}, notPD: true},
		{w: []float64{1}, means: [][]float64{{0, 0}}, covs: [][]float64{{math.NaN(), 0, 0, 1}}, notPD: true},
	} {
		_, err := NewGaussianMixture(test.w, test.means, test.covs)
		if err == nil {
			t.Errorf("test %d: got nil error", i)
			continue
		}
		if got := errors.Is(err, ErrNotPositiveDefinite); got != test.notPD {
			t.Errorf("test %d: errors.Is(%v, ErrNotPositiveDefinite) = %v want %v", i, err, got, test.notPD)
		}
	}
	for i, f := range []func(){
		func() { _, _ = NewGaussianMixture(nil, nil, nil) },
		func() { _, _ = NewGaussianMixture([]float64{1}, [][]float64{{0}, {1}}, [][]float64{{1}}) },
		func() { _, _ = NewGaussianMixture([]float64{1}, [][]float64{{0, 0}}, [][]float64{{1}}) },
		func() { RandomMixture(rand.New(rand.NewPCG(1, 1)), 0, 2, 0, 1) },
		func() { RandomMixture(rand.New(rand.NewPCG(1, 1)), 1, 2, 1, 1) },
	} {
		if !panics(f) {
			t.Errorf("panic test %d: no panic", i)
		}
	}
}
