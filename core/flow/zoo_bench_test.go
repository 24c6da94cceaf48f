package flow

import (
	"testing"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/train"
)

// zooTrainer trains the family model with layers layers of width hidden on
// the double Gaussian, batch 256, Adam 1e-3: the size issue 3 compares the
// families at (8 layers, hidden 64).
func zooTrainer(tb testing.TB, model string, layers, hidden int) (*Flow, *train.Trainer) {
	s := Defaults(model, 2)
	s.Layers, s.Hidden = layers, hidden
	f, err := New(s, nn.NewRNG(1, 0))
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

func benchmarkZooStep(b *testing.B, model string, layers, hidden int) {
	f, tr := zooTrainer(b, model, layers, hidden)
	for range 5 {
		tr.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m, _ := tr.Step()
		benchLoss = m.Loss
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(nn.Count(f.Params())), "params")
}

func BenchmarkZooStepRealNVP(b *testing.B) { benchmarkZooStep(b, "realnvp", 8, 64) }
func BenchmarkZooStepNSF(b *testing.B)     { benchmarkZooStep(b, "nsf", 8, 64) }
func BenchmarkZooStepMAF(b *testing.B)     { benchmarkZooStep(b, "maf", 8, 64) }
func BenchmarkZooStepIAF(b *testing.B)     { benchmarkZooStep(b, "iaf", 8, 64) }
func BenchmarkZooStepPlanar(b *testing.B)  { benchmarkZooStep(b, "planar", 8, 64) }
func BenchmarkZooStepRadial(b *testing.B)  { benchmarkZooStep(b, "radial", 8, 64) }

// BenchmarkZooSample draws 256 samples (the inverse direction) from each
// family at 8 layers of 64: where IAF is fast and MAF, planar and radial pay.
func BenchmarkZooSample(b *testing.B) {
	for _, model := range Models {
		b.Run(model, func(b *testing.B) {
			f, _ := zooTrainer(b, model, 8, 64)
			t := ad.NewTape()
			t.NoGrad = true
			rng := nn.NewRNG(3, 0)
			b.ResetTimer()
			for range b.N {
				t.Reset()
				benchLoss = f.Sample(t, rng, 256).Val[0]
			}
			b.ReportMetric(float64(b.N)*256/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// TestZooStepAllocatesNothing: a warm training step of every family reuses
// every buffer, as TestTalkFlowStepAllocatesNothing asks of the talk's flow.
func TestZooStepAllocatesNothing(t *testing.T) {
	for _, model := range Models {
		t.Run(model, func(t *testing.T) {
			_, tr := zooTrainer(t, model, 4, 16)
			tr.Step()
			if a := testing.AllocsPerRun(3, func() { tr.Step() }); a != 0 {
				t.Errorf("%s: a warm step allocated %v times, want 0", model, a)
			}
		})
	}
}
