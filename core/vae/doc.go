// Package vae is the talk's variational autoencoder: an MLP encoder with μ
// and log σ² heads, the reparameterised sample z = μ + σ·ε, and an MLP
// decoder whose outputs parameterise a Bernoulli (binary images, the loss a
// summed binary cross-entropy) or a Gaussian (colour images, with a fixed or
// learned σ) likelihood p(x|z), under a standard normal prior p(z).
//
// Training maximises the evidence lower bound
//
//	ELBO(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)),
//
// reported as its two parts, reconstruction and KL; the KL is analytic for a
// Gaussian posterior and a Monte Carlo estimate when a flow reshapes it. The
// KL weight β can warm up from 0 (Objective). Evaluation uses the
// importance-weighted bound of Burda et al. (2016), log of the mean of K
// importance weights p(x, z_k)/q(z_k|x), which tightens towards log p(x) as
// K grows.
//
// The posterior q(z|x) is the Gaussian, or the Gaussian sample pushed through
// a normalizing flow whose parameters the encoder emits for each input:
// planar flows (Rezende & Mohamed 2015), inverse autoregressive flows
// (Kingma et al. 2016) or affine couplings (RealNVP, Dinh et al. 2017)
// conditioned on an encoder context. log q is then corrected by the flow's
// log-dets.
//
// Images are rows of a plain []float64 in [0, 1] (n×Input, row-major); latent
// codes likewise (n×Latent). The latent-space helpers (EncodeMeans, Decode,
// LinearPath, SlerpPath) work on such slices, for pictures and morphs.
package vae
