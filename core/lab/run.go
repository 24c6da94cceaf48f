package lab

import (
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/nn"
	"likelab/core/train"
)

// FlowRun wires a flow, a 2D (or D-dimensional) target and a trainer
// together: maximum-likelihood training on minibatches drawn from the
// target. The browser scene and the CLI both train through it.
type FlowRun struct {
	Spec    flow.Spec
	Flow    *flow.Flow
	Target  data.Target
	Trainer *train.Trainer
	Batch   int

	rng   *rand.Rand
	batch []float64
}

// NewFlowRun builds the flow spec describes, initialised from seed, to be
// trained on target with Adam at lr on minibatches of batch samples.
func NewFlowRun(spec flow.Spec, target data.Target, lr float64, batch int, seed uint64) (*FlowRun, error) {
	f, err := flow.New(spec, nn.NewRNG(seed, streamInit))
	if err != nil {
		return nil, err
	}
	r := &FlowRun{Spec: spec, Flow: f, Target: target, Batch: batch, rng: nn.NewRNG(seed, streamData)}
	r.batch = make([]float64, batch*spec.Dim)
	r.Trainer = train.New(f.Params(), r.loss, lr)
	return r, nil
}

// The random streams of one seed: initialisation, training batches, model
// samples for pictures, held-out data. Separate streams keep a picture from
// changing the training run.
const (
	streamInit uint64 = iota
	streamData
	streamSamples
	streamHeldOut
)

func (r *FlowRun) loss(t *ad.Tape) *ad.Node {
	r.Target.Sample(r.rng, r.batch)
	return r.Flow.NLL(t, t.Const(r.Batch, r.Spec.Dim, r.batch))
}
