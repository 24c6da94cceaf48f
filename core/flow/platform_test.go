package flow

import (
	"math"
	"testing"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/train"
)

// TestSameRunEverywhere pins the loss after 30 steps of a small seeded run to
// the value measured natively on linux/amd64, so the js/wasm build (run under
// Node by make test) is checked to train the same model. Different matmul
// kernels and math libraries change the last bits of a sum, never more:
// 1e-9 relative is a thousand times the drift such differences cause over 30
// steps here, and far below what a wrong gradient or RNG stream would cause.
func TestSameRunEverywhere(t *testing.T) {
	t.Parallel()
	const want = 2.9722618123388411 // go test -run SameRunEverywhere -v, linux/amd64
	f, err := New(Spec{Model: "realnvp", Dim: 2, Layers: 4, Hidden: 16}, nn.NewRNG(42, 0))
	if err != nil {
		t.Fatal(err)
	}
	target, _ := data.Lookup("double-gaussian")
	rng := nn.NewRNG(42, 1)
	buf := make([]float64, 2*64)
	tr := train.New(f.Params(), func(tp *ad.Tape) *ad.Node {
		target.Sample(rng, buf)
		return f.NLL(tp, tp.Const(64, 2, buf))
	}, 1e-2)
	var m train.Metrics
	for i := 0; i < 30; i++ {
		if m, err = tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("loss after 30 steps: %.17g", m.Loss)
	if math.Abs(m.Loss-want) > 1e-9*math.Abs(want) {
		t.Errorf("loss after 30 steps: got %.17g want %.17g", m.Loss, want)
	}
}
