package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var builtin = []string{"checkerboard", "double-gaussian", "eight-gaussians", "moons", "pinwheel", "rings", "spirals"}

func lookup(t *testing.T, name string) Target {
	t.Helper()
	tg, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestLookupBuiltin(t *testing.T) {
	t.Parallel()
	names := Names()
	for i, name := range builtin {
		if !slices.Contains(names, name) {
			t.Errorf("test %d: Names() = %v lacks %q", i, names, name)
		}
		tg := lookup(t, name)
		if got := tg.Name(); got != name {
			t.Errorf("test %d: got name %q want %q", i, got, name)
		}
		x0, x1, y0, y1 := tg.Bounds()
		if !(x0 < x1 && y0 < y1) {
			t.Errorf("test %d: empty bounds %v %v %v %v", i, x0, x1, y0, y1)
		}
		// Square-ish: the plots are square, so aspect ratios near 1.
		if r := (x1 - x0) / (y1 - y0); r < 0.75 || r > 1.34 {
			t.Errorf("test %d: bounds aspect %v", i, r)
		}
		if _, ok := tg.(Exact); !ok {
			t.Errorf("test %d: %s has no LogProb", i, name)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("Names() not sorted: %v", names)
	}
}

func TestLookupErrors(t *testing.T) {
	t.Parallel()
	for i, test := range []struct{ name, want string }{
		{name: "moon", want: "moons"}, // the message lists valid names
		{name: "", want: "double-gaussian"},
		{name: "moons:big", want: "takes no argument"},
	} {
		_, err := Lookup(test.name)
		if err == nil || !strings.Contains(err.Error(), test.want) {
			t.Errorf("test %d: got %v want an error containing %q", i, err, test.want)
		}
	}
}

func TestRegisterPrefix(t *testing.T) {
	t.Parallel()
	var got []string
	Register("testprefix:ARG", func(arg string) (Target, error) {
		got = append(got, arg)
		return newRings(), nil
	})
	for _, name := range []string{"testprefix:hello", "testprefix:a:b", "testprefix"} {
		if _, err := Lookup(name); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"hello", "a:b", ""}; !slices.Equal(got, want) {
		t.Errorf("factory args: got %q want %q", got, want)
	}
	if !slices.Contains(Names(), "testprefix:ARG") {
		t.Errorf("Names() = %v lacks testprefix:ARG", Names())
	}
	for i, f := range []func(){
		func() { Register("testprefix", func(string) (Target, error) { return nil, nil }) },
		func() { Register(":x", func(string) (Target, error) { return nil, nil }) },
		func() { Register("testnil", nil) },
	} {
		if !panics(f) {
			t.Errorf("test %d: no panic", i)
		}
	}
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}

func TestSampleDeterministicAndOdd(t *testing.T) {
	t.Parallel()
	for i, name := range builtin {
		tg := lookup(t, name)
		a, b := make([]float64, 100), make([]float64, 100)
		tg.Sample(rand.New(rand.NewPCG(1, 2)), a)
		tg.Sample(rand.New(rand.NewPCG(1, 2)), b)
		if !slices.Equal(a, b) {
			t.Errorf("test %d: %s: same seed, different samples", i, name)
		}
		if !panics(func() { tg.Sample(rand.New(rand.NewPCG(1, 2)), make([]float64, 3)) }) {
			t.Errorf("test %d: %s: odd buffer did not panic", i, name)
		}
	}
}

// histN is the number of samples in the histogram tests.
const histN = 200000

// maxOutside is the largest fraction of samples allowed outside Bounds: the
// boxes leave ≥ 4σ margins (≤ 3e-5 of the mass outside), so 1e-3 leaves
// room for sampling noise yet fails a box that cuts off a tail.
const maxOutside = 1e-3

func TestSamplesInBounds(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	pts := make([]float64, 2*histN)
	for i, name := range builtin {
		tg := lookup(t, name)
		tg.Sample(rng, pts)
		x0, x1, y0, y1 := tg.Bounds()
		out := 0
		for j := 0; j < len(pts); j += 2 {
			if pts[j] < x0 || pts[j] > x1 || pts[j+1] < y0 || pts[j+1] > y1 {
				out++
			}
		}
		if f := float64(out) / histN; f > maxOutside {
			t.Errorf("test %d: %s: %v of samples outside bounds", i, name, f)
		}
	}
}

// Grid quadrature over Bounds. 250×250 cells are σ/3 or finer for every
// target (σ ≥ 0.1, boxes ≤ 9 wide), where the midpoint rule on Gaussian
// ridges is accurate to far below 1e-6; for the checkerboard the cell edges
// fall on the square edges (5/250 divides 1), so it is exact there.
const gridN = 250

// integralTol: |∫p − 1| over Bounds. Mass outside the boxes is ≤ 3e-5 and the
// quadrature error is far smaller, so 1e-3 (the brief's accuracy for the
// quadrature densities) holds with room; a wrong normalizer fails by 10%+.
const integralTol = 1e-3

// gridEntropy returns ∫p and −∫p log p over the bounds of tg.
func gridEntropy(tg Exact) (mass, h float64) {
	x0, x1, y0, y1 := tg.Bounds()
	dx, dy := (x1-x0)/gridN, (y1-y0)/gridN
	for i := 0; i < gridN; i++ {
		x := x0 + (float64(i)+0.5)*dx
		for j := 0; j < gridN; j++ {
			lp := tg.LogProb(x, y0+(float64(j)+0.5)*dy)
			if math.IsInf(lp, -1) {
				continue
			}
			p := math.Exp(lp)
			mass += p
			h -= p * lp
		}
	}
	return mass * dx * dy, h * dx * dy
}

// entropyAllowance is added to the Monte Carlo tolerance for the grid's own
// error: the grid misses ≤ 3e-5 of the mass and −p log p of it, so 2e-3
// nats is generous. A sampler whose noise is 10% off the density's changes
// the cross-entropy by ≈ 0.1 nats per noisy dimension.
const entropyAllowance = 2e-3

// entropySigmas: the Monte Carlo estimate may be this many standard errors
// from the grid value (a 1-in-10⁶ event for a correct target).
const entropySigmas = 5

// TestDensityOnGrid checks that each density integrates to 1 over Bounds,
// and compares the Monte Carlo entropy, which averages the density over the
// sampler's points, with the grid integral −∫p log p, which never calls the
// sampler. They agree only if sampler and density describe the same
// distribution, so this is the sharpest check of each pair.
func TestDensityOnGrid(t *testing.T) {
	t.Parallel()
	for i, name := range builtin {
		tg := lookup(t, name).(Exact)
		mass, want := gridEntropy(tg)
		if math.Abs(mass-1) > integralTol {
			t.Errorf("test %d: %s: ∫p = %v want 1 ± %v", i, name, mass, integralTol)
		}
		h, se := Entropy(tg, rand.New(rand.NewPCG(uint64(i), 4)))
		t.Logf("%s: Monte Carlo entropy %.4f ± %.4f, grid %.4f", name, h, se, want)
		if math.Abs(h-want) > entropySigmas*se+entropyAllowance {
			t.Errorf("test %d: %s: Monte Carlo entropy %v ± %v, grid %v", i, name, h, se, want)
		}
	}
}

func TestDoubleGaussianEntropy(t *testing.T) {
	t.Parallel()
	tg := lookup(t, "double-gaussian").(Exact)
	// One 2D component has entropy log(2πe·σ²); two equal, well separated
	// copies add log 2. The overlap at 8σ separation changes it by ~1e-7.
	want := math.Log(2*math.Pi*math.E*doubleGaussianStd*doubleGaussianStd) + math.Log(2)
	h, se := Entropy(tg, rand.New(rand.NewPCG(5, 5)))
	if math.Abs(h-want) > entropySigmas*se {
		t.Errorf("got %v ± %v want %v", h, se, want)
	}
}

// tvSlack is added to the expected sampling-noise total variation. The TV's
// own spread is ≈ ½√((1−2/π)/n) = 7e-4 and the cell masses (10×10
// midpoints per cell) are accurate to far better than that, so 4e-3 is
// about six spreads. A density whose scale is 10% off gives TV ≈ 0.05–0.1.
const tvSlack = 4e-3

// TestHistogramMatchesDensity bins 200k samples on a 32×32 grid over Bounds
// and compares the counts with the density's cell masses by total variation.
// The threshold is the TV that sampling noise alone produces,
// E TV ≈ ½ Σ √(2p(1−p)/(πn)), computed from the cell masses, plus tvSlack.
func TestHistogramMatchesDensity(t *testing.T) {
	t.Parallel()
	// sub = 10 puts the checkerboard's square edges, which fall at multiples
	// of 0.2 of a 5/32-wide cell, on sub-cell edges: its masses are exact.
	const cells, sub = 32, 10
	rng := rand.New(rand.NewPCG(6, 6))
	pts := make([]float64, 2*histN)
	for i, name := range builtin {
		tg := lookup(t, name).(Exact)
		x0, x1, y0, y1 := tg.Bounds()
		cw, ch := (x1-x0)/cells, (y1-y0)/cells
		want := make([]float64, cells*cells+1) // last: outside
		inside := 0.0
		for c := 0; c < cells*cells; c++ {
			cx, cy := x0+float64(c%cells)*cw, y0+float64(c/cells)*ch
			var m float64
			for a := 0; a < sub; a++ {
				for b := 0; b < sub; b++ {
					m += math.Exp(tg.LogProb(cx+(float64(a)+0.5)*cw/sub, cy+(float64(b)+0.5)*ch/sub))
				}
			}
			want[c] = m * cw * ch / (sub * sub)
			inside += want[c]
		}
		want[cells*cells] = math.Max(0, 1-inside)

		tg.Sample(rng, pts)
		got := make([]float64, cells*cells+1)
		for j := 0; j < len(pts); j += 2 {
			ci := int(math.Floor((pts[j] - x0) / cw))
			cj := int(math.Floor((pts[j+1] - y0) / ch))
			if ci < 0 || ci >= cells || cj < 0 || cj >= cells {
				got[cells*cells]++
			} else {
				got[cj*cells+ci]++
			}
		}
		var tv, noise float64
		for c := range got {
			p := want[c]
			tv += math.Abs(got[c]/histN - p)
			noise += math.Sqrt(2 * p * (1 - p) / (math.Pi * histN))
		}
		tv /= 2
		noise /= 2
		t.Logf("%s: TV %.4f, noise alone %.4f", name, tv, noise)
		if tv > noise+tvSlack {
			t.Errorf("test %d: %s: TV %v, noise alone %v", i, name, tv, noise)
		}
	}
}

// Log-density error allowed in the curve quadratures, by how far below its
// peak the density is. Near the curve Simpson's rule is accurate to ~3e-5
// (measured); beyond the ends of the arms the integrand falls off sharply
// from the end node and the error grows, to ~2e-3 at 20 nats below the
// peak and ~2e-2 at 50, where it no longer matters for integrals, entropies
// or pictures. The reference has four times the nodes, so its own error is
// 256× smaller (Simpson's error shrinks as h⁴).
var quadTols = []struct{ below, tol float64 }{
	{below: 5, tol: 1e-4},
	{below: 20, tol: 5e-3},
	{below: 50, tol: 3e-2},
}

func TestCurveQuadratureAccuracy(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for i, test := range []struct {
		coarse, fine Exact
	}{
		{coarse: newMoonsWith(moonsNodes), fine: newMoonsWith(4 * moonsNodes)},
		{coarse: newSpiralsWith(spiralNodes), fine: newSpiralsWith(4 * spiralNodes)},
	} {
		pts := make([]float64, 2*1000)
		test.fine.Sample(rng, pts)
		x0, x1, y0, y1 := test.fine.Bounds()
		const n = 60
		for a := 0; a < n; a++ {
			for b := 0; b < n; b++ {
				pts = append(pts, x0+(x1-x0)*(float64(a)+0.5)/n, y0+(y1-y0)*(float64(b)+0.5)/n)
			}
		}
		want := make([]float64, len(pts)/2)
		peak := math.Inf(-1)
		for j := range want {
			want[j] = test.fine.LogProb(pts[2*j], pts[2*j+1])
			peak = math.Max(peak, want[j])
		}
		for j, w := range want {
			got := test.coarse.LogProb(pts[2*j], pts[2*j+1])
			for _, q := range quadTols {
				if w > peak-q.below {
					if math.Abs(got-w) > q.tol {
						t.Errorf("test %d (%s) at (%v, %v): got %v want %v ± %v", i, test.coarse.Name(), pts[2*j], pts[2*j+1], got, w, q.tol)
					}
					break
				}
			}
		}
	}
}

func TestLogProbSpecialValues(t *testing.T) {
	t.Parallel()
	for i, name := range builtin {
		tg := lookup(t, name).(Exact)
		if lp := tg.LogProb(math.NaN(), 0); !math.IsNaN(lp) {
			t.Errorf("test %d: %s: LogProb(NaN, 0) = %v want NaN", i, name, lp)
		}
		// Far away the density is tiny but the log must not be NaN or +Inf.
		for _, p := range [][2]float64{{50, -50}, {1e3, 0}, {0, -1e6}} {
			if lp := tg.LogProb(p[0], p[1]); math.IsNaN(lp) || math.IsInf(lp, 1) || lp > -10 {
				t.Errorf("test %d: %s: LogProb%v = %v", i, name, p, lp)
			}
		}
	}
}
