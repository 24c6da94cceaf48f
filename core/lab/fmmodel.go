package lab

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/fm"
)

// LogProbSteps is the number of RK4 steps (4 velocity evaluations each) of
// the exact likelihood that Model2D's LogProb computes for fm models. On a
// trained 2D model (fmmodel_test.go) 16 steps agree with 128 to 1.4e-5 nats
// per point, far below what a KL estimate resolves, at an eighth of the cost.
const LogProbSteps = 16

// fmModel2D rebuilds a 2D velocity network as a Model2D.
func fmModel2D(config, weights []byte) (Model2D, error) {
	m, _, err := FMFile.Decode(config, weights)
	if err != nil {
		return nil, err
	}
	return NewFMModel2D(m)
}

// FMModel2D is a 2D velocity network as a Model2D: LogProb is the exact ODE
// likelihood (RK4, LogProbSteps steps) and Sample uses the solver and NFE
// budget its spec names.
type FMModel2D struct {
	Model *fm.Model
	cnf   *fm.CNF
}

// NewFMModel2D wraps m, which must model 2D points.
func NewFMModel2D(m *fm.Model) (*FMModel2D, error) {
	if m.Spec.Dim != 2 {
		return nil, fmt.Errorf("%w: the fm model is %d-dimensional, not a model of 2D points", ErrModel, m.Spec.Dim)
	}
	return &FMModel2D{Model: m, cnf: m.CNF()}, nil
}

// fmChunk bounds the points integrated at once: the likelihood's tape holds
// two stacked copies of a chunk through the whole network.
const fmChunk = 1024

// LogProb writes the exact log-density of each row of x into dst.
func (m *FMModel2D) LogProb(x, dst []float64) {
	for i := 0; i < len(dst); i += fmChunk {
		n := min(fmChunk, len(dst)-i)
		m.cnf.LogProb(x[2*i:2*(i+n)], dst[i:i+n], fm.RK4, LogProbSteps, nil)
	}
}

// Sample writes len(dst)/2 draws into dst with the spec's solver and NFE.
func (m *FMModel2D) Sample(rng *rand.Rand, dst []float64) {
	meth, err := fm.ParseMethod(m.Model.Spec.Solver)
	if err != nil {
		panic("lab: fm model with an unchecked solver: " + err.Error())
	}
	steps := meth.StepsFor(m.Model.Spec.NFE)
	for i := 0; i < len(dst); i += 2 * fmChunk {
		n := min(2*fmChunk, len(dst)-i)
		m.cnf.Sample(rng, dst[i:i+n], meth, steps)
	}
}
