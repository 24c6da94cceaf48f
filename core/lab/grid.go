package lab

import (
	"math"
	"time"

	"likelab/render"
)

// densityGrid is a model's density on a grid, evaluated progressively: a
// chunk of points at a time within each slice of spare time, so a refresh
// never holds up a frame, and shown only when complete. Extra points (held
// out target samples, say) may ride along with the grid's; their
// log-densities are kept for an NLL. The flow, fm and is scenes share it.
type densityGrid struct {
	Grid render.Grid // the picture: exp(log p) at the cell centres, complete
	pts  []float64   // cell centres row by row, then the extra points
	lp   []float64
	// unit and most bound the points evaluated at once: unit (a grid row,
	// or a few points of an ODE) is the least, the count is a multiple of
	// it, most keeps one evaluation within a frame's spare time.
	unit, most int
	next       int           // next point to evaluate; 0 when idle
	step       int           // trainer step the pass in progress (or the shown grid) started at
	cost       time.Duration // measured time per point, smoothed
	have       bool          // Grid holds a complete pass
}

// newDensityGrid makes an n×n grid over the box with extra points after
// the cell centres.
func newDensityGrid(n int, x0, x1, y0, y1 float64, extra []float64, unit, most int) *densityGrid {
	g := &densityGrid{Grid: render.NewGrid(n, n, x0, x1, y0, y1), unit: unit, most: most}
	g.pts = append(gridPoints(g.Grid), extra...)
	g.lp = make([]float64, len(g.pts)/2)
	return g
}

// current reports whether the shown grid is for the given trainer step.
func (g *densityGrid) current(step int) bool { return g.have && g.next == 0 && g.step == step }

// refresh evaluates chunks of points with eval until the deadline (at least
// one chunk, so a slice overruns its budget by one chunk at most) and
// reports whether it completed a pass, which then is the picture. begin
// runs when a pass starts (to snapshot the model the pass evaluates). A
// grid current for step does nothing.
func (g *densityGrid) refresh(step int, deadline time.Time, begin func(), eval func(pts, lp []float64)) bool {
	if g.current(step) {
		return false
	}
	if g.next == 0 {
		g.step = step
		if begin != nil {
			begin()
		}
	}
	total := len(g.lp)
	for g.next < total {
		// as many units as the remaining time allows at the measured cost
		n := g.unit
		if g.cost > 0 {
			n = min(g.most, max(g.unit, int(time.Until(deadline)/g.cost)/g.unit*g.unit))
		}
		p0, p1 := g.next, min(total, g.next+n)
		t0 := time.Now()
		eval(g.pts[2*p0:2*p1], g.lp[p0:p1])
		per := time.Since(t0) / time.Duration(p1-p0)
		if g.cost == 0 {
			g.cost = per
		} else {
			g.cost = (3*g.cost + per) / 4
		}
		g.next = p1
		if !time.Now().Before(deadline) {
			break
		}
	}
	if g.next < total {
		return false
	}
	g.next = 0
	for i := range g.Grid.V {
		g.Grid.V[i] = math.Exp(g.lp[i])
	}
	g.have = true
	return true
}

// settle completes a pass for step now.
func (g *densityGrid) settle(step int, begin func(), eval func(pts, lp []float64)) {
	for !g.current(step) {
		g.refresh(step, time.Now().Add(time.Hour), begin, eval)
	}
}

// extraLP is the log-densities of the extra points at the last complete
// pass.
func (g *densityGrid) extraLP() []float64 { return g.lp[g.Grid.W*g.Grid.H:] }

// gridPoints lists the cell centres of g, row by row.
func gridPoints(g render.Grid) []float64 {
	pts := make([]float64, 0, 2*g.W*g.H)
	for j := 0; j < g.H; j++ {
		for i := 0; i < g.W; i++ {
			x, y := g.Point(i, j)
			pts = append(pts, x, y)
		}
	}
	return pts
}
