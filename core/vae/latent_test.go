package vae

import (
	"math"
	"testing"

	"likelab/core/ad"
	"likelab/core/nn"
)

func TestPaths(t *testing.T) {
	t.Parallel()
	const tol = 1e-12 // a few roundings of sines and products
	a, b := []float64{3, 0}, []float64{0, 3}
	lin := make([]float64, 3*2)
	LinearPath(lin, a, b, 3)
	if want := []float64{3, 0, 1.5, 1.5, 0, 3}; !close(lin, want, tol) {
		t.Errorf("linear: got %v want %v", lin, want)
	}
	sl := make([]float64, 3*2)
	SlerpPath(sl, a, b, 3)
	// a quarter circle of radius 3: the midpoint is 3·(cos 45°, sin 45°)
	h := 3 / math.Sqrt2
	if want := []float64{3, 0, h, h, 0, 3}; !close(sl, want, tol) {
		t.Errorf("slerp: got %v want %v", sl, want)
	}
	// nearly parallel or zero codes fall back to the line
	for i, tc := range [][2][]float64{{{1, 0}, {2, 1e-9}}, {{0, 0}, {1, 1}}} {
		got, want := make([]float64, 4*2), make([]float64, 4*2)
		SlerpPath(got, tc[0], tc[1], 4)
		LinearPath(want, tc[0], tc[1], 4)
		if !close(got, want, tol) {
			t.Errorf("test %d: slerp got %v want the line %v", i, got, want)
		}
	}
	one := make([]float64, 2)
	LinearPath(one, a, b, 1)
	if !close(one, a, 0) {
		t.Errorf("one frame: got %v want %v", one, a)
	}
}

func close(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// TestEncodeDecodeMeans checks the latent helpers against the tape: the
// central code of a Gaussian posterior is μ, of a flow posterior the flow
// applied to μ, and DecodeMeans is the sigmoid of the decoder.
func TestEncodeDecodeMeans(t *testing.T) {
	t.Parallel()
	const tol = 1e-12 // the same operations, on a tape or off it
	for i, post := range Posteriors {
		v := smallVAE(t, "bernoulli", post, uint64(i)+60)
		rng := nn.NewRNG(3, 0)
		x := make([]float64, 5*v.Spec.Input())
		for j := range x {
			x[j] = rng.Float64()
		}
		z := make([]float64, 5*v.Spec.Latent)
		v.EncodeMeans(x, z)
		tape := ad.NewTape()
		e := v.Encode(tape, tape.Const(5, v.Spec.Input(), x))
		want := e.Mu
		if v.Flow != nil {
			want, _ = v.Flow.Apply(tape, e.Mu, e.Cond)
		}
		if !close(z, want.Val, tol) {
			t.Errorf("test %d (%s): EncodeMeans got %v want %v", i, post, z, want.Val)
		}
		img := make([]float64, 5*v.Spec.Input())
		v.DecodeMeans(z, img)
		dec := tape.Sigmoid(v.Decode(tape, tape.Const(5, v.Spec.Latent, z)))
		if !close(img, dec.Val, tol) {
			t.Errorf("test %d (%s): DecodeMeans differs from the decoder's sigmoid", i, post)
		}
		rec := make([]float64, len(x))
		v.Reconstruct(x, rec)
		if !close(rec, img, tol) {
			t.Errorf("test %d (%s): Reconstruct differs from DecodeMeans(EncodeMeans)", i, post)
		}
		s := make([]float64, 3*v.Spec.Input())
		v.SampleImages(nn.NewRNG(4, 0), s)
		for _, p := range s {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("test %d (%s): sampled image value %v outside [0, 1]", i, post, p)
			}
		}
	}
}

func TestObjectiveEpochsWarmUpBinarize(t *testing.T) {
	t.Parallel()
	v := smallVAE(t, "bernoulli", "gaussian", 70)
	x := make([]float64, 10*v.Spec.Input())
	for j := range x {
		x[j] = 0.5
	}
	o := NewObjective(v, x, 4, nn.NewRNG(1, 0))
	o.Binarize, o.Beta, o.WarmUp = true, 2, 4
	if o.StepsPerEpoch() != 2 {
		t.Fatalf("10 images in batches of 4: got %d steps per epoch want 2", o.StepsPerEpoch())
	}
	tape := ad.NewTape()
	for s, want := range []float64{0, 0.5, 1, 1.5, 2, 2} {
		tape.Reset()
		o.Loss(tape)
		if o.Last.Beta != want {
			t.Errorf("step %d: β got %v want %v", s, o.Last.Beta, want)
		}
	}
	// six steps of two per epoch: three passes
	if e := o.Epoch(); e != 3 {
		t.Errorf("after 6 steps: epoch %v want 3", e)
	}
	// binarised batches: every value 0 or 1, about half of them 1
	buf := make([]float64, 4*v.Spec.Input())
	o.fill(buf)
	ones := 0.0
	for _, p := range buf {
		if p != 0 && p != 1 {
			t.Fatalf("binarised value %v", p)
		}
		ones += p
	}
	// 24 draws of Bernoulli(½): all equal has probability 2⁻²³
	if ones == 0 || ones == float64(len(buf)) {
		t.Errorf("binarised batch of %d values has %v ones", len(buf), ones)
	}
	// without binarisation, one epoch visits each of 8 distinct images once
	for j := range x {
		x[j] = float64(j / v.Spec.Input())
	}
	o = NewObjective(v, x[:8*v.Spec.Input()], 4, nn.NewRNG(2, 0))
	seen := map[float64]int{}
	for range 2 {
		o.fill(buf)
		for r := 0; r < 4; r++ {
			seen[buf[r*v.Spec.Input()]]++
		}
	}
	if len(seen) != 8 {
		t.Errorf("one epoch saw images %v, want each of 8 once", seen)
	}
}
