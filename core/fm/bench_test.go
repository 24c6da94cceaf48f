package fm

import (
	"likelab/core/ad"
	"math/rand/v2"
	"testing"
)

var benchSink float64

// BenchmarkLogProb is one chunk of the scene's density grid: 512 points
// through the default network, exact divergence, RK4.
func BenchmarkLogProb(b *testing.B) {
	m := randomModel(&testing.T{}, DefaultSpec(), 1)
	cnf := m.CNF()
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 2*512)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	dst := make([]float64, 512)
	for b.Loop() {
		cnf.LogProb(x, dst, RK4, 8, nil)
	}
	benchSink = dst[0]
}

// BenchmarkSample is 512 samples with 32 Euler steps.
func BenchmarkSample(b *testing.B) {
	m := randomModel(&testing.T{}, DefaultSpec(), 1)
	cnf := m.CNF()
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 2*512)
	for b.Loop() {
		cnf.Sample(rng, x, Euler, 32)
	}
	benchSink = x[0]
}

// BenchmarkTrainStep is one CFM step's loss and gradient at batch 256, with
// and without minibatch OT.
func BenchmarkTrainStep(b *testing.B) {
	for _, ot := range []bool{false, true} {
		name := "cfm"
		if ot {
			name = "ot-cfm"
		}
		b.Run(name, func(b *testing.B) {
			spec := DefaultSpec()
			spec.OT = ot
			m := randomModel(&testing.T{}, spec, 1)
			rng := rand.New(rand.NewPCG(1, 1))
			x1 := make([]float64, 2*256)
			for i := range x1 {
				x1[i] = 2 * rng.NormFloat64()
			}
			tape := newTape()
			for b.Loop() {
				tape.Reset()
				l := m.Loss(tape, x1, rng)
				tape.Backward(l)
				benchSink = l.Scalar()
			}
		})
	}
}

func newTape() *ad.Tape { return ad.NewTape() }
