package ad

import (
	"fmt"
	"math"
)

// Ops added for variational autoencoders (core/vae): fused per-row
// log-likelihoods that are stable in their parameters and cost one node
// instead of five, the analytic KL of a diagonal Gaussian to N(0, I), and the
// row plumbing of importance-weighted bounds. Their op codes start at 192 so
// they never collide with ops.go (from 0) or ops_more.go (from 128).
const (
	opBCELogits opKind = 192 + iota
	opGaussLogProb
	opKLStdNormal
	opRepeatRows
	opReshape
)

// BCEWithLogitsEachRow records the R×1 column of binary cross-entropies
// Σ_j −[x log σ(l) + (1−x) log(1−σ(l))] between targets x and the Bernoulli
// means σ(l) of logits l, summed over each row: −log p(x) of a product of
// Bernoullis, as the talk's VAE loss. It is computed as softplus(l) − x·l,
// which neither overflows nor loses digits for logits of any size. Targets
// may lie anywhere in [0, 1] (grey levels), not only at 0 or 1.
func (t *Tape) BCEWithLogitsEachRow(logits, x *Node) *Node {
	if logits.R != x.R || logits.C != x.C {
		panic(fmt.Sprintf("ad: BCEWithLogitsEachRow of %d×%d logits and %d×%d targets", logits.R, logits.C, x.R, x.C))
	}
	out := t.node(opBCELogits, logits.R, 1, logits.needGrad || x.needGrad)
	out.a, out.b = logits, x
	c := logits.C
	for i := 0; i < logits.R; i++ {
		s := 0.0
		xr := x.Val[i*c : (i+1)*c]
		for j, l := range logits.Val[i*c : (i+1)*c] {
			s += Softplus(l) - xr[j]*l
		}
		out.Val[i] = s
	}
	return out
}

// GaussianLogProbEachRow records the R×1 column of log N(x; μ, diag(e^v))
// summed over each row of the R×C x:
//
//	Σ_j −½ (log 2π + v_j + (x_j − μ_j)² e^{−v_j}).
//
// mu and logVar may each be x's shape, a 1×C row, an R×1 column or 1×1 (as
// in Add), or nil for 0 — so log N(z; 0, I) is GaussianLogProbEachRow(z,
// nil, nil). Parameterising by the log-variance keeps the variance positive
// without a constraint.
func (t *Tape) GaussianLogProbEachRow(x, mu, logVar *Node) *Node {
	for _, p := range []*Node{mu, logVar} {
		if p != nil && !broadcastable(x, p) {
			panic(fmt.Sprintf("ad: GaussianLogProbEachRow of a %d×%d x with a %d×%d parameter", x.R, x.C, p.R, p.C))
		}
	}
	ng := x.needGrad || (mu != nil && mu.needGrad) || (logVar != nil && logVar.needGrad)
	out := t.node(opGaussLogProb, x.R, 1, ng)
	out.a, out.b, out.c = x, mu, logVar
	c := x.C
	for i := 0; i < x.R; i++ {
		s := 0.0
		for j, v := range x.Val[i*c : (i+1)*c] {
			m, lv := bcastAt(mu, i, j), bcastAt(logVar, i, j)
			d := v - m
			s += lv + d*d*math.Exp(-lv)
		}
		out.Val[i] = -0.5 * (s + float64(c)*log2Pi)
	}
	return out
}

var log2Pi = math.Log(2 * math.Pi)

// bcastIndex is the index into p's values of entry (i, j) of the matrix p is
// broadcast against; bcastAt reads it, 0 for a nil p.
func bcastIndex(p *Node, i, j int) int {
	if p.R == 1 {
		i = 0
	}
	if p.C == 1 {
		j = 0
	}
	return i*p.C + j
}

func bcastAt(p *Node, i, j int) float64 {
	if p == nil {
		return 0
	}
	return p.Val[bcastIndex(p, i, j)]
}

// KLStdNormalEachRow records the R×1 column of KL(N(μ, diag(e^v)) ‖ N(0, I))
// for the rows of mu and logVar (both R×C): ½ Σ_j (μ_j² + e^{v_j} − 1 − v_j),
// the analytic KL term of a VAE with a Gaussian posterior (Kingma & Welling
// 2014, appendix B).
func (t *Tape) KLStdNormalEachRow(mu, logVar *Node) *Node {
	if mu.R != logVar.R || mu.C != logVar.C {
		panic(fmt.Sprintf("ad: KLStdNormalEachRow of %d×%d means and %d×%d log-variances", mu.R, mu.C, logVar.R, logVar.C))
	}
	out := t.node(opKLStdNormal, mu.R, 1, mu.needGrad || logVar.needGrad)
	out.a, out.b = mu, logVar
	c := mu.C
	for i := 0; i < mu.R; i++ {
		s := 0.0
		lr := logVar.Val[i*c : (i+1)*c]
		for j, m := range mu.Val[i*c : (i+1)*c] {
			s += m*m + math.Exp(lr[j]) - 1 - lr[j]
		}
		out.Val[i] = 0.5 * s
	}
	return out
}

// RepeatRows records the (R·k)×C matrix in which each row of a appears k
// times in a row: rows i·k … i·k+k−1 are copies of row i. It feeds k samples
// per input through what the encoder computed once.
func (t *Tape) RepeatRows(a *Node, k int) *Node {
	if k < 1 {
		panic(fmt.Sprintf("ad: RepeatRows %d times", k))
	}
	out := t.node(opRepeatRows, a.R*k, a.C, a.needGrad)
	out.a, out.i0 = a, k
	c := a.C
	for i := 0; i < a.R; i++ {
		row := a.Val[i*c : (i+1)*c]
		for r := 0; r < k; r++ {
			copy(out.Val[(i*k+r)*c:], row)
		}
	}
	return out
}

// Reshape records a's values, row-major, as an r×c matrix: an (R·k)×1 column
// of per-sample values becomes R×k, one row per input.
func (t *Tape) Reshape(a *Node, r, c int) *Node {
	if r*c != a.R*a.C {
		panic(fmt.Sprintf("ad: Reshape of %d×%d to %d×%d", a.R, a.C, r, c))
	}
	out := t.node(opReshape, r, c, a.needGrad)
	out.a = a
	copy(out.Val, a.Val)
	return out
}

// backwardVAE is backward for the ops of this file.
func (n *Node) backwardVAE() {
	switch n.op {
	case opBCELogits:
		l, x, c := n.a, n.b, n.a.C
		for i := 0; i < l.R; i++ {
			g := n.Grad[i]
			for j := 0; j < c; j++ {
				k := i*c + j
				if l.needGrad { // ∂/∂l = σ(l) − x
					l.Grad[k] += g * (sigmoid(l.Val[k]) - x.Val[k])
				}
				if x.needGrad { // ∂/∂x = −l
					x.Grad[k] -= g * l.Val[k]
				}
			}
		}
	case opGaussLogProb:
		backGaussLogProb(n)
	case opKLStdNormal:
		mu, lv, c := n.a, n.b, n.a.C
		for i := 0; i < mu.R; i++ {
			g := n.Grad[i]
			for j := 0; j < c; j++ {
				k := i*c + j
				if mu.needGrad {
					mu.Grad[k] += g * mu.Val[k]
				}
				if lv.needGrad {
					lv.Grad[k] += g * 0.5 * (math.Exp(lv.Val[k]) - 1)
				}
			}
		}
	case opRepeatRows:
		a, k, c := n.a, n.i0, n.a.C
		for i := 0; i < a.R; i++ {
			ag := a.Grad[i*c : (i+1)*c]
			for r := 0; r < k; r++ {
				for j, v := range n.Grad[(i*k+r)*c : (i*k+r+1)*c] {
					ag[j] += v
				}
			}
		}
	case opReshape:
		for i, v := range n.Grad {
			n.a.Grad[i] += v
		}
	default:
		panic("ad: backwardVAE of an op not its own")
	}
}

// backGaussLogProb: with d = x − μ and w = e^{−v}, each term −½(v + d²w)
// has ∂/∂x = −d·w, ∂/∂μ = d·w and ∂/∂v = −½(1 − d²w); broadcast parameters
// collect the sum over the entries they stand beside.
func backGaussLogProb(n *Node) {
	x, mu, lv, c := n.a, n.b, n.c, n.a.C
	gmu := mu != nil && mu.needGrad
	glv := lv != nil && lv.needGrad
	for i := 0; i < x.R; i++ {
		g := n.Grad[i]
		for j := 0; j < c; j++ {
			d := x.Val[i*c+j] - bcastAt(mu, i, j)
			w := math.Exp(-bcastAt(lv, i, j))
			if x.needGrad {
				x.Grad[i*c+j] -= g * d * w
			}
			if gmu {
				mu.Grad[bcastIndex(mu, i, j)] += g * d * w
			}
			if glv {
				lv.Grad[bcastIndex(lv, i, j)] -= g * 0.5 * (1 - d*d*w)
			}
		}
	}
}
