package render

import (
	"image/color"
	"math"
)

// Colormap maps [0, 1] to colors through a 256-entry lookup table. The zero
// value is not usable; build one with NewColormap or use the predefined maps.
// A Colormap is a small value (a pointer to its table) and safe to share.
type Colormap struct {
	name string
	lut  *[256]color.RGBA
}

// NaNColor is the neutral grey drawn for NaN values.
var NaNColor = color.RGBA{128, 128, 128, 255}

// NewColormap builds an opaque colormap from evenly spaced anchor colors
// (RGB components in [0, 1], at least two), interpolating linearly in sRGB
// between neighbours. It panics with fewer than two anchors.
func NewColormap(name string, anchors [][3]float64) Colormap {
	if len(anchors) < 2 {
		panic("render: a colormap needs at least two anchors")
	}
	lut := new([256]color.RGBA)
	n := len(anchors) - 1
	for i := range lut {
		f := float64(i) / 255 * float64(n)
		k := min(int(f), n-1)
		w := f - float64(k)
		a, b := anchors[k], anchors[k+1]
		var c [3]uint8
		for ch := range c {
			v := (1-w)*a[ch] + w*b[ch]
			c[ch] = uint8(math.Round(255 * math.Min(1, math.Max(0, v))))
		}
		lut[i] = color.RGBA{c[0], c[1], c[2], 255}
	}
	return Colormap{name: name, lut: lut}
}

// Name returns the colormap's name, e.g. "viridis".
func (c Colormap) Name() string { return c.name }

// At returns the color for t, clamped to [0, 1]; NaN gives NaNColor.
func (c Colormap) At(t float64) color.RGBA {
	if t != t {
		return NaNColor
	}
	return c.lut[lutIndex(t)]
}

// lutIndex maps t to the nearest of the 256 entries, clamping.
func lutIndex(t float64) int {
	switch {
	case t <= 0:
		return 0
	case t >= 1:
		return 255
	}
	return int(t*255 + 0.5)
}

// The predefined colormaps.
var (
	// Viridis is matplotlib's default sequential map: dark blue → yellow,
	// perceptually uniform and readable in grey and by colour-blind viewers.
	Viridis = NewColormap("viridis", viridisAnchors)
	// Magma is matplotlib's black → purple → cream sequential map; its dark
	// end suits densities drawn on a dark page.
	Magma = NewColormap("magma", magmaAnchors)
	// CoolWarm is Moreland's diverging blue → grey → red map, for signed
	// values centred on zero (map lo = −m, hi = m).
	CoolWarm = NewColormap("coolwarm", coolWarmAnchors)
	// Greys is black → white, for image grids.
	Greys = NewColormap("greys", [][3]float64{{0, 0, 0}, {1, 1, 1}})
)

// Reversed returns the colormap run backwards, named with an "_r" suffix as
// in matplotlib.
func (c Colormap) Reversed() Colormap {
	lut := new([256]color.RGBA)
	for i := range lut {
		lut[i] = c.lut[255-i]
	}
	return Colormap{name: c.name + "_r", lut: lut}
}
