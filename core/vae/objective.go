package vae

import (
	"fmt"
	"math/rand/v2"

	"likelab/core/ad"
)

// Objective is the training loss of a VAE over a fixed set of images, in the
// shape core/train's Trainer drives (Loss is a train.LossFunc). Each call
// draws the next minibatch of a shuffled pass over the data (a new shuffle
// each epoch, the last incomplete batch of a pass dropped), optionally
// binarises it afresh, and records the batch mean of Rec + β·KL.
type Objective struct {
	VAE *VAE
	// Data holds the training images, n×Input in [0, 1].
	Data  []float64
	Batch int
	// Binarize replaces each pixel value p by a draw from Bernoulli(p)
	// every time the image is used: dynamic binarisation, the usual
	// treatment of MNIST for a Bernoulli likelihood, which also keeps the
	// model from overfitting to grey levels.
	Binarize bool
	// Beta weights the KL term once warm-up is over (1: the ELBO).
	Beta float64
	// WarmUp is the number of steps over which β rises linearly from 0 to
	// Beta (Bowman et al. 2016; Sønderby et al. 2016), letting the decoder
	// use the code before the KL term pulls it to the prior. 0: none.
	WarmUp int
	RNG    *rand.Rand
	// Last holds the batch means of the parts of the last step and its β.
	Last struct{ Rec, KL, Beta float64 }

	calls, passes int
	perm          []int
	pos           int
}

// NewObjective returns the ELBO objective (β = 1, no warm-up) of v over data
// in minibatches of batch images, drawn with rng.
func NewObjective(v *VAE, data []float64, batch int, rng *rand.Rand) *Objective {
	n := v.rows(data)
	if batch < 1 || batch > n {
		panic(fmt.Sprintf("vae: minibatches of %d from %d images", batch, n))
	}
	return &Objective{VAE: v, Data: data, Batch: batch, Beta: 1, RNG: rng}
}

// BetaAt is the KL weight of step s (counting from 0).
func (o *Objective) BetaAt(s int) float64 {
	if o.WarmUp <= 0 || s >= o.WarmUp {
		return o.Beta
	}
	return o.Beta * float64(s) / float64(o.WarmUp)
}

// StepsPerEpoch is the number of minibatches in one pass over the data.
func (o *Objective) StepsPerEpoch() int { return o.VAE.rows(o.Data) / o.Batch }

// Epoch is how many passes over the data the steps so far have made.
func (o *Objective) Epoch() float64 {
	return float64(o.passes) + float64(o.pos)/float64(o.StepsPerEpoch()*o.Batch)
}

// Loss records the loss of the next minibatch.
func (o *Objective) Loss(t *ad.Tape) *ad.Node {
	x := t.Input(o.Batch, o.VAE.Spec.Input())
	o.fill(x.Val)
	beta := o.BetaAt(o.calls)
	o.calls++
	loss, p := o.VAE.Loss(t, x, beta, o.RNG)
	o.Last.Rec, o.Last.KL, o.Last.Beta = mean(p.Rec.Val), mean(p.KL.Val), beta
	return loss
}

// fill writes the next minibatch into dst (Batch×Input).
func (o *Objective) fill(dst []float64) {
	in := o.VAE.Spec.Input()
	n := len(o.Data) / in
	if o.perm == nil || o.pos+o.Batch > n {
		if o.perm != nil {
			o.passes++
		} else {
			o.perm = make([]int, n)
			for i := range o.perm {
				o.perm[i] = i
			}
		}
		o.RNG.Shuffle(n, func(i, j int) { o.perm[i], o.perm[j] = o.perm[j], o.perm[i] })
		o.pos = 0
	}
	for r, idx := range o.perm[o.pos : o.pos+o.Batch] {
		row, src := dst[r*in:(r+1)*in], o.Data[idx*in:(idx+1)*in]
		if o.Binarize {
			for j, p := range src {
				row[j] = 0
				if o.RNG.Float64() < p {
					row[j] = 1
				}
			}
		} else {
			copy(row, src)
		}
	}
	o.pos += o.Batch
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
