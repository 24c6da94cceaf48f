package vae

import (
	"math"
	"math/rand/v2"

	"likelab/core/ad"
)

// Parts are the two terms of the negative ELBO for each input row (R×1
// each): Rec = −log p(x|z) at one posterior sample z, and KL = KL(q(z|x) ‖
// p(z)), analytic for a Gaussian posterior and log q(z|x) − log p(z) at the
// same z when a flow reshapes the posterior. −ELBO = Rec + KL.
type Parts struct {
	Rec, KL *ad.Node
}

// ELBO records the parts of the ELBO of the rows of x (n×Input), one
// posterior sample each, noise from rng.
func (v *VAE) ELBO(t *ad.Tape, x *ad.Node, rng *rand.Rand) Parts {
	return v.elbo(t, x, rng, v.Flow == nil)
}

// elbo is ELBO with the choice of the KL estimate: analytic (only for a
// Gaussian posterior) or the single-sample Monte Carlo one.
func (v *VAE) elbo(t *ad.Tape, x *ad.Node, rng *rand.Rand, analytic bool) Parts {
	e := v.Encode(t, x)
	z, logq := v.SamplePosterior(t, e, 1, rng)
	rec := t.Neg(v.LogLikelihood(t, x, v.Decode(t, z)))
	if analytic {
		return Parts{Rec: rec, KL: t.KLStdNormalEachRow(e.Mu, e.LogVar)}
	}
	return Parts{Rec: rec, KL: t.Sub(logq, t.GaussianLogProbEachRow(z, nil, nil))}
}

// Loss records the training loss of a minibatch x: the batch mean of
// Rec + β·KL, the negative ELBO when β = 1. It returns the parts as well, for
// the metrics.
func (v *VAE) Loss(t *ad.Tape, x *ad.Node, beta float64, rng *rand.Rand) (*ad.Node, Parts) {
	p := v.ELBO(t, x, rng)
	return t.Mean(t.Add(p.Rec, t.Scale(p.KL, beta))), p
}

// LogWeights records the n×k log importance weights of the rows of x,
//
//	log w_ik = log p(x_i | z_ik) + log p(z_ik) − log q(z_ik | x_i),
//
// for k posterior samples z_ik per input (noise from rng). The mean of one
// row is an unbiased estimate of the ELBO of its input; IWAE turns a row into
// the tighter importance-weighted bound.
func (v *VAE) LogWeights(t *ad.Tape, x *ad.Node, k int, rng *rand.Rand) *ad.Node {
	return v.logWeightsOf(t, x, v.Encode(t, x), k, rng)
}

func (v *VAE) logWeightsOf(t *ad.Tape, x *ad.Node, e Encoding, k int, rng *rand.Rand) *ad.Node {
	z, logq := v.SamplePosterior(t, e, k, rng)
	xr := x
	if k > 1 {
		xr = t.RepeatRows(x, k)
	}
	lw := t.Sub(t.Add(v.LogLikelihood(t, xr, v.Decode(t, z)), t.GaussianLogProbEachRow(z, nil, nil)), logq)
	return t.Reshape(lw, x.R, k)
}

// IWAE records the importance-weighted bound (Burda et al. 2016, eq. 8) of
// each row of the n×k log weights: log (1/k) Σ_j w_j, computed stably. It is
// a lower bound on log p(x) that never decreases in expectation as k grows,
// and equals the single-sample ELBO estimate at k = 1.
func IWAE(t *ad.Tape, logw *ad.Node) *ad.Node {
	return t.AddScalar(t.LogSumExpEachRow(logw), -math.Log(float64(logw.C)))
}
