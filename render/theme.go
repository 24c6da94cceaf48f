package render

import "image/color"

// Theme is the colours of a picture's chrome — background, panels, text,
// reference lines, faint guides — and of what is drawn over a density: the
// data keep their own colours, the chrome follows the page.
type Theme struct {
	Name       string
	Background color.RGBA // behind everything
	Panel      color.RGBA // an empty plot panel (particles, layers, a density not yet computed)
	Text       color.RGBA // captions, axes, tick labels
	DimText    color.RGBA // secondary captions
	Ref        color.RGBA // reference lines: an entropy, a true log Z
	Guide      color.RGBA // guide lines drawn over a panel: the layers view's grid, a drawing board's
	Border     color.RGBA // a density panel's frame, where its empty end would merge with the page; zero for none
	// Density maps a density to colours; Dots are samples drawn over it:
	// they must stand out at both ends of Density.
	Density Colormap
	Dots    color.RGBA
	// Series are the colours of a picture's two main curves (training and
	// held-out, flow and Gaussian): saturated enough for the background.
	Series [4]color.RGBA
}

var (
	// Dark is the page's dark theme: magma densities (black where nothing
	// is likely) on a near-black page, light text.
	Dark = Theme{
		Name:       "dark",
		Background: color.RGBA{18, 18, 24, 255},
		Panel:      color.RGBA{24, 24, 32, 255},
		Text:       color.RGBA{230, 230, 230, 255},
		DimText:    color.RGBA{150, 150, 160, 255},
		Ref:        color.RGBA{150, 150, 150, 255},
		Guide:      color.RGBA{90, 140, 200, 255},
		Density:    Magma,
		Dots:       color.RGBA{255, 255, 255, 200},
		Series:     [4]color.RGBA{{120, 180, 255, 255}, {255, 170, 60, 255}, {120, 220, 140, 255}, {230, 120, 220, 255}},
	}
	// Light is the light theme: MagmaLight, so where nothing is likely is
	// the page's own near-white and likely regions darken towards black
	// (as an uploaded picture's dark part is likely); samples are a deep
	// blue that reads over cream and over black; curves are tab10's darker
	// blue and orange, which keep their contrast on white.
	Light = Theme{
		Name:       "light",
		Background: color.RGBA{250, 250, 247, 255},
		Panel:      color.RGBA{238, 238, 232, 255},
		Text:       color.RGBA{28, 28, 34, 255},
		DimText:    color.RGBA{100, 100, 110, 255},
		Ref:        color.RGBA{110, 110, 110, 255},
		Guide:      color.RGBA{60, 110, 180, 255},
		Border:     color.RGBA{214, 214, 206, 255},
		Density:    MagmaLight,
		Dots:       color.RGBA{0, 110, 230, 210},
		Series:     [4]color.RGBA{{0x1f, 0x77, 0xb4, 255}, {0xe0, 0x6c, 0x00, 255}, {0x2c, 0xa0, 0x2c, 255}, {0x94, 0x67, 0xbd, 255}},
	}
)

// MagmaLight is magma reversed for a light page — black where most likely,
// through purple and orange — with its pale cream end replaced by a ramp
// from the light theme's background, so an empty region reads as page
// rather than as a yellow square.
var MagmaLight = NewColormap("magma-light", magmaLightAnchors())

// magmaLightAnchors are magma's anchors reversed, the palest three (the
// cream end, 6% of the map) replaced by the light background.
func magmaLightAnchors() [][3]float64 {
	n := len(magmaAnchors)
	a := [][3]float64{{250.0 / 255, 250.0 / 255, 247.0 / 255}}
	for i := n - 4; i >= 0; i-- {
		a = append(a, magmaAnchors[i])
	}
	return a
}
