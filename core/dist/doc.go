// Package dist holds the probability distributions likelab needs outside the
// autodiff tape: standard and diagonal normals, full-covariance Gaussian
// mixtures and Bernoulli products. Everything works on plain float64 slices.
//
// A point of a D-dimensional distribution is a []float64 of length D; a batch
// of points is stored row-major in one slice whose length is a multiple of D.
// Sample methods fill such a batch, so hot loops can reuse one buffer.
//
// Log-probabilities are natural logarithms of densities (continuous
// distributions) or of probability masses (Bernoulli).
package dist
