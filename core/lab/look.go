package lab

import (
	"image"
	"image/color"
	"math"

	"likelab/render"
)

// ThemeNames lists the page's themes: auto follows the viewer's system
// setting (prefers-color-scheme) on the page; a picture drawn where there is
// no page (the CLI) takes auto as dark.
var ThemeNames = []string{"auto", "dark", "light"}

// MaxScale caps the device pixels per CSS pixel a picture is drawn at. At 2
// a laptop's or phone's HiDPI screen gets a sharp picture; 3× phones would
// pay 2.25× a 2× picture's pixels (and heatmap, text and blit time) for a
// difference few can see at arm's length.
const MaxScale = 2

// Scaler is a scene that can draw for a HiDPI canvas: with scale k, dst
// has k device pixels per CSS pixel, and the picture keeps its 1:1 layout
// (text, paddings, dots and lines k times larger), only sharper.
type Scaler interface {
	SetScale(k int)
}

// look is how a scene's picture is drawn: the theme's colours and the
// device pixels per CSS pixel. Layout constants of the scenes are in CSS
// pixels and pass through px.
type look struct {
	theme render.Theme
	scale int
}

// lookOf is the look c asks for, at scale 1.
func lookOf(c Config) look { return look{theme: themeOf(c.Theme), scale: 1} }

// themeOf maps a theme setting to colours; auto is dark where no page
// resolves it.
func themeOf(name string) render.Theme {
	if name == "light" {
		return render.Light
	}
	return render.Dark
}

// setScale clamps k to [1, MaxScale] and reports whether the look changed.
func (l *look) setScale(k int) bool {
	k = min(max(k, 1), MaxScale)
	if k == l.scale {
		return false
	}
	l.scale = k
	return true
}

// setTheme takes c's theme and reports whether the look changed.
func (l *look) setTheme(c Config) bool {
	th := themeOf(c.Theme)
	if th.Name == l.theme.Name {
		return false
	}
	l.theme = th
	return true
}

// px is n CSS pixels in device pixels.
func (l look) px(n int) int { return n * max(1, l.scale) }

// pxf is a length in CSS pixels (a dot's radius, a line's width) in device
// pixels.
func (l look) pxf(v float64) float64 { return v * float64(max(1, l.scale)) }

func (l look) font() render.Font { return render.Font{Scale: l.scale} }

// text draws s at (x, y) in the theme's text colour.
func (l look) text(dst *image.RGBA, x, y int, s string) {
	l.font().Draw(dst, x, y, s, l.theme.Text)
}

// fit returns the first of the labels (longest first) that fits width
// device pixels, or the last.
func (l look) fit(width int, labels []string) string {
	f := l.font()
	for _, s := range labels {
		if f.Width(s) <= width {
			return s
		}
	}
	return labels[len(labels)-1]
}

// chart is the options of a chart over steps in this look.
func (l look) chart(title string) render.ChartOptions {
	return render.ChartOptions{Title: title, XLabel: "step", Background: l.theme.Background,
		Foreground: l.theme.Text, Scale: l.scale}
}

// nllChart draws negative log-likelihood curves with the target's entropy
// as the floor no model can pass (when known): the flow and fm scenes'
// chart.
func (l look) nllChart(dst *image.RGBA, r image.Rectangle, title string, entropy float64, series ...render.Series) {
	opts := l.chart(title)
	if !math.IsNaN(entropy) {
		opts.RefLines = []render.RefLine{{Y: entropy, Name: "target entropy (the floor)", Color: l.theme.Ref}}
	}
	render.LineChart(dst, r, series, opts)
}

// density draws g as a heatmap over its own range in the theme's
// colormap, framed where the theme says.
func (l look) density(dst *image.RGBA, g render.Grid) {
	render.Heatmap(dst, g, l.theme.Density, 0, maxOf(g.V))
	if l.theme.Border.A != 0 {
		frame(dst, dst.Bounds().Inset(l.px(1)), l.theme.Border, l.px(1)) // inside: dst is the panel
	}
}

// curve returns the theme's i-th series colour.
func (l look) curve(i int) color.RGBA { return l.theme.Series[i%len(l.theme.Series)] }
