package data

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestGaussLegendreExactForPolynomials(t *testing.T) {
	t.Parallel()
	// An n-point rule integrates x^k exactly for k ≤ 2n−1; 1e-14 allows for
	// rounding in the sum.
	const tol = 1e-14
	for _, n := range []int{1, 2, 5, 12, 20} {
		x, w := gaussLegendre(n)
		for k := 0; k <= 2*n-1; k++ {
			got := 0.0
			for i := range x {
				got += w[i] * math.Pow(x[i], float64(k))
			}
			want := 0.0
			if k%2 == 0 {
				want = 2 / float64(k+1)
			}
			if math.Abs(got-want) > tol {
				t.Errorf("n %d, x^%d: got %v want %v", n, k, got, want)
			}
		}
	}
}

func TestQuadratureGaussian(t *testing.T) {
	t.Parallel()
	// A correlated Gaussian with a known integral and moments; the panels
	// are as wide as the smaller standard deviation (0.3), as for the energies.
	const tol = 1e-12
	mx, my, sx, sy, rho := 0.5, -1.0, 1.0, 0.3, 0.6
	logf := func(x, y float64) float64 {
		a, b := (x-mx)/sx, (y-my)/sy
		return -(a*a - 2*rho*a*b + b*b) / (2 * (1 - rho*rho))
	}
	m := Quadrature(logf, -9.5, 10.5, -4, 2, 0.3, quadNodes)
	wantZ := math.Log(2 * math.Pi * sx * sy * math.Sqrt(1-rho*rho))
	got := []float64{m.LogZ, m.Mean[0], m.Mean[1], m.Cov[0], m.Cov[1], m.Cov[3]}
	want := []float64{wantZ, mx, my, sx * sx, rho * sx * sy, sy * sy}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("test %d: got %v want %v", i, got[i], want[i])
		}
	}
}

func TestEnergyLookup(t *testing.T) {
	t.Parallel()
	for i, name := range EnergyNames {
		tg := lookup(t, "energy:"+name)
		e, ok := tg.(*Energy)
		if !ok {
			t.Fatalf("test %d: energy:%s is a %T", i, name, tg)
		}
		if e.Name() != "energy:"+name || e.Doc() == "" {
			t.Errorf("test %d: name %q doc %q", i, e.Name(), e.Doc())
		}
		x0, x1, y0, y1 := e.Bounds()
		if r := (x1 - x0) / (y1 - y0); r < 0.75 || r > 1.34 {
			t.Errorf("test %d: bounds aspect %v", i, r)
		}
		if _, err := LookupEnergy(name); err != nil {
			t.Errorf("test %d: %v", i, err)
		}
	}
	if _, err := Lookup("energy:u9"); err == nil || !strings.Contains(err.Error(), "u1, u2") {
		t.Errorf("unknown energy: got %v, want an error listing the energies", err)
	}
}

func TestEnergyGradients(t *testing.T) {
	t.Parallel()
	// Central differences with step 1e-5 have truncation error ~h²·U''' and
	// rounding ~1e-16·|U|/h; for these energies (|U| ≲ 1e3 in the boxes,
	// third derivatives ≲ 1e4 on the thin ring) both stay below 1e-5
	// relative to max(1, |grad|).
	const h, tol = 1e-5, 1e-5
	rng := rand.New(rand.NewPCG(1, 1))
	for _, name := range EnergyNames {
		e, _ := LookupEnergy(name)
		x0, x1, y0, y1 := e.Bounds()
		for k := 0; k < 200; k++ {
			// points across the view box and a little beyond (the walls)
			x := x0 - 1 + (x1-x0+2)*rng.Float64()
			y := y0 - 1 + (y1-y0+2)*rng.Float64()
			v, gx, gy := e.LogUnnormGrad(x, y)
			if v != e.LogUnnorm(x, y) {
				t.Fatalf("%s: LogUnnormGrad and LogUnnorm disagree at (%v, %v)", name, x, y)
			}
			nx := (e.LogUnnorm(x+h, y) - e.LogUnnorm(x-h, y)) / (2 * h)
			ny := (e.LogUnnorm(x, y+h) - e.LogUnnorm(x, y-h)) / (2 * h)
			if math.Abs(nx-gx) > tol*max(1, math.Abs(nx)) || math.Abs(ny-gy) > tol*max(1, math.Abs(ny)) {
				t.Errorf("%s at (%.4f, %.4f): got grad (%v, %v) want (%v, %v)", name, x, y, gx, gy, nx, ny)
			}
		}
	}
}

// TestEnergyNormalisers checks every log Z and the moments against a finer
// quadrature: panels half as wide with 12 nodes each. For u1 this bounds the
// error of the quadrature LogZ returns; for the others it checks the closed
// forms.
func TestEnergyNormalisers(t *testing.T) {
	t.Parallel()
	for _, name := range EnergyNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkNormaliser(t, name)
		})
	}
}

func checkNormaliser(t *testing.T, name string) {
	e, _ := LookupEnergy(name)
	// 1e-13 absolute in log Z is what the comment on LogZ promises; the
	// banana's quadrature box cuts 8e-11 of its mass at |x| > 6.5, and
	// that tail's share of E[y²] ≈ E[x⁴] is about 2e-7.
	tolZ, tolM := 1e-13, 1e-12
	if name == "banana" {
		tolZ, tolM = 2e-10, 1e-6
	}
	fine := e.quadrature(12, 2)
	if d := math.Abs(e.LogZ() - fine.LogZ); d > tolZ {
		t.Errorf("%s: log Z %v, finer quadrature %v (|diff| %.3g > %.3g)", name, e.LogZ(), fine.LogZ, d, tolZ)
	}
	mean, cov := e.Moments()
	got := []float64{mean[0], mean[1], cov[0], cov[1], cov[2], cov[3]}
	want := []float64{fine.Mean[0], fine.Mean[1], fine.Cov[0], fine.Cov[1], fine.Cov[2], fine.Cov[3]}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tolM*max(1, math.Abs(want[i])) {
			t.Errorf("%s moment %d: got %v want %v", name, i, got[i], want[i])
		}
	}
	if e.LogZByQuadrature() != (name == "u1") {
		t.Errorf("%s: LogZByQuadrature %v", name, e.LogZByQuadrature())
	}
	if lp := e.LogProb(mean[0], mean[1]); lp != e.LogUnnorm(mean[0], mean[1])-e.LogZ() {
		t.Errorf("%s: LogProb %v is not LogUnnorm − LogZ", name, lp)
	}
}

// TestEnergySamplers checks that the samplers draw from the normalised
// densities: the sample moments, and the fraction of samples in four
// quadrants around the mean, against quadrature.
func TestEnergySamplers(t *testing.T) {
	t.Parallel()
	const n = 200_000
	// 4.5 standard errors: a false alarm in ~1e-5 of the checks (7 per energy).
	const zTol = 4.5
	pts := make([]float64, 2*n)
	for k, name := range EnergyNames {
		e, _ := LookupEnergy(name)
		e.Sample(rand.New(rand.NewPCG(uint64(k), 2)), pts)
		mean, cov := e.Moments()
		for d := 0; d < 2; d++ {
			sum, sum2 := 0.0, 0.0
			for i := d; i < len(pts); i += 2 {
				sum += pts[i]
				sum2 += pts[i] * pts[i]
			}
			m := sum / n
			v := sum2/n - m*m
			if se := math.Sqrt(cov[3*d] / n); math.Abs(m-mean[d]) > zTol*se {
				t.Errorf("%s: sample mean %d %v want %v ± %v", name, d, m, mean[d], se)
			}
			// the variance's standard error, with a kurtosis allowance of 3
			// (normal) doubled for the skewed and bimodal energies
			if se := cov[3*d] * math.Sqrt(2*3/float64(n)); math.Abs(v-cov[3*d]) > zTol*se {
				t.Errorf("%s: sample variance %d %v want %v ± %v", name, d, v, cov[3*d], se)
			}
		}
		// quadrant probabilities by quadrature of the density over each
		// quadrant of the quadrature box, split at the mean
		b := e.quadBox
		for q := 0; q < 4; q++ {
			x0, x1, y0, y1 := b.x0, mean[0], b.y0, mean[1]
			if q&1 != 0 {
				x0, x1 = mean[0], b.x1
			}
			if q&2 != 0 {
				y0, y1 = mean[1], b.y1
			}
			p := math.Exp(Quadrature(func(x, y float64) float64 { return e.LogUnnorm(x, y) }, x0, x1, y0, y1, e.quadH, quadNodes).LogZ - e.LogZ())
			c := 0
			for i := 0; i < len(pts); i += 2 {
				if pts[i] >= x0 && pts[i] < x1 && pts[i+1] >= y0 && pts[i+1] < y1 {
					c++
				}
			}
			if se := math.Sqrt(p * (1 - p) / n); math.Abs(float64(c)/n-p) > zTol*se {
				t.Errorf("%s quadrant %d: got fraction %v want %v ± %v", name, q, float64(c)/n, p, se)
			}
		}
	}
}
