package fm

import (
	"fmt"
	"strings"
)

// Method is a fixed-step ODE solver.
type Method uint8

// The solvers: Euler's method (the talk's), the explicit midpoint method and
// the classic fourth-order Runge–Kutta method.
const (
	Euler Method = iota
	Midpoint
	RK4
)

// Methods lists the solver names ParseMethod accepts, in Method order.
var Methods = []string{"euler", "midpoint", "rk4"}

func (m Method) String() string {
	if int(m) < len(Methods) {
		return Methods[m]
	}
	return fmt.Sprintf("Method(%d)", m)
}

// ParseMethod is the inverse of String.
func ParseMethod(s string) (Method, error) {
	for i, n := range Methods {
		if n == s {
			return Method(i), nil
		}
	}
	return 0, fmt.Errorf("unknown ODE solver %q (want one of %s)", s, strings.Join(Methods, ", "))
}

// Stages is the number of velocity evaluations per step: 1, 2 or 4.
func (m Method) Stages() int {
	switch m {
	case Euler:
		return 1
	case Midpoint:
		return 2
	case RK4:
		return 4
	}
	panic(fmt.Sprintf("fm: unknown method %d", m))
}

// StepsFor is the number of steps that a budget of nfe velocity evaluations
// pays for: nfe/Stages, at least one. Comparing solvers at the same budget
// is the fair comparison (8 Euler steps cost what 2 RK4 steps cost).
func (m Method) StepsFor(nfe int) int { return max(1, nfe/m.Stages()) }

// Func is the right-hand side of an ODE dy/dt = f(t, y): it writes f(t, y)
// into dy, which does not overlap y.
type Func func(t float64, y, dy []float64)

// Integrator solves ODEs with a fixed-step Method, keeping its scratch
// between calls. The zero value is ready to use.
type Integrator struct {
	k1, k2, k3, k4, tmp []float64
}

// Solve integrates y' = f(t, y) from t0 to t1 (either direction) in steps
// equal steps, updating y in place, and returns the number of evaluations of
// f. observe, if not nil, is called with the step index, time and state at
// the start and after every step (steps+1 calls; y must not be changed).
func (in *Integrator) Solve(m Method, f Func, y []float64, t0, t1 float64, steps int, observe func(k int, t float64, y []float64)) int {
	if steps < 1 {
		panic(fmt.Sprintf("fm: Solve with %d steps", steps))
	}
	n := len(y)
	in.k1, in.k2 = grow(in.k1, n), grow(in.k2, n)
	in.k3, in.k4, in.tmp = grow(in.k3, n), grow(in.k4, n), grow(in.tmp, n)
	k1, k2, k3, k4, tmp := in.k1, in.k2, in.k3, in.k4, in.tmp
	h := (t1 - t0) / float64(steps)
	if observe != nil {
		observe(0, t0, y)
	}
	nfe := 0
	for s := range steps {
		// t from the step index, not by accumulating h, so the last step
		// lands on t1 without drift.
		t := t0 + float64(s)*h
		switch m {
		case Euler:
			f(t, y, k1)
			axpy(y, h, k1)
		case Midpoint:
			f(t, y, k1)
			lincomb(tmp, y, h/2, k1)
			f(t+h/2, tmp, k2)
			axpy(y, h, k2)
		case RK4:
			f(t, y, k1)
			lincomb(tmp, y, h/2, k1)
			f(t+h/2, tmp, k2)
			lincomb(tmp, y, h/2, k2)
			f(t+h/2, tmp, k3)
			lincomb(tmp, y, h, k3)
			f(t+h, tmp, k4)
			for i := range y {
				y[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
			}
		default:
			panic(fmt.Sprintf("fm: unknown method %d", m))
		}
		nfe += m.Stages()
		if observe != nil {
			observe(s+1, t0+float64(s+1)*h, y)
		}
	}
	return nfe
}

// axpy sets y += a·x.
func axpy(y []float64, a float64, x []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

// lincomb sets dst = y + a·x.
func lincomb(dst, y []float64, a float64, x []float64) {
	for i, v := range x {
		dst[i] = y[i] + a*v
	}
}
