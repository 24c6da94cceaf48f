package lab

import (
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/fm"
	"likelab/core/nn"
	"likelab/core/train"
)

// FMRun wires a velocity network, a target and a trainer together:
// flow-matching training (CFM, or OT-CFM when the spec says so) on
// minibatches drawn from the target. The fm scene and `likelab train fm`
// both train through it.
type FMRun struct {
	Spec    fm.Spec
	Model   *fm.Model
	Target  data.Target
	Trainer *train.Trainer
	Batch   int

	rng   *rand.Rand
	batch []float64
}

// NewFMRun builds the velocity network spec describes, initialised from
// seed, to be trained on target with Adam at lr on minibatches of batch
// points. Base points and times are drawn from the same stream as the data,
// so a seed fixes the whole run.
func NewFMRun(spec fm.Spec, target data.Target, lr float64, batch int, seed uint64) (*FMRun, error) {
	m, err := fm.New(spec, nn.NewRNG(seed, streamInit))
	if err != nil {
		return nil, err
	}
	r := &FMRun{Spec: spec, Model: m, Target: target, Batch: batch, rng: nn.NewRNG(seed, streamData)}
	r.batch = make([]float64, batch*spec.Dim)
	r.Trainer = train.New(m.Params(), r.loss, lr)
	return r, nil
}

func (r *FMRun) loss(t *ad.Tape) *ad.Node {
	r.Target.Sample(r.rng, r.batch)
	return r.Model.Loss(t, r.batch, r.rng)
}
