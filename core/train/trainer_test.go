package train

import (
	"errors"
	"math"
	"testing"

	"likelab/core/ad"
	"likelab/core/nn"
)

// quadratic is Σ (x − 3)², with a switch that injects a NaN into the loss.
func quadratic(p *nn.Param, poison *bool) LossFunc {
	c := []float64{3, 3}
	return func(t *ad.Tape) *ad.Node {
		l := t.Sum(t.Square(t.Sub(p.Node(t), t.Const(1, 2, c))))
		if *poison {
			l = t.Scale(l, math.NaN())
		}
		return l
	}
}

func TestTrainerConverges(t *testing.T) {
	t.Parallel()
	p := nn.NewParam("x", 1, 2)
	var poison bool
	tr := New([]*nn.Param{p}, quadratic(p, &poison), 0.1)
	var m Metrics
	for i := 0; i < 500; i++ {
		var err error
		if m, err = tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if m.Step != 500 || m.Loss > 1e-4 {
		t.Errorf("after 500 steps: step %d loss %v, want step 500 and loss < 1e-4", m.Step, m.Loss)
	}
}

// TestTrainerRollsBack injects a NaN loss and checks that the trainer reports
// it, goes back to its last snapshot with half the learning rate, and trains on.
func TestTrainerRollsBack(t *testing.T) {
	t.Parallel()
	p := nn.NewParam("x", 1, 2)
	var poison bool
	tr := New([]*nn.Param{p}, quadratic(p, &poison), 0.01)
	for i := 0; i < 60; i++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	poison = true
	_, err := tr.Step()
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("NaN loss: got error %v want ErrDiverged", err)
	}
	if tr.Steps() != 50 || tr.Opt.LR != 0.005 {
		t.Errorf("after rollback: step %d lr %v, want step 50 and lr 0.005", tr.Steps(), tr.Opt.LR)
	}
	if ok, _ := nn.Finite([]*nn.Param{p}); !ok {
		t.Fatalf("parameters not finite after rollback: %v", p.Val)
	}
	poison = false
	for i := 0; i < 10; i++ {
		if _, err := tr.Step(); err != nil {
			t.Fatalf("after rollback: %v", err)
		}
	}
	if tr.Steps() != 60 {
		t.Errorf("got step %d want 60", tr.Steps())
	}
}

// TestTrainerParamBlowUp poisons a parameter itself (as an overflowing update
// would) and checks the rollback.
func TestTrainerParamBlowUp(t *testing.T) {
	t.Parallel()
	p := nn.NewParam("x", 1, 2)
	var poison bool
	tr := New([]*nn.Param{p}, quadratic(p, &poison), 0.01)
	for i := 0; i < 55; i++ {
		tr.Step()
	}
	p.Val[0] = math.Inf(1)
	if _, err := tr.Step(); !errors.Is(err, ErrDiverged) {
		t.Fatalf("got %v want ErrDiverged", err)
	}
	if ok, _ := nn.Finite([]*nn.Param{p}); !ok || tr.Steps() != 50 {
		t.Errorf("after rollback: parameters %v at step %d, want finite at step 50", p.Val, tr.Steps())
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	p := nn.NewParam("x", 1, 2)
	var poison bool
	tr := New([]*nn.Param{p}, quadratic(p, &poison), 0.01)
	tr.Step()
	if a := testing.AllocsPerRun(100, func() { tr.Step() }); a != 0 {
		t.Errorf("warm Step allocated %v times, want 0", a)
	}
}
