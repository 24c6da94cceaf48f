package nn

import (
	"math"
	"testing"

	"likelab/core/ad"
)

// Adam on f(x) = Σ (x_i − c_i)² must reach the minimum: with lr 0.05 and 2000
// steps the iterate settles far closer than the 1e-3 asked here.
func TestAdamMinimisesQuadratic(t *testing.T) {
	t.Parallel()
	c := []float64{1, -2, 3.5}
	p := NewParam("x", 1, 3)
	opt := NewAdam([]*Param{p}, 0.05)
	tape := ad.NewTape()
	for i := 0; i < 2000; i++ {
		tape.Reset()
		d := tape.Sub(p.Node(tape), tape.Const(1, 3, c))
		tape.Backward(tape.Sum(tape.Square(d)))
		opt.Step()
	}
	for i := range c {
		if math.Abs(p.Val[i]-c[i]) > 1e-3 {
			t.Errorf("test %d: got %v want %v", i, p.Val[i], c[i])
		}
		if p.Grad[i] != 0 {
			t.Errorf("gradient not cleared after Step")
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	t.Parallel()
	p := NewParam("x", 1, 2)
	p.Grad[0], p.Grad[1] = 3, 4
	if n := ClipGradNorm([]*Param{p}, 1); n != 5 {
		t.Errorf("norm before clipping: got %v want 5", n)
	}
	if n := GradNorm([]*Param{p}); math.Abs(n-1) > 1e-15 {
		t.Errorf("norm after clipping: got %v want 1", n)
	}
}

func TestMLPShapesAndDeterminism(t *testing.T) {
	t.Parallel()
	build := func() *MLP { return NewMLP("m", []int{2, 16, 16, 3}, ReLU, false, NewRNG(5, 0)) }
	a, b := build(), build()
	for i, p := range a.Params() {
		for j := range p.Val {
			if p.Val[j] != b.Params()[i].Val[j] {
				t.Fatalf("same seed, different init at %s[%d]", p.Name, j)
			}
		}
	}
	tape := ad.NewTape()
	out := a.Forward(tape, tape.Const(4, 2, make([]float64, 8)))
	if out.R != 4 || out.C != 3 {
		t.Errorf("got %d×%d want 4×3", out.R, out.C)
	}
	if got, want := Count(a.Params()), 2*16+16+16*16+16+16*3+3; got != want {
		t.Errorf("parameter count: got %d want %d", got, want)
	}
	z := NewMLP("z", []int{2, 4, 3}, Tanh, true, NewRNG(1, 0))
	for _, v := range z.Layers[1].W.Val {
		if v != 0 {
			t.Fatalf("zeroLast left a nonzero output weight")
		}
	}
}

func TestAdamStateRoundTrip(t *testing.T) {
	t.Parallel()
	p := NewParam("x", 1, 2)
	opt := NewAdam([]*Param{p}, 0.1)
	p.Grad[0] = 1
	opt.Step()
	var s State
	opt.SaveState(&s)
	p.Grad[1] = 2
	opt.Step()
	opt.LoadState(&s)
	if opt.Steps() != 1 || s.M[0][1] != 0 {
		t.Errorf("state not restored: steps %d, m %v", opt.Steps(), s.M)
	}
}
