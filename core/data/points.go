package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Points is the empirical distribution of a fixed set of points, such as a
// user's CSV file: sampling draws stored points uniformly with replacement.
// It has no density.
type Points struct {
	box
	name string
	pts  []float64
}

// Robust view box of Points: the 0.5% and 99.5% quantiles of each coordinate
// (so a few stray points do not shrink the picture), widened by boundsMargin
// of the span on each side and made square.
const (
	boundsQuantile = 0.005
	boundsMargin   = 0.25
)

// ErrNoPoints is returned by NewPoints for an empty point set.
var ErrNoPoints = errors.New("data: no points")

// NewPoints returns the empirical target of pts (interleaved x, y; copied).
// It returns ErrNoPoints if pts is empty and an error if a value is not
// finite; it panics if len(pts) is odd.
func NewPoints(name string, pts []float64) (*Points, error) {
	checkEven(pts)
	if len(pts) == 0 {
		return nil, ErrNoPoints
	}
	for i, v := range pts {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("data: point %d of %s is not finite", i/2, name)
		}
	}
	p := &Points{name: name, pts: slices.Clone(pts)}
	p.box = robustBox(p.pts)
	return p, nil
}

// Name returns the name given to NewPoints.
func (p *Points) Name() string { return p.name }

// Len returns the number of points.
func (p *Points) Len() int { return len(p.pts) / 2 }

// At returns point i.
func (p *Points) At(i int) (x, y float64) { return p.pts[2*i], p.pts[2*i+1] }

// Sample fills dst with len(dst)/2 points drawn uniformly, with replacement.
func (p *Points) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	n := len(p.pts) / 2
	for i := 0; i < len(dst); i += 2 {
		j := 2 * rng.IntN(n)
		dst[i], dst[i+1] = p.pts[j], p.pts[j+1]
	}
}

// robustBox returns the square view box around the central quantiles of pts.
func robustBox(pts []float64) box {
	n := len(pts) / 2
	xs, ys := make([]float64, n), make([]float64, n)
	for i := range n {
		xs[i], ys[i] = pts[2*i], pts[2*i+1]
	}
	x0, x1 := quantileRange(xs)
	y0, y1 := quantileRange(ys)
	cx, cy := (x0+x1)/2, (y0+y1)/2
	half := math.Max(x1-x0, y1-y0) * (0.5 + boundsMargin)
	scale := math.Max(math.Abs(cx), math.Abs(cy))
	switch {
	case half == 0:
		// All central points equal: a unit box around them (or one a
		// little larger than their magnitude, if that is bigger).
		half = math.Max(1, 1e-3*scale)
	case half < 1e-9*scale:
		// A spread far below the magnitude would round x0 == x1;
		// 1e-9 relative is still millions of ulps wide.
		half = 1e-9 * scale
	}
	return box{cx - half, cx + half, cy - half, cy + half}
}

// quantileRange sorts v and returns its boundsQuantile and 1−boundsQuantile
// quantiles, interpolating linearly between order statistics.
func quantileRange(v []float64) (lo, hi float64) {
	slices.Sort(v)
	q := func(p float64) float64 {
		f := p * float64(len(v)-1)
		i := int(f)
		if i >= len(v)-1 {
			return v[len(v)-1]
		}
		return v[i] + (f-float64(i))*(v[i+1]-v[i])
	}
	return q(boundsQuantile), q(1 - boundsQuantile)
}
