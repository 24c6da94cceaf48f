package is

import (
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/dist"
	"likelab/core/flow"
)

// Proposal draws points with their log-densities.
type Proposal interface {
	// Dim is the dimension of the points.
	Dim() int
	// SampleLogProb fills x (len(logq)×Dim, row-major) with independent
	// draws and logq with the natural log of the density at each.
	SampleLogProb(rng *rand.Rand, x, logq []float64)
}

// LogDensity is an unnormalised log-density log p̃(x) of one point.
type LogDensity func(x []float64) float64

// Weigh draws len(logw) points from q into x (row-major) and writes their
// log-weights log p̃(x) − log q(x) into logw. It panics if the lengths do
// not agree with q's dimension.
func Weigh(rng *rand.Rand, q Proposal, logp LogDensity, x, logw []float64) {
	d := q.Dim()
	if len(x) != d*len(logw) {
		panic("is: Weigh: len(x) is not Dim × len(logw)")
	}
	q.SampleLogProb(rng, x, logw)
	for i := range logw {
		logw[i] = logp(x[i*d:(i+1)*d]) - logw[i]
	}
}

// Run draws n points from q and returns the estimate of log ∫ p̃.
func Run(rng *rand.Rand, q Proposal, logp LogDensity, n int) Result {
	const chunk = 4096 // points per draw, so memory stays small for any n
	var e Estimator
	x := make([]float64, chunk*q.Dim())
	logw := make([]float64, chunk)
	for done := 0; done < n; done += chunk {
		m := min(chunk, n-done)
		Weigh(rng, q, logp, x[:m*q.Dim()], logw[:m])
		e.AddAll(logw[:m])
	}
	return e.Result()
}

// Dist is any distribution of core/dist as a proposal.
type Dist struct{ D dist.Distribution }

// Dim is the distribution's.
func (p Dist) Dim() int { return p.D.Dim() }

// SampleLogProb draws from the distribution and evaluates each point.
func (p Dist) SampleLogProb(rng *rand.Rand, x, logq []float64) {
	d := p.D.Dim()
	if len(x) != d*len(logq) {
		panic("is: SampleLogProb: len(x) is not Dim × len(logq)")
	}
	p.D.Sample(rng, x)
	for i := range logq {
		logq[i] = p.D.LogProb(x[i*d : (i+1)*d])
	}
}

// Gaussian returns the proposal N(mean, cov) (cov row-major d×d): with the
// target's mean and covariance, the moment-matched Gaussian that is the
// usual baseline. The error says what is wrong with an invalid covariance.
func Gaussian(mean, cov []float64) (Dist, error) {
	g, err := dist.NewGaussianMixture([]float64{1}, [][]float64{mean}, [][]float64{cov})
	if err != nil {
		return Dist{}, err
	}
	return Dist{g}, nil
}

// Flow is a normalizing flow as a proposal: draws x = f⁻¹(z) with their
// log-densities from one inverse pass, without recording gradients.
type Flow struct {
	F *flow.Flow
	// Tape is reused for every draw; NewFlow makes one.
	Tape *ad.Tape
}

// NewFlow returns f as a proposal.
func NewFlow(f *flow.Flow) *Flow { return &Flow{F: f, Tape: ad.NewTape()} }

// flowChunk bounds the rows of one pass through the flow, so the tape stays
// small for any number of draws.
const flowChunk = 4096

// Dim is the flow's.
func (p *Flow) Dim() int { return p.F.Dim() }

// SampleLogProb draws from the flow.
func (p *Flow) SampleLogProb(rng *rand.Rand, x, logq []float64) {
	d := p.F.Dim()
	if len(x) != d*len(logq) {
		panic("is: SampleLogProb: len(x) is not Dim × len(logq)")
	}
	t := p.Tape
	saved := t.NoGrad
	t.NoGrad = true
	defer func() { t.NoGrad = saved }()
	for i := 0; i < len(logq); i += flowChunk {
		m := min(flowChunk, len(logq)-i)
		t.Reset()
		xs, lq := p.F.SampleWithLogProb(t, rng, m)
		copy(x[i*d:(i+m)*d], xs.Val)
		copy(logq[i:i+m], lq.Val)
	}
}
