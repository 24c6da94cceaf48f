// Package nn holds trainable parameters and the layers built from them —
// Linear, MLP, MADE — with their initialisers, the Adam optimiser, gradient
// clipping and the seeded random source every run is reproduced from.
package nn
