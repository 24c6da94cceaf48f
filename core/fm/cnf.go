package fm

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
)

// CNF is a continuous normalizing flow: the base N(0, Std²·I) at t = 0
// carried along a velocity Field to t = 1. It runs the field's ODE on
// batches of points and keeps a tape and scratch for that, so it allocates
// little once warm; it is not safe for concurrent use.
type CNF struct {
	Field Field
	Std   float64
	// Probes > 0 replaces the exact divergence by Hutchinson's estimator
	// with that many Rademacher probe vectors per point (drawn once per
	// LogProb call, as FFJORD does, so the ODE stays smooth). 0 computes it
	// exactly with Dim vector-Jacobian products.
	Probes int

	tape                  *ad.Tape
	in                    Integrator
	ts, xs, gs, seed, aug []float64
}

// NewCNF returns the flow of f from N(0, std²·I).
func NewCNF(f Field, std float64) *CNF {
	if !(std > 0) {
		panic(fmt.Sprintf("fm: CNF with base std %v", std))
	}
	return &CNF{Field: f, Std: std, tape: ad.NewTape()}
}

// CNF returns the model's flow from its base distribution.
func (m *Model) CNF() *CNF { return NewCNF(m, m.Spec.Std) }

// times returns the scratch slice of n times, all equal to t.
func (c *CNF) times(n int, t float64) []float64 {
	c.ts = grow(c.ts, n)
	for i := range c.ts {
		c.ts[i] = t
	}
	return c.ts
}

// Velocity writes v(x_i, t) for the rows of x (n×Dim) into dst.
func (c *CNF) Velocity(x []float64, t float64, dst []float64) {
	d := c.Field.Dim()
	n := c.rows(x)
	if len(dst) != len(x) {
		panic(fmt.Sprintf("fm: Velocity of %d values into %d", len(x), len(dst)))
	}
	c.tape.Reset()
	c.tape.NoGrad = true
	v := c.Field.Velocity(c.tape, c.tape.Const(n, d, x), c.times(n, t))
	copy(dst, v.Val)
}

func (c *CNF) rows(x []float64) int {
	d := c.Field.Dim()
	if len(x)%d != 0 {
		panic(fmt.Sprintf("fm: %d values are not a batch of %d-dimensional points", len(x), d))
	}
	return len(x) / d
}

// SampleBase fills dst with draws from the base N(0, Std²·I).
func (c *CNF) SampleBase(rng *rand.Rand, dst []float64) {
	for i := range dst {
		dst[i] = c.Std * rng.NormFloat64()
	}
}

// Transport carries the points x (n×Dim, in place) along the field from
// time t0 to t1 in steps steps of method m, calls observe as Integrator.Solve
// does (for trajectories), and returns the number of velocity evaluations
// per point (NFE).
func (c *CNF) Transport(x []float64, t0, t1 float64, m Method, steps int, observe func(k int, t float64, x []float64)) int {
	d := c.Field.Dim()
	f := func(t float64, y, dy []float64) {
		n := len(y) / d
		c.tape.Reset()
		c.tape.NoGrad = true
		v := c.Field.Velocity(c.tape, c.tape.Const(n, d, y), c.times(n, t))
		copy(dy, v.Val)
	}
	c.rows(x)
	return c.in.Solve(m, f, x, t0, t1, steps, observe)
}

// Sample fills dst (n×Dim) with draws from the flow: base draws carried from
// t = 0 to 1. It returns the NFE.
func (c *CNF) Sample(rng *rand.Rand, dst []float64, m Method, steps int) int {
	c.SampleBase(rng, dst)
	return c.Transport(dst, 0, 1, m, steps, nil)
}

// LogProb writes log p_1(x_i) for the rows of x (n×Dim) into dst (length n):
// the instantaneous change of variables d/dt log p_t(x(t)) = −div v(x(t), t)
// integrated backwards from x at t = 1 to the base at t = 0,
//
//	log p_1(x(1)) = log N(x(0); 0, Std²·I) − ∫₀¹ div v(x(t), t) dt,
//
// with method m in steps steps on the augmented state [x, ∫ div v]. The
// divergence is exact (Probes = 0) or Hutchinson's estimate, for which rng
// draws the probes (it may be nil when Probes = 0). It returns the NFE; each
// evaluation costs a forward and a backward pass on Dim (or Probes) copies
// of the batch.
func (c *CNF) LogProb(x, dst []float64, m Method, steps int, rng *rand.Rand) int {
	d := c.Field.Dim()
	n := c.rows(x)
	if len(dst) != n {
		panic(fmt.Sprintf("fm: LogProb of %d points into %d values", n, len(dst)))
	}
	k, weight := c.probes(n, rng)
	f := func(t float64, y, dy []float64) {
		c.divergence(y[:n*d], t, k, weight, dy[:n*d], dy[n*d:])
	}
	c.aug = grow(c.aug, n*d+n)
	copy(c.aug, x)
	clear(c.aug[n*d:])
	nfe := c.in.Solve(m, f, c.aug, 1, 0, steps, nil)
	c.tape.NoGrad = true
	for i := range n {
		dst[i] = c.baseLogProb(c.aug[i*d:(i+1)*d]) + c.aug[n*d+i]
	}
	return nfe
}

// probes fills c.seed for n points and returns the number of seed blocks
// and the weight of each block's vector-Jacobian product in the trace.
func (c *CNF) probes(n int, rng *rand.Rand) (k int, weight float64) {
	d := c.Field.Dim()
	k = d
	if c.Probes > 0 {
		k = c.Probes
	}
	// seed block b, row i is the vector u_b whose u_bᵀ·J·u_b is summed: e_b
	// for the exact trace, a Rademacher draw for Hutchinson's.
	c.seed = grow(c.seed, k*n*d)
	if c.Probes > 0 {
		if rng == nil {
			panic("fm: Hutchinson LogProb without an rng")
		}
		for i := range c.seed {
			c.seed[i] = float64(2*int(rng.Uint64()&1) - 1)
		}
	} else {
		clear(c.seed)
		for b := range k {
			for i := range n {
				c.seed[(b*n+i)*d+b] = 1
			}
		}
	}
	if c.Probes > 0 {
		return k, 1 / float64(c.Probes)
	}
	return k, 1
}

// Divergence writes v(x_i, t) into v and div v(x_i, t) into div for the rows
// of x (n×Dim): exactly, from Dim vector-Jacobian products through the tape
// (one forward and one backward pass over Dim stacked copies of the batch),
// or by Hutchinson's estimator when Probes > 0, with probes drawn from rng.
func (c *CNF) Divergence(x []float64, t float64, rng *rand.Rand, v, div []float64) {
	n := c.rows(x)
	if len(v) != len(x) || len(div) != n {
		panic(fmt.Sprintf("fm: Divergence of %d points into %d velocities and %d divergences", n, len(v), len(div)))
	}
	k, weight := c.probes(n, rng)
	c.divergence(x, t, k, weight, v, div)
}

// divergence is Divergence with the probes of c.seed in k blocks.
func (c *CNF) divergence(x []float64, t float64, k int, weight float64, v, div []float64) {
	d := c.Field.Dim()
	n := len(x) / d
	c.xs, c.gs = grow(c.xs, k*n*d), grow(c.gs, k*n*d)
	for b := range k {
		copy(c.xs[b*n*d:], x)
	}
	clear(c.gs)
	tp := c.tape
	tp.Reset()
	tp.NoGrad = false
	xn := tp.Param(k*n, d, c.xs, c.gs)
	vn := c.Field.Velocity(tp, xn, c.times(k*n, t))
	// Σ over rows of u_rowᵀ·v(x_row): its gradient in x_row is u_rowᵀ·J.
	tp.Backward(tp.Sum(tp.Mul(vn, tp.Const(k*n, d, c.seed))))
	copy(v, vn.Val[:n*d])
	for i := range n {
		s := 0.0
		for b := range k {
			o := (b*n + i) * d
			for j := o; j < o+d; j++ {
				s += c.gs[j] * c.seed[j]
			}
		}
		div[i] = weight * s
	}
	tp.NoGrad = true
}

// baseLogProb is log N(z; 0, Std²·I).
func (c *CNF) baseLogProb(z []float64) float64 {
	s := 0.0
	for _, v := range z {
		s += v * v
	}
	d := float64(len(z))
	return -0.5*s/(c.Std*c.Std) - d*math.Log(c.Std) - 0.5*d*math.Log(2*math.Pi)
}
