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

// Looker is a scene whose picture adapts to the page showing it: with
// scale k, dst has k device pixels per CSS pixel and the picture keeps its
// 1:1 layout (text, paddings, dots and lines k times larger), only sharper
// on a HiDPI screen; auto is the theme ("dark" or "light") that theme=auto
// stands for on that page (its prefers-color-scheme), which a scene cannot
// see. Hosts call SetLook before each Draw; it costs nothing when nothing
// changed.
type Looker interface {
	SetLook(k int, auto string)
}

// look is how a scene's picture is drawn: the theme's colours and the
// device pixels per CSS pixel. Layout constants of the scenes are in CSS
// pixels and pass through px.
type look struct {
	theme render.Theme
	name  string // the configured theme, one of ThemeNames
	auto  string // what auto stands for; dark until a page says
	scale int
}

// lookOf is the look c asks for, at scale 1.
func lookOf(c Config) look {
	l := look{name: c.Theme, scale: 1}
	l.update()
	return l
}

// update sets the theme's colours from name and auto and reports whether
// they changed.
func (l *look) update() bool {
	name := l.name
	if name == "auto" {
		name = l.auto
	}
	th := render.Dark
	if name == "light" {
		th = render.Light
	}
	changed := th.Name != l.theme.Name
	l.theme = th
	return changed
}

// set takes the page's scale (clamped to [1, MaxScale]) and auto theme and
// reports whether the look changed.
func (l *look) set(k int, auto string) bool {
	k = min(max(k, 1), MaxScale)
	changed := k != l.scale
	l.scale, l.auto = k, auto
	return l.update() || changed
}

// setTheme takes c's theme and reports whether the look changed.
func (l *look) setTheme(c Config) bool {
	l.name = c.Theme
	return l.update()
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
