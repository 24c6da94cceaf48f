package data

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestNewPointsErrors(t *testing.T) {
	t.Parallel()
	if _, err := NewPoints("empty", nil); !errors.Is(err, ErrNoPoints) {
		t.Errorf("empty: got %v want ErrNoPoints", err)
	}
	for i, pts := range [][]float64{{0, math.NaN()}, {math.Inf(1), 0}} {
		if _, err := NewPoints("bad", pts); err == nil {
			t.Errorf("test %d: got nil error for %v", i, pts)
		}
	}
	if !panics(func() { _, _ = NewPoints("odd", []float64{1, 2, 3}) }) {
		t.Error("odd length did not panic")
	}
}

func TestPointsSample(t *testing.T) {
	t.Parallel()
	src := []float64{0, 0, 1, 1, 2, 4}
	p, err := NewPoints("three", src)
	if err != nil {
		t.Fatal(err)
	}
	src[0] = 99 // NewPoints copies
	if x, _ := p.At(0); x != 0 || p.Len() != 3 || p.Name() != "three" {
		t.Fatalf("At(0) = %v, Len %d, Name %q", x, p.Len(), p.Name())
	}
	const n = 30000
	dst := make([]float64, 2*n)
	p.Sample(rand.New(rand.NewPCG(1, 1)), dst)
	counts := map[[2]float64]int{}
	for i := 0; i < len(dst); i += 2 {
		counts[[2]float64{dst[i], dst[i+1]}]++
	}
	if len(counts) != 3 {
		t.Fatalf("sampled %d distinct points, want the 3 stored: %v", len(counts), counts)
	}
	for pt, c := range counts {
		// Binomial(n, 1/3): sd = √(n·2/9) ≈ 82; allow 5 sd.
		if math.Abs(float64(c)-n/3.0) > 5*math.Sqrt(n*2.0/9) {
			t.Errorf("point %v drawn %d times, want ≈ %d", pt, c, n/3)
		}
	}
}

func TestPointsBounds(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 2))
	const n = 10000
	pts := make([]float64, 0, 2*n+2)
	for range n {
		pts = append(pts, 10+rng.NormFloat64(), -5+0.5*rng.NormFloat64())
	}
	pts = append(pts, 1e6, -1e6) // one wild point must not wreck the view
	p, err := NewPoints("gauss", pts)
	if err != nil {
		t.Fatal(err)
	}
	x0, x1, y0, y1 := p.Bounds()
	if w, h := x1-x0, y1-y0; math.Abs(w-h) > 1e-9*w {
		t.Errorf("box %v×%v is not square", w, h)
	}
	// 99% of the mass of the wider (x) coordinate lies within ±2.58σ, so
	// the box must reach that far, and with the 25% margin it stays well
	// under ±5σ (±4.5 with the quantile noise).
	for i, test := range []struct{ got, lo, hi float64 }{
		{x0, 10 - 5, 10 - 2.58}, {x1, 10 + 2.58, 10 + 5},
		{(y0 + y1) / 2, -5 - 0.2, -5 + 0.2},
	} {
		if test.got < test.lo || test.got > test.hi {
			t.Errorf("test %d: got %v want in [%v, %v]", i, test.got, test.lo, test.hi)
		}
	}
	// Degenerate sets still give a usable box.
	for i, pts := range [][]float64{{3, 3}, {3, 3, 3, 3}, {1e12, 0, 1e12 + 1e-3, 0}} {
		p, err := NewPoints("same", pts)
		if err != nil {
			t.Fatal(err)
		}
		x0, x1, y0, y1 := p.Bounds()
		if !(x0 < x1 && y0 < y1) || x0 > pts[0] || x1 < pts[0] {
			t.Errorf("degenerate test %d: box %v %v %v %v", i, x0, x1, y0, y1)
		}
	}
}
