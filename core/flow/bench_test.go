package flow

import (
	"testing"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/train"
)

// talkFlowTrainer is the benchmarked model of the talk (and of the TF.js
// reference in ../shared/anchors/tfjs): 8 affine couplings, conditioner MLP
// 1→128→128→2 with ReLU, batch 256 from the double Gaussian, Adam 1e-3.
func talkFlowTrainer(tb testing.TB) (*Flow, *train.Trainer) {
	f, err := New(Spec{Model: "realnvp", Dim: 2, Layers: 8, Hidden: 128}, nn.NewRNG(1, 0))
	if err != nil {
		tb.Fatal(err)
	}
	target, _ := data.Lookup("double-gaussian")
	rng := nn.NewRNG(7, 1)
	const batch = 256
	buf := make([]float64, 2*batch)
	tr := train.New(f.Params(), func(tp *ad.Tape) *ad.Node {
		target.Sample(rng, buf)
		return f.NLL(tp, tp.Const(batch, 2, buf))
	}, 1e-3)
	return f, tr
}

var benchLoss float64

func BenchmarkTalkFlowStep(b *testing.B) {
	_, tr := talkFlowTrainer(b)
	for i := 0; i < 5; i++ {
		tr.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, _ := tr.Step()
		benchLoss = m.Loss
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkTalkFlowGrid128 evaluates the talk's flow's density on a 128×128
// grid (16 384 points), as the TF.js reference does.
func BenchmarkTalkFlowGrid128(b *testing.B) {
	f, _ := talkFlowTrainer(b)
	const n = 128 * 128
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		x[2*i] = -4 + 8*float64(i%128)/127
		x[2*i+1] = -4 + 8*float64(i/128)/127
	}
	lp := make([]float64, n)
	t := ad.NewTape()
	f.EvalLogProb(t, x, lp, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.EvalLogProb(t, x, lp, 4096)
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/grid")
}

// TestTalkFlowStepAllocatesNothing: a warm training step of the talk's flow
// reuses every buffer (the tape's, the optimiser's, the batch's).
func TestTalkFlowStepAllocatesNothing(t *testing.T) {
	_, tr := talkFlowTrainer(t)
	tr.Step()
	if a := testing.AllocsPerRun(3, func() { tr.Step() }); a != 0 {
		t.Errorf("a warm step allocated %v times, want 0", a)
	}
}
