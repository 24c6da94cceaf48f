package nn

import "math"

// Adam is the optimiser of Kingma & Ba (2015) with bias correction.
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	params []*Param
	m, v   [][]float64
	t      int
}

// NewAdam returns Adam over ps with the paper's defaults β1 0.9, β2 0.999,
// ε 1e-8.
func NewAdam(ps []*Param, lr float64) *Adam {
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: ps}
	for _, p := range ps {
		a.m = append(a.m, make([]float64, len(p.Val)))
		a.v = append(a.v, make([]float64, len(p.Val)))
	}
	return a
}

// Step applies one update from the current gradients, then clears them.
func (a *Adam) Step() {
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	lr := a.LR * math.Sqrt(c2) / c1
	b1, b2, eps := a.Beta1, a.Beta2, a.Eps*math.Sqrt(c2)
	for k, p := range a.params {
		m, v, g, x := a.m[k], a.v[k], p.Grad, p.Val
		_ = m[len(x)-1]
		_ = v[len(x)-1]
		_ = g[len(x)-1]
		for i := range x {
			gi := g[i]
			m[i] = b1*m[i] + (1-b1)*gi
			v[i] = b2*v[i] + (1-b2)*gi*gi
			x[i] -= lr * m[i] / (math.Sqrt(v[i]) + eps)
			g[i] = 0
		}
	}
}

// Steps is the number of updates applied so far.
func (a *Adam) Steps() int { return a.t }

// State is the optimiser's moments and step count, for checkpoints and rollback.
type State struct {
	M, V [][]float64
	T    int
}

// SaveState copies the optimiser's state into s, reusing s's buffers.
func (a *Adam) SaveState(s *State) {
	if len(s.M) != len(a.m) {
		s.M = make([][]float64, len(a.m))
		s.V = make([][]float64, len(a.v))
	}
	for k := range a.m {
		s.M[k] = append(s.M[k][:0], a.m[k]...)
		s.V[k] = append(s.V[k][:0], a.v[k]...)
	}
	s.T = a.t
}

// LoadState restores a state saved by SaveState.
func (a *Adam) LoadState(s *State) {
	for k := range a.m {
		copy(a.m[k], s.M[k])
		copy(a.v[k], s.V[k])
	}
	a.t = s.T
}
