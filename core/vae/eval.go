package vae

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
)

// evalRows bounds the posterior samples one evaluation pass holds (rows of
// the decoder's output): 4096 rows of a 784-pixel image are 25 MiB, large
// enough that gonum's matrix products use every core.
const evalRows = 4096

// EvalELBO writes, for each image of x (n×Input, row-major), the two parts of
// its negative ELBO at one posterior sample into rec and kl (length n each),
// without recording gradients; −ELBO = rec + kl.
func (v *VAE) EvalELBO(x []float64, rng *rand.Rand, rec, kl []float64) {
	n := v.rows(x)
	if len(rec) != n || len(kl) != n {
		panic(fmt.Sprintf("vae: EvalELBO of %d images into %d and %d values", n, len(rec), len(kl)))
	}
	t := noGradTape()
	in := v.Spec.Input()
	for i := 0; i < n; i += evalRows {
		m := min(evalRows, n-i)
		t.Reset()
		p := v.ELBO(t, t.Const(m, in, x[i*in:(i+m)*in]), rng)
		copy(rec[i:i+m], p.Rec.Val)
		copy(kl[i:i+m], p.KL.Val)
	}
}

// EvalIWAE writes the importance-weighted bound with k samples of each image
// of x into dst (length n), without recording gradients. The encoder runs
// once per image; the k samples go through the decoder in passes of at most
// evalRows rows, combined by a running log-sum-exp, so any k fits in memory.
func (v *VAE) EvalIWAE(x []float64, k int, rng *rand.Rand, dst []float64) {
	n := v.rows(x)
	if len(dst) != n || k < 1 {
		panic(fmt.Sprintf("vae: EvalIWAE of %d images with k = %d into %d values", n, k, len(dst)))
	}
	t := noGradTape()
	in, d := v.Spec.Input(), v.Spec.Latent
	nb := max(1, evalRows/k) // images per block
	var mu, lv, cond []float64
	condC := 0
	for i := 0; i < n; i += nb {
		m := min(nb, n-i)
		xb := x[i*in : (i+m)*in]
		t.Reset()
		e := v.Encode(t, t.Const(m, in, xb))
		mu, lv = append(mu[:0], e.Mu.Val...), append(lv[:0], e.LogVar.Val...)
		if e.Cond != nil {
			cond, condC = append(cond[:0], e.Cond.Val...), e.Cond.C
		}
		acc := dst[i : i+m]
		for j := range acc {
			acc[j] = math.Inf(-1)
		}
		kc := max(1, min(k, evalRows/m)) // samples per image per pass
		for done := 0; done < k; done += kc {
			kk := min(kc, k-done)
			t.Reset()
			eb := Encoding{Mu: t.Const(m, d, mu), LogVar: t.Const(m, d, lv)}
			if cond != nil {
				eb.Cond = t.Const(m, condC, cond)
			}
			lse := t.LogSumExpEachRow(v.logWeightsOf(t, t.Const(m, in, xb), eb, kk, rng))
			for j, s := range lse.Val {
				acc[j] = logAddExp(acc[j], s)
			}
		}
		for j := range acc {
			acc[j] -= math.Log(float64(k))
		}
	}
}

func logAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	m := max(a, b)
	return m + math.Log(math.Exp(a-m)+math.Exp(b-m))
}

func noGradTape() *ad.Tape {
	t := ad.NewTape()
	t.NoGrad = true
	return t
}

// rows is the number of images in x, which must be whole rows.
func (v *VAE) rows(x []float64) int {
	in := v.Spec.Input()
	if len(x)%in != 0 {
		panic(fmt.Sprintf("vae: %d values are not whole images of %d", len(x), in))
	}
	return len(x) / in
}
