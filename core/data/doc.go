// Package data holds the 2D targets that likelab's flows learn, looked up by
// name, and the loader for a user's own points.
//
// A Target draws points and says where to look at them (Bounds). Targets
// whose normalized density is known also implement LogDensity; together with
// Entropy this gives the lowest negative log-likelihood a model can reach on
// them, the floor drawn under a training curve.
//
// The named targets are registered in a registry (Register, Lookup, Names)
// so that other packages can add families of targets under a prefix, such as
// "qr:TEXT", without this package knowing about them.
//
// Points are stored interleaved, x0, y0, x1, y1, …, in one []float64.
package data
