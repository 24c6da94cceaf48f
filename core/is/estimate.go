package is

import "math"

// Result is an importance-sampling estimate of log Z from N weights.
type Result struct {
	// LogZ is log of the mean weight: log((1/N) Σ w_i).
	LogZ float64 `json:"logZ"`
	// StdErr is the standard error of LogZ by the delta method:
	// sd(w)/(√N · mean(w)), with the sample standard deviation of the weights.
	StdErr float64 `json:"stderr"`
	// ESS is the effective sample size (Σw)²/Σw², between 1 and N.
	ESS float64 `json:"ess"`
	// ESSFraction is ESS/N.
	ESSFraction float64 `json:"ess_fraction"`
	N           int     `json:"n"`
}

// Estimator accumulates log-weights one at a time and gives the estimate of
// the ones seen so far; the zero value is empty and ready. Weights are kept
// relative to the largest seen (rescaling the sums when a larger one comes),
// so log-weights of any size lose no precision, and the mean and variance
// are updated by Welford's method, so the standard error stays accurate
// when the weights are nearly equal.
type Estimator struct {
	n     int
	top   float64 // largest log-weight so far
	mean  float64 // mean of w·e^{−top}
	m2    float64 // sum of squared deviations of w·e^{−top}
	sumSq float64 // Σ (w·e^{−top})²
	nan   bool
}

// Reset empties the estimator.
func (e *Estimator) Reset() { *e = Estimator{} }

// N is the number of weights added.
func (e *Estimator) N() int { return e.n }

// Add adds one log-weight log p̃(x) − log q(x). −Inf (a draw where p̃ is
// zero) counts as a zero weight; NaN or +Inf makes the result NaN.
func (e *Estimator) Add(logw float64) {
	if math.IsNaN(logw) || math.IsInf(logw, 1) {
		e.nan = true
	}
	if e.n == 0 {
		e.top = logw
	}
	if logw > e.top {
		// rescale the sums to the new reference
		s := math.Exp(e.top - logw)
		e.mean *= s
		e.m2 *= s * s
		e.sumSq *= s * s
		e.top = logw
	}
	w := 0.0
	if !math.IsInf(e.top, -1) {
		w = math.Exp(logw - e.top)
	}
	e.n++
	d := w - e.mean
	e.mean += d / float64(e.n)
	e.m2 += d * (w - e.mean)
	e.sumSq += w * w
}

// AddAll adds every log-weight of logw.
func (e *Estimator) AddAll(logw []float64) {
	for _, v := range logw {
		e.Add(v)
	}
}

// Result returns the estimate of the weights added so far. With no weights
// (or only zero weights) LogZ is −Inf and the rest NaN; with one weight the
// standard error is NaN.
func (e *Estimator) Result() Result {
	nan := math.NaN()
	r := Result{N: e.n, LogZ: math.Inf(-1), StdErr: nan, ESS: nan, ESSFraction: nan}
	switch {
	case e.nan:
		r.LogZ = nan
		return r
	case e.n == 0 || e.mean == 0:
		return r
	}
	n := float64(e.n)
	r.LogZ = e.top + math.Log(e.mean)
	r.ESS = n * e.mean * n * e.mean / e.sumSq
	r.ESSFraction = r.ESS / n
	if e.n > 1 {
		r.StdErr = math.Sqrt(e.m2/(n-1)/n) / e.mean
	}
	return r
}

// Estimate returns the estimate from a whole set of log-weights.
func Estimate(logw []float64) Result {
	var e Estimator
	e.AddAll(logw)
	return e.Result()
}
