package dist

import (
	"math"
	"math/rand/v2"
)

// Bernoulli is a product of independent Bernoulli distributions with success
// probabilities P (each in [0, 1]).
//
// LogProb accepts any x in [0, 1], not only {0, 1}: it returns
// Σ x·log p + (1−x)·log(1−p), the binary cross-entropy that VAE decoders use
// on grey-level images (for non-binary x this is not a normalized density).
type Bernoulli struct {
	P []float64
}

// Dim returns len(P).
func (b Bernoulli) Dim() int { return len(b.P) }

// LogProb returns Σ_i x_i·log p_i + (1−x_i)·log(1−p_i), with 0·log 0 = 0 so
// that certain outcomes (p = 0 or 1) give 0 or −Inf rather than NaN.
func (b Bernoulli) LogProb(x []float64) float64 {
	checkPoint(x, len(b.P))
	var lp float64
	for i, v := range x {
		p := b.P[i]
		if v != 0 {
			lp += v * math.Log(p)
		}
		if v != 1 {
			lp += (1 - v) * math.Log1p(-p)
		}
	}
	return lp
}

// Sample fills dst with 0/1 draws, len(dst)/Dim() points row-major.
func (b Bernoulli) Sample(rng *rand.Rand, dst []float64) {
	d := len(b.P)
	checkBatch(dst, d)
	for i := range dst {
		dst[i] = 0
		if rng.Float64() < b.P[i%d] {
			dst[i] = 1
		}
	}
}

// Entropy returns −Σ p log p + (1−p) log(1−p) in nats.
func (b Bernoulli) Entropy() float64 {
	var h float64
	for _, p := range b.P {
		if p > 0 {
			h -= p * math.Log(p)
		}
		if p < 1 {
			h -= (1 - p) * math.Log1p(-p)
		}
	}
	return h
}

// BernoulliLogits is a product of independent Bernoulli distributions given
// by logits l_i = log(p_i / (1−p_i)). It is the numerically stable form:
// large |l| neither overflows nor loses the log-probability to rounding.
// LogProb accepts x in [0, 1] like Bernoulli.
type BernoulliLogits struct {
	Logits []float64
}

// Dim returns len(Logits).
func (b BernoulliLogits) Dim() int { return len(b.Logits) }

// LogProb returns Σ_i x_i·l_i − softplus(l_i), which equals
// x·log σ(l) + (1−x)·log(1−σ(l)) without forming σ(l).
func (b BernoulliLogits) LogProb(x []float64) float64 {
	checkPoint(x, len(b.Logits))
	var lp float64
	for i, v := range x {
		l := b.Logits[i]
		lp += v*l - softplus(l)
	}
	return lp
}

// Sample fills dst with 0/1 draws, len(dst)/Dim() points row-major.
func (b BernoulliLogits) Sample(rng *rand.Rand, dst []float64) {
	d := len(b.Logits)
	checkBatch(dst, d)
	for i := range dst {
		dst[i] = 0
		if rng.Float64() < sigmoid(b.Logits[i%d]) {
			dst[i] = 1
		}
	}
}

// Entropy returns the entropy in nats: softplus(l) − σ(l)·l per coordinate.
func (b BernoulliLogits) Entropy() float64 {
	var h float64
	for _, l := range b.Logits {
		h += softplus(l) - sigmoid(l)*l
	}
	return h
}

// softplus returns log(1 + eˣ) without overflow for large x or loss of
// precision for very negative x.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// sigmoid returns 1/(1 + e⁻ˣ) without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
