// Package fm is flow matching: a continuous normalizing flow whose velocity
// field v(x, t) is an MLP trained by regression, not by maximum likelihood.
//
// Training follows the conditional flow-matching (CFM) objective of Lipman
// et al. (2023) and Liu et al. (2023) as the talk states it: a base point
// x0 ~ N(0, std²·I), a data point x1, a time t ~ U(0, 1), the point
// ψ = (1−t)·x0 + t·x1 on the straight line between them, and the loss
// ‖v(ψ, t) − (x1 − x0)‖². OT-CFM (Tong et al. 2024) first re-pairs the base
// and data points of a minibatch by an optimal assignment, which makes the
// learned paths straighter, so that few solver steps suffice. For sharp
// targets such as QR codes the network can also see Fourier features of the
// point, and training times can be drawn nearer t = 1, where fine detail is
// learned (Spec.SpaceFreqs, Spec.TimeSkew).
//
// Sampling integrates dx/dt = v(x, t) from t = 0 to 1 with a fixed-step
// solver (Euler, midpoint or classic RK4), reporting the number of velocity
// evaluations (NFE). The exact log-likelihood integrates the instantaneous
// change of variables d/dt log p_t(x(t)) = −div v backwards from the data
// at t = 1 to the base at t = 0, with the divergence computed exactly
// through the tape (one vector-Jacobian product per dimension), or estimated
// by Hutchinson's trace estimator for higher dimensions.
package fm
