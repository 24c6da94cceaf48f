package render

import (
	"math"
	"strconv"
)

// niceStep returns a step of the form {1, 2, 5}·10^k close to span/n: the
// "nice numbers" of Heckbert, "Nice numbers for graph labels", Graphics
// Gems (1990), rounding span/n to the nearest nice value.
func niceStep(span float64, n int) float64 {
	raw := span / float64(max(1, n))
	e := math.Floor(math.Log10(raw))
	p := math.Pow(10, e)
	f := raw / p
	switch {
	case f < 1.5:
		f = 1
	case f < 3.5:
		f = 2
	case f < 7.5:
		f = 5
	default:
		f = 10
	}
	return f * p
}

// linearTicks returns the multiples of a nice step in [lo, hi], about n of
// them (at least two when the range allows), and the step. Ticks are k·step
// with integer k, so they print without accumulated rounding.
func linearTicks(lo, hi float64, n int) (ticks []float64, step float64) {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []float64{lo}, 0
	}
	step = niceStep(hi-lo, n)
	for range 60 { // each pass halves the step or better; 60 is plenty
		ticks = ticks[:0]
		// The cap guards against a range so narrow against its magnitude
		// that k++ no longer changes k; callers widen such ranges first.
		for k := math.Ceil(lo/step - 1e-9); k*step <= hi+1e-9*step && len(ticks) < 1000; k++ {
			ticks = append(ticks, k*step)
		}
		// A range just short of a step may hold a single tick: refine.
		if len(ticks) >= 2 || step < (hi-lo)*1e-6 {
			return ticks, step
		}
		step = niceStep(step, 2)
	}
	return ticks, step
}

// logTicks returns ticks for a logarithmic axis over [lo, hi] (lo > 0):
// powers of ten when the range spans at least two of them (if there are
// more than n, every m-th power, the multiples of m so that 1 stays a
// tick), otherwise linear nice ticks.
func logTicks(lo, hi float64, n int) (ticks []float64, decades bool, step float64) {
	k0, k1 := math.Ceil(math.Log10(lo)-1e-9), math.Floor(math.Log10(hi)+1e-9)
	if k1-k0 >= 1 {
		m := math.Ceil((k1 - k0 + 1) / float64(max(1, n)))
		for k := math.Ceil(k0/m) * m; k <= k1; k += m {
			ticks = append(ticks, math.Pow(10, k))
		}
		return ticks, true, 0
	}
	ticks, step = linearTicks(lo, hi, n)
	return ticks, false, step
}

// formatTick prints a linear tick with as many decimals as the step needs,
// switching to exponent form for very large or small magnitudes.
func formatTick(v, step float64) string {
	if v == 0 {
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e6 || step < 1e-4 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	dec := 0
	if step > 0 {
		dec = max(0, int(-math.Floor(math.Log10(step)+1e-9)))
		// A step of 2.5, 0.25… needs one more digit than its exponent says.
		if s := step / math.Pow(10, -float64(dec)); math.Abs(s-math.Round(s)) > 1e-6 {
			dec++
		}
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// formatDecade prints 10^k as a plain number for moderate k, else as 1eK.
func formatDecade(v float64) string {
	k := int(math.Round(math.Log10(v)))
	if k >= -3 && k <= 4 {
		return strconv.FormatFloat(v, 'f', max(0, -k), 64)
	}
	return "1e" + strconv.Itoa(k)
}
