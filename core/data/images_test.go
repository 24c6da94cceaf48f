package data

import (
	"math"
	"slices"
	"testing"
)

func smallImages() *Images {
	// four 2×1 grey images whose values name them: image i is (i/10, i/10+0.05)
	im := &Images{W: 2, H: 1, C: 1, Classes: []string{"a", "b"}}
	for i := 0; i < 4; i++ {
		im.Pix = append(im.Pix, float64(i)/10, float64(i)/10+0.05)
		im.Labels = append(im.Labels, i%2)
	}
	return im
}

func TestImagesSubsetSplit(t *testing.T) {
	t.Parallel()
	im := smallImages()
	if im.N() != 4 || im.Dim() != 2 || im.Label(3) != "b" || im.ClassIndex("b") != 1 || im.ClassIndex("z") != -1 {
		t.Fatalf("got N %d, Dim %d, Label(3) %q", im.N(), im.Dim(), im.Label(3))
	}
	s := im.Subset([]int{2, 0})
	if want := []float64{0.2, 0.25, 0, 0.05}; !slices.Equal(s.Pix, want) || !slices.Equal(s.Labels, []int{0, 0}) {
		t.Errorf("Subset: got %v %v want %v [0 0]", s.Pix, s.Labels, want)
	}
	tr, te := im.Split(1, 7)
	tr2, te2 := im.Split(1, 7)
	if tr.N() != 3 || te.N() != 1 || !slices.Equal(te.Pix, te2.Pix) || !slices.Equal(tr.Pix, tr2.Pix) {
		t.Errorf("Split: got %d+%d images, or not the same twice", tr.N(), te.N())
	}
	seen := map[float64]bool{}
	for _, part := range []*Images{tr, te} {
		for i := 0; i < part.N(); i++ {
			seen[part.Image(i)[0]] = true
		}
	}
	if len(seen) != 4 {
		t.Errorf("Split lost or repeated images: %v", seen)
	}
}

func TestImagesBinarizedMeanAppend(t *testing.T) {
	t.Parallel()
	im := &Images{W: 1, H: 1, C: 1, Pix: make([]float64, 20000)}
	for i := range im.Pix {
		im.Pix[i] = 0.3
	}
	b := im.Binarized(1)
	ones := 0.0
	for _, v := range b.Pix {
		if v != 0 && v != 1 {
			t.Fatalf("binarized value %v", v)
		}
		ones += v
	}
	// 20000 Bernoulli(0.3) draws: standard deviation of the mean 0.0032;
	// 0.015 is over four of them.
	if m := ones / 20000; m < 0.285 || m > 0.315 {
		t.Errorf("binarized mean %v want 0.3 ± 0.015", m)
	}
	// (0 + 0.1 + 0.2 + 0.3)/4 in float64 is off by an ulp or so
	if m := smallImages().Mean(); math.Abs(m[0]-0.15) > 1e-15 || math.Abs(m[1]-0.2) > 1e-15 {
		t.Errorf("Mean got %v want [0.15 0.2]", m)
	}
	a := smallImages()
	o := &Images{W: 2, H: 1, C: 1, Pix: []float64{1, 1}, Labels: []int{0}, Classes: []string{"c"}}
	a.Append(o)
	if a.N() != 5 || a.Label(4) != "c" || a.Label(1) != "b" || len(a.Classes) != 3 {
		t.Errorf("Append: got %d images, classes %v, last %q", a.N(), a.Classes, a.Label(4))
	}
}
