package dist

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// logProbTol is the absolute tolerance between two closed-form evaluations of
// the same log-density: both are a handful of floating-point operations on
// values of order 1–100, so disagreement beyond 1e-10 means a wrong formula.
const logProbTol = 1e-10

func TestStandardNormalLogProb(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, d := range []int{1, 2, 5} {
		s := StandardNormal{D: d}
		x := make([]float64, d)
		for i := range 20 {
			var want float64
			for j := range x {
				x[j] = 3 * rng.NormFloat64()
				want += distuv.UnitNormal.LogProb(x[j])
			}
			if got := s.LogProb(x); math.Abs(got-want) > logProbTol {
				t.Errorf("d=%d test %d: got %v want %v", d, i, got, want)
			}
		}
		if got, want := s.Entropy(), float64(d)*distuv.UnitNormal.Entropy(); math.Abs(got-want) > logProbTol {
			t.Errorf("d=%d entropy: got %v want %v", d, got, want)
		}
	}
}

func TestDiagNormalLogProb(t *testing.T) {
	t.Parallel()
	n := DiagNormal{Mean: []float64{1, -2, 0.5}, Std: []float64{0.3, 2, 1}}
	ref := make([]distuv.Normal, 3)
	var entropy float64
	for i := range ref {
		ref[i] = distuv.Normal{Mu: n.Mean[i], Sigma: n.Std[i]}
		entropy += ref[i].Entropy()
	}
	rng := rand.New(rand.NewPCG(2, 2))
	x := make([]float64, 3)
	for i := range 20 {
		var want float64
		for j := range x {
			x[j] = n.Mean[j] + 3*n.Std[j]*rng.NormFloat64()
			want += ref[j].LogProb(x[j])
		}
		if got := n.LogProb(x); math.Abs(got-want) > logProbTol {
			t.Errorf("test %d: got %v want %v", i, got, want)
		}
	}
	if got, want := n.Entropy(), entropy; math.Abs(got-want) > logProbTol {
		t.Errorf("entropy: got %v want %v", got, want)
	}
}

func TestNormalSampleMoments(t *testing.T) {
	t.Parallel()
	const n = 100000
	rng := rand.New(rand.NewPCG(3, 3))
	dn := DiagNormal{Mean: []float64{1, -2}, Std: []float64{0.3, 2}}
	pts := make([]float64, 2*n)
	dn.Sample(rng, pts)
	checkMoments(t, "DiagNormal", pts, 2, dn.Mean, []float64{0.09, 0, 0, 4})

	sn := StandardNormal{D: 3}
	pts = make([]float64, 3*n)
	sn.Sample(rng, pts)
	checkMoments(t, "StandardNormal", pts, 3, make([]float64, 3), identity(3).RawSymmetric().Data)
}

func TestNormalPanics(t *testing.T) {
	t.Parallel()
	for i, f := range []func(){
		func() { StandardNormal{D: 2}.LogProb([]float64{1}) },
		func() { StandardNormal{D: 2}.Sample(rand.New(rand.NewPCG(1, 1)), make([]float64, 3)) },
		func() { DiagNormal{Mean: []float64{0}, Std: []float64{1, 2}}.Dim() },
	} {
		if !panics(f) {
			t.Errorf("test %d: no panic", i)
		}
	}
}

func identity(d int) *mat.SymDense {
	m := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		m.SetSym(i, i, 1)
	}
	return m
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}

// momentSigmas is how many standard errors a sample moment may be from its
// true value. Each test checks a few dozen moments; at 5σ the chance that a
// correct sampler fails any of them is below 1e-5 (and the seeds are fixed).
const momentSigmas = 5

// checkMoments compares the sample mean and covariance of pts (row-major,
// dimension d) with mean and cov (d×d row-major). Standard errors come from
// the sample itself: se(mean_i) = √(C_ii/n) and
// se(C_ij) = √((E[(x_i−μ_i)²(x_j−μ_j)²] − C_ij²)/n).
func checkMoments(t *testing.T, name string, pts []float64, d int, mean, cov []float64) {
	t.Helper()
	n := len(pts) / d
	m := make([]float64, d)
	for p := 0; p < len(pts); p += d {
		for j := 0; j < d; j++ {
			m[j] += pts[p+j]
		}
	}
	for j := range m {
		m[j] /= float64(n)
	}
	c := make([]float64, d*d)
	c4 := make([]float64, d*d)
	for p := 0; p < len(pts); p += d {
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				v := (pts[p+i] - m[i]) * (pts[p+j] - m[j])
				c[i*d+j] += v
				c4[i*d+j] += v * v
			}
		}
	}
	for i := range c {
		c[i] /= float64(n)
		c4[i] /= float64(n)
	}
	for j := 0; j < d; j++ {
		se := math.Sqrt(c[j*d+j] / float64(n))
		if math.Abs(m[j]-mean[j]) > momentSigmas*se {
			t.Errorf("%s mean[%d]: got %v want %v (se %v)", name, j, m[j], mean[j], se)
		}
	}
	for i := range c {
		se := math.Sqrt((c4[i] - c[i]*c[i]) / float64(n))
		if math.Abs(c[i]-cov[i]) > momentSigmas*se {
			t.Errorf("%s cov[%d]: got %v want %v (se %v)", name, i, c[i], cov[i], se)
		}
	}
}
