package fm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
)

// Loss records the conditional flow-matching loss on the minibatch x1 (n×Dim
// data points, row-major; read until the tape's next Reset):
//
//	mean_i ‖v(ψ_i, t_i) − (x1_i − x0_i)‖²,  ψ_i = (1−t_i)·x0_i + t_i·x1_i,
//
// with x0_i ~ N(0, Std²·I) and t_i ~ U(0, 1) (or skewed, see Spec.TimeSkew)
// drawn from rng. With Spec.OT
// the base points are first re-paired with the data points by minibatch
// optimal transport (see Pair). Its gradient flows into the parameters.
func (m *Model) Loss(t *ad.Tape, x1 []float64, rng *rand.Rand) *ad.Node {
	d := m.Spec.Dim
	if len(x1) == 0 || len(x1)%d != 0 {
		panic(fmt.Sprintf("fm: Loss of %d values, not a batch of %d-dimensional points", len(x1), d))
	}
	n := len(x1) / d
	m.x0 = grow(m.x0, n*d)
	m.psi = grow(m.psi, n*d)
	m.u = grow(m.u, n*d)
	m.ts = grow(m.ts, n)
	for i := range m.x0 {
		m.x0[i] = m.Spec.Std * rng.NormFloat64()
	}
	if m.Spec.OT {
		m.pair.pair(m.x0, x1, d, rng)
	}
	for i := range n {
		tt := rng.Float64()
		if m.Spec.TimeSkew > 0 {
			tt = 1 - math.Pow(1-tt, 1+m.Spec.TimeSkew)
		}
		m.ts[i] = tt
		for j := i * d; j < (i+1)*d; j++ {
			m.psi[j] = (1-tt)*m.x0[j] + tt*x1[j]
			m.u[j] = x1[j] - m.x0[j]
		}
	}
	v := m.forward(t, t.Const(n, d, m.psi), m.ts, true)
	diff := t.Sub(v, t.Const(n, d, m.u))
	return t.Scale(t.Sum(t.Square(diff)), 1/float64(n))
}

// grow returns buf resized to n, reallocating only when it is too small.
func grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
