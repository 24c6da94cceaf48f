package fm

import (
	"math"
	"testing"
)

// TestSolverOrders integrates y' = −2t·y from 0 to 1 (y = e^{−t²}) and checks
// that halving the step divides the error by 2^order: 2, 4 and 16 for Euler,
// midpoint and RK4, and that each reports Stages evaluations per step.
func TestSolverOrders(t *testing.T) {
	t.Parallel()
	f := func(t float64, y, dy []float64) { dy[0] = -2 * t * y[0] }
	want := math.Exp(-1)
	solve := func(m Method, steps int) (float64, int) {
		var in Integrator
		y := []float64{1}
		nfe := in.Solve(m, f, y, 0, 1, steps, nil)
		return math.Abs(y[0] - want), nfe
	}
	for i, tc := range []struct {
		m     Method
		order float64
	}{{Euler, 1}, {Midpoint, 2}, {RK4, 4}} {
		e1, n1 := solve(tc.m, 16)
		e2, n2 := solve(tc.m, 32)
		if n1 != 16*tc.m.Stages() || n2 != 32*tc.m.Stages() {
			t.Errorf("test %d (%v): got NFE %d, %d want %d, %d", i, tc.m, n1, n2, 16*tc.m.Stages(), 32*tc.m.Stages())
		}
		// The ratio tends to 2^order as h → 0; at 16 vs 32 steps it is
		// within 15% of it for this smooth problem (measured 2.0, 4.1, 16.3).
		if got := math.Log2(e1 / e2); math.Abs(got-tc.order) > 0.2 {
			t.Errorf("test %d (%v): got observed order %.3f want %v (errors %g, %g)", i, tc.m, got, tc.order, e1, e2)
		}
	}
}

func TestSolveBackwardAndObserve(t *testing.T) {
	t.Parallel()
	// y' = y from t=1 back to t=0 with y(1) = e: y(0) = 1.
	f := func(t float64, y, dy []float64) { dy[0] = y[0] }
	var in Integrator
	y := []float64{math.E}
	var times []float64
	in.Solve(RK4, f, y, 1, 0, 10, func(k int, tt float64, y []float64) {
		if k != len(times) {
			t.Errorf("observe called with step %d, want %d", k, len(times))
		}
		times = append(times, tt)
	})
	// RK4's global error at h = 0.1 is ~1e-6·e; 1e-5 leaves a margin.
	if math.Abs(y[0]-1) > 1e-5 {
		t.Errorf("got y(0) = %v want 1", y[0])
	}
	if len(times) != 11 || times[0] != 1 || times[10] != 0 {
		t.Errorf("observed times %v, want 11 from 1 down to 0", times)
	}
}

func TestParseMethodAndSteps(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		name       string
		nfe, steps int
		ok         bool
	}{{"euler", 8, 8, true}, {"midpoint", 8, 4, true}, {"rk4", 8, 2, true}, {"rk4", 2, 1, true}, {"heun", 0, 0, false}} {
		m, err := ParseMethod(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("test %d: ParseMethod(%q) error %v", i, tc.name, err)
			continue
		}
		if !tc.ok {
			continue
		}
		if m.String() != tc.name {
			t.Errorf("test %d: got name %q want %q", i, m, tc.name)
		}
		if got := m.StepsFor(tc.nfe); got != tc.steps {
			t.Errorf("test %d: got %d steps want %d", i, got, tc.steps)
		}
	}
}
