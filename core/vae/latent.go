package vae

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// EncodeMeans writes the central code of each image of x into dst
// (n×Latent): the posterior's base mean μ pushed through the flow (for a
// Gaussian posterior simply μ), the point latent paths start and end at.
func (v *VAE) EncodeMeans(x, dst []float64) {
	n, in, d := v.rows(x), v.Spec.Input(), v.Spec.Latent
	if len(dst) != n*d {
		panic(fmt.Sprintf("vae: EncodeMeans of %d images into %d values", n, len(dst)))
	}
	t := noGradTape()
	for i := 0; i < n; i += evalRows {
		m := min(evalRows, n-i)
		t.Reset()
		e := v.Encode(t, t.Const(m, in, x[i*in:(i+m)*in]))
		z, _ := v.posteriorAt(t, e, 1, t.Zeros(m, d))
		copy(dst[i*d:], z.Val)
	}
}

// DecodeMeans writes the image means E[x|z] of the codes z (n×Latent) into
// dst (n×Input), values in [0, 1].
func (v *VAE) DecodeMeans(z, dst []float64) {
	d, in := v.Spec.Latent, v.Spec.Input()
	if len(z)%d != 0 || len(dst) != len(z)/d*in {
		panic(fmt.Sprintf("vae: DecodeMeans of %d values (latent %d) into %d", len(z), d, len(dst)))
	}
	n := len(z) / d
	t := noGradTape()
	for i := 0; i < n; i += evalRows {
		m := min(evalRows, n-i)
		t.Reset()
		copy(dst[i*in:], v.Mean(t, v.Decode(t, t.Const(m, d, z[i*d:(i+m)*d]))).Val)
	}
}

// SampleImages writes the means of len(dst)/Input images decoded from codes
// drawn from the prior N(0, I) into dst.
func (v *VAE) SampleImages(rng *rand.Rand, dst []float64) {
	in, d := v.Spec.Input(), v.Spec.Latent
	z := make([]float64, len(dst)/in*d)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	v.DecodeMeans(z, dst)
}

// Reconstruct writes the decoded central code of each image of x into dst:
// what the model makes of x.
func (v *VAE) Reconstruct(x, dst []float64) {
	z := make([]float64, v.rows(x)*v.Spec.Latent)
	v.EncodeMeans(x, z)
	v.DecodeMeans(z, dst)
}

// LinearPath writes frames evenly spaced points from a to b, both ends
// included, into dst (frames×len(a)).
func LinearPath(dst, a, b []float64, frames int) {
	checkPath(dst, a, b, frames)
	d := len(a)
	for f := 0; f < frames; f++ {
		s := pathT(f, frames)
		for j := range a {
			dst[f*d+j] = (1-s)*a[j] + s*b[j]
		}
	}
}

// SlerpPath writes frames points of the spherical interpolation from a to b
// (Shoemake 1985; for latent codes White 2016, "Sampling Generative
// Networks"): along the great circle between the directions of a and b,
//
//	p(s) = sin((1−s)θ)/sin θ · a + sin(sθ)/sin θ · b,  cos θ = âᵀb̂,
//
// which keeps the norm of a code near that of typical prior draws where a
// straight line would cut through the low-density middle. Nearly parallel
// (θ < slerpMinAngle) or zero codes fall back to the straight line.
func SlerpPath(dst, a, b []float64, frames int) {
	checkPath(dst, a, b, frames)
	na, nb, dot := 0.0, 0.0, 0.0
	for j := range a {
		na += a[j] * a[j]
		nb += b[j] * b[j]
		dot += a[j] * b[j]
	}
	if na == 0 || nb == 0 {
		LinearPath(dst, a, b, frames)
		return
	}
	theta := math.Acos(min(max(dot/math.Sqrt(na*nb), -1), 1))
	if theta < slerpMinAngle {
		LinearPath(dst, a, b, frames)
		return
	}
	d, st := len(a), math.Sin(theta)
	for f := 0; f < frames; f++ {
		s := pathT(f, frames)
		ka, kb := math.Sin((1-s)*theta)/st, math.Sin(s*theta)/st
		for j := range a {
			dst[f*d+j] = ka*a[j] + kb*b[j]
		}
	}
}

// slerpMinAngle is where SlerpPath gives way to a straight line: below it
// sin θ loses digits and the arc and the chord differ by under 1e-6.
const slerpMinAngle = 1e-3

func pathT(f, frames int) float64 {
	if frames == 1 {
		return 0
	}
	return float64(f) / float64(frames-1)
}

func checkPath(dst, a, b []float64, frames int) {
	if len(a) != len(b) || frames < 1 || len(dst) != frames*len(a) {
		panic(fmt.Sprintf("vae: path of %d frames between codes of %d and %d into %d values", frames, len(a), len(b), len(dst)))
	}
}
