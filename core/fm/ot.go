package fm

import (
	"math"
	"math/rand/v2"
)

// ExactMax is the largest minibatch that Pair matches by an exact optimal
// assignment; the Hungarian method costs O(n³), at 256 points about as much
// as a training step of the default network (BenchmarkTrainStep: 23 ms for
// CFM, 50 ms for OT-CFM on a busy 2-core machine). Larger batches use
// Sinkhorn's entropic plan instead.
const ExactMax = 256

// Sinkhorn settings for batches above ExactMax. The entropic regularisation
// is SinkhornReg times the largest squared distance in the batch, so that
// the Gibbs kernel exp(−C/ε) ≥ e^−200 ≈ 1e−87 never underflows a float64
// (smallest normal ≈ 1e−308) and plain (not log-domain) scaling iterations
// are safe (should they still fail, pair falls back to the exact method);
// SinkhornIters iterations bring the marginals within a few percent, which
// is all a minibatch coupling needs (torchcfm also uses an approximate plan).
const (
	SinkhornReg   = 0.005
	SinkhornIters = 100
)

// pairer re-orders base points to match data points, keeping its scratch.
type pairer struct {
	cost, kern, scaleU, scaleV, tmp []float64
	perm                            []int
	hung                            hungarian
}

// pair permutes the rows of x0 (n×d) in place so that x0_i is matched with
// x1_i: exactly minimising Σ‖x0_i − x1_i‖² for n ≤ ExactMax, otherwise by
// drawing x0's row for each x1_i from Sinkhorn's plan (with replacement).
func (p *pairer) pair(x0, x1 []float64, d int, rng *rand.Rand) {
	n := len(x1) / d
	p.cost = grow(p.cost, n*n)
	sqDistances(p.cost, x1, x0, d)
	if cap(p.perm) < n {
		p.perm = make([]int, n)
	}
	perm := p.perm[:n]
	if n > ExactMax && p.sinkhornDraw(n, perm, rng) {
		// drawn from the entropic plan
	} else {
		p.hung.assign(p.cost, n, perm)
	}
	p.tmp = grow(p.tmp, n*d)
	copy(p.tmp, x0)
	for i, j := range perm {
		copy(x0[i*d:(i+1)*d], p.tmp[j*d:(j+1)*d])
	}
}

// sqDistances fills c (n×n) with c_ij = ‖a_i − b_j‖².
func sqDistances(c, a, b []float64, d int) {
	n := len(a) / d
	for i := range n {
		ai := a[i*d : (i+1)*d]
		for j := range n {
			bj := b[j*d : (j+1)*d]
			s := 0.0
			for k, v := range ai {
				e := v - bj[k]
				s += e * e
			}
			c[i*n+j] = s
		}
	}
}

// Pair is the minibatch coupling on its own, for tests and pictures: it
// returns perm with x0's row perm[i] matched to x1's row i, as Loss uses it.
// x0 is not changed.
func Pair(x0, x1 []float64, d int, rng *rand.Rand) []int {
	var p pairer
	p.pair(append([]float64(nil), x0...), x1, d, rng)
	return append([]int(nil), p.perm[:len(x1)/d]...)
}

// sinkhornDraw computes the entropic OT plan between uniform marginals for
// the cost in p.cost and draws, for each row i, a column j with probability
// proportional to the plan's row i. It reports false, drawing nothing, if
// the scalings stopped being finite.
func (p *pairer) sinkhornDraw(n int, perm []int, rng *rand.Rand) bool {
	cmax := 0.0
	for _, c := range p.cost {
		cmax = max(cmax, c)
	}
	eps := SinkhornReg * max(cmax, 1e-300)
	p.kern = grow(p.kern, n*n)
	for i, c := range p.cost {
		p.kern[i] = math.Exp(-c / eps)
	}
	p.scaleU = grow(p.scaleU, n)
	p.scaleV = grow(p.scaleV, n)
	u, v, k := p.scaleU, p.scaleV, p.kern
	for j := range v {
		v[j] = 1
	}
	for range SinkhornIters {
		// u = a / (K v), v = b / (Kᵀ u) with a = b = 1 (the 1/n cancels).
		for i := range n {
			s := 0.0
			for j, kv := range k[i*n : (i+1)*n] {
				s += kv * v[j]
			}
			u[i] = 1 / s
		}
		clear(v)
		for i := range n {
			ui := u[i]
			for j, kv := range k[i*n : (i+1)*n] {
				v[j] += kv * ui
			}
		}
		for j := range v {
			v[j] = 1 / v[j]
		}
	}
	for i := range n {
		if math.IsInf(u[i], 0) || math.IsNaN(u[i]) || math.IsInf(v[i], 0) || math.IsNaN(v[i]) {
			return false
		}
	}
	for i := range n {
		row := k[i*n : (i+1)*n]
		total := 0.0
		for j, kv := range row {
			total += kv * v[j]
		}
		r := rng.Float64() * total
		perm[i] = n - 1
		for j, kv := range row {
			r -= kv * v[j]
			if r < 0 {
				perm[i] = j
				break
			}
		}
	}
	return true
}

// hungarian solves the square assignment problem by the Hungarian method with
// potentials (Kuhn–Munkres in the O(n³) shortest-augmenting-path form of
// Jonker & Volgenant, as in e-maxx.ru's classic implementation).
type hungarian struct {
	u, v, minv []float64
	p, way     []int
	used       []bool
}

// assign writes into perm (length n) the column assigned to each row of the
// n×n cost matrix c (row-major) so that Σ_i c[i, perm[i]] is minimal.
func (h *hungarian) assign(c []float64, n int, perm []int) {
	h.u = grow(h.u, n+1)
	h.v = grow(h.v, n+1)
	h.minv = grow(h.minv, n+1)
	if cap(h.p) < n+1 {
		h.p, h.way, h.used = make([]int, n+1), make([]int, n+1), make([]bool, n+1)
	}
	u, v, minv := h.u, h.v, h.minv
	p, way, used := h.p[:n+1], h.way[:n+1], h.used[:n+1]
	clear(u)
	clear(v)
	clear(p)
	clear(way)
	inf := math.Inf(1)
	// Rows and columns are 1-based below; column 0 is the virtual start.
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = inf
		}
		clear(used)
		for {
			used[j0] = true
			i0 := p[j0]
			delta, j1 := inf, 0
			row := c[(i0-1)*n : i0*n]
			ui := u[i0]
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				if cur := row[j-1] - ui - v[j]; cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	for j := 1; j <= n; j++ {
		perm[p[j]-1] = j - 1
	}
}
