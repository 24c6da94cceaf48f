package lab

import "math"

// TimeSteps is how many steps the arrow keys take through the fm scene's
// flow time: t moves by 1/TimeSteps, so 0, 0.1, …, 1 — the probability
// path at the resolution the talk's figures show it.
const TimeSteps = 10

// Scrub is the view one arrow key moves to (dir +1 for →, −1 for ←):
// through the layers of a flow scene (base → data), through the flow time
// of the fm scene (t = 0 base … 1 data). From an animation the first key
// stops at the start (→) or the end (←). Scenes with nothing to scrub
// return c unchanged. Only view settings change, so training goes on.
func Scrub(c Config, dir int) Config {
	if dir == 0 {
		return c
	}
	switch c.Scene {
	case "flow":
		k := c.Layer
		switch {
		case c.View != "layers" || k < 0:
			k = 0
		case dir > 0:
			k = min(k+1, c.Layers)
		default:
			k = max(k-1, 0)
		}
		c.View, c.Layer = "layers", k
	case "fm":
		if c.T < 0 {
			c.T = 0
			if dir < 0 {
				c.T = 1
			}
			return c
		}
		// to the grid of steps first, so any t set in a link lands on it
		k := math.Round(c.T * TimeSteps)
		if math.Abs(c.T*TimeSteps-k) > 1e-9 {
			if dir > 0 {
				k = math.Floor(c.T * TimeSteps)
			} else {
				k = math.Ceil(c.T * TimeSteps)
			}
		}
		k = min(max(k+float64(dir), 0), TimeSteps)
		c.T = k / TimeSteps
	}
	return c
}
