package nn

import "math/rand/v2"

// NewRNG returns the deterministic random source of a run with this seed:
// the same seed gives the same run, bit for bit, on one platform. A second
// stream for the same seed (say, held-out data) takes a different stream number.
func NewRNG(seed, stream uint64) *rand.Rand {
	// The second PCG word separates streams; the odd constant (from
	// splitmix64) keeps stream 0 of seed s away from stream s of seed 0.
	return rand.New(rand.NewPCG(seed, stream*0x9e3779b97f4a7c15+1))
}
