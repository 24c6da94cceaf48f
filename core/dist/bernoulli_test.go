package dist

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestBernoulliLogProb(t *testing.T) {
	t.Parallel()
	for i, test := range []struct {
		p, x []float64
		want float64
	}{
		{p: []float64{0.3}, x: []float64{1}, want: math.Log(0.3)},
		{p: []float64{0.3}, x: []float64{0}, want: math.Log(0.7)},
		{p: []float64{0.3, 0.9}, x: []float64{1, 0}, want: math.Log(0.3) + math.Log(0.1)},
		{p: []float64{0.25}, x: []float64{0.5}, want: 0.5*math.Log(0.25) + 0.5*math.Log(0.75)},
		{p: []float64{0, 1}, x: []float64{0, 1}, want: 0},
		{p: []float64{0}, x: []float64{1}, want: math.Inf(-1)},
		{p: []float64{1}, x: []float64{0}, want: math.Inf(-1)},
	} {
		got := Bernoulli{P: test.p}.LogProb(test.x)
		if !(got == test.want || math.Abs(got-test.want) < logProbTol) {
			t.Errorf("test %d: got %v want %v", i, got, test.want)
		}
	}
}

func TestBernoulliLogitsMatchesProbabilities(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 9))
	const d = 8
	logits := make([]float64, d)
	p := make([]float64, d)
	x := make([]float64, d)
	for i := range 50 {
		for j := range logits {
			logits[j] = 4 * rng.NormFloat64()
			p[j] = 1 / (1 + math.Exp(-logits[j]))
			x[j] = rng.Float64() // grey levels too, not only 0/1
		}
		bl, bp := BernoulliLogits{Logits: logits}, Bernoulli{P: p}
		if got, want := bl.LogProb(x), bp.LogProb(x); math.Abs(got-want) > 1e-9 {
			t.Errorf("test %d: logits %v probabilities %v", i, got, want)
		}
		if got, want := bl.Entropy(), bp.Entropy(); math.Abs(got-want) > 1e-9 {
			t.Errorf("test %d entropy: logits %v probabilities %v", i, got, want)
		}
	}
}

func TestBernoulliLogitsExtreme(t *testing.T) {
	t.Parallel()
	// At |l| = 800, exp(l) overflows and 1/(1+exp(−l)) rounds to exactly 1,
	// so only the stable form gives these exact answers.
	for i, test := range []struct {
		l, x, want float64
	}{
		{l: 800, x: 1, want: 0},
		{l: 800, x: 0, want: -800},
		{l: -800, x: 0, want: 0},
		{l: -800, x: 1, want: -800},
		{l: 40, x: 0, want: -40 - math.Exp(-40)},
	} {
		got := BernoulliLogits{Logits: []float64{test.l}}.LogProb([]float64{test.x})
		if math.Abs(got-test.want) > logProbTol {
			t.Errorf("test %d: got %v want %v", i, got, test.want)
		}
	}
}

func TestBernoulliSampleMean(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(10, 10))
	p := []float64{0.05, 0.5, 0.9, 0, 1}
	logits := make([]float64, len(p))
	for i, v := range p {
		logits[i] = math.Log(v / (1 - v)) // ±Inf at 0 and 1: sigmoid gives 0 and 1
	}
	const n = 50000
	for _, s := range []Sampler{Bernoulli{P: p}, BernoulliLogits{Logits: logits}} {
		dst := make([]float64, n*len(p))
		s.Sample(rng, dst)
		for j, pj := range p {
			var m float64
			for i := j; i < len(dst); i += len(p) {
				v := dst[i]
				if v != 0 && v != 1 {
					t.Fatalf("%T: sample %v is not 0 or 1", s, v)
				}
				m += v
			}
			m /= n
			se := math.Sqrt(pj * (1 - pj) / n)
			if math.Abs(m-pj) > momentSigmas*se {
				t.Errorf("%T p=%v: sample mean %v (se %v)", s, pj, m, se)
			}
		}
	}
}
