package vae

import (
	"testing"

	"likelab/core/nn"
	"likelab/core/train"
)

// mnistTrainer is the MNIST model, 784-400-20 with ReLU, on random
// grey images (speed does not depend on the pixels), batch 100, Adam 1e-3.
func mnistTrainer(b *testing.B, posterior string) *train.Trainer {
	v, err := New(Spec{Width: 28, Height: 28, Channels: 1, Latent: 20, Hidden: []int{400}, Likelihood: "bernoulli", Posterior: posterior}, nn.NewRNG(1, 0))
	if err != nil {
		b.Fatal(err)
	}
	rng := nn.NewRNG(2, 0)
	x := make([]float64, 1000*784)
	for i := range x {
		x[i] = rng.Float64()
	}
	o := NewObjective(v, x, 100, rng)
	o.Binarize = true
	return train.New(v.Params(), o.Loss, 1e-3)
}

var benchLoss float64

func benchmarkStep(b *testing.B, posterior string) {
	tr := mnistTrainer(b, posterior)
	for i := 0; i < 3; i++ {
		tr.Step()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, _ := tr.Step()
		benchLoss = m.Loss
	}
}

func BenchmarkMNISTStepGaussian(b *testing.B) { benchmarkStep(b, "gaussian") }
func BenchmarkMNISTStepPlanar(b *testing.B)   { benchmarkStep(b, "planar") }
func BenchmarkMNISTStepIAF(b *testing.B)      { benchmarkStep(b, "iaf") }
