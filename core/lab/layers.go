package lab

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"time"

	"likelab/core/ad"
	"likelab/core/flow"
	"likelab/render"
)

// The layers view: a grid of lines in the base space, and base samples,
// pushed through the flow's inverse one layer at a time — the talk's
// "compose flows" figure, the base deforming into the data.
const (
	gridLines    = 13   // lines in each direction
	linePoints   = 48   // points per line
	baseExtent   = 3.25 // the lines span [−3.25, 3.25]², ±3.25σ of the base
	layerSamples = 400
	// secondsPerLayer paces the animation when layer = -1; it pauses
	// pauseLayers layers' time at each end.
	secondsPerLayer = 0.7
	pauseLayers     = 1.5
)

// layerTrace holds the base points and their images after each layer.
type layerTrace struct {
	base   []float64   // lines then samples, interleaved x, y
	layers [][]float64 // layers[k] is base after k inverse layers; the last is data
	start  time.Time   // when the animation started
}

func newLayerTrace(rng *rand.Rand) *layerTrace {
	lt := &layerTrace{start: time.Now()}
	for dir := 0; dir < 2; dir++ {
		for i := 0; i < gridLines; i++ {
			c := -baseExtent + 2*baseExtent*float64(i)/float64(gridLines-1)
			for j := 0; j < linePoints; j++ {
				u := -baseExtent + 2*baseExtent*float64(j)/float64(linePoints-1)
				if dir == 0 {
					lt.base = append(lt.base, u, c)
				} else {
					lt.base = append(lt.base, c, u)
				}
			}
		}
	}
	for i := 0; i < 2*layerSamples; i++ {
		lt.base = append(lt.base, rng.NormFloat64())
	}
	return lt
}

// trace recomputes every layer's points for the flow's current parameters.
func (lt *layerTrace) trace(t *ad.Tape, f *flow.Flow) {
	saved := t.NoGrad
	t.NoGrad = true
	defer func() { t.NoGrad = saved }()
	t.Reset()
	steps := f.TraceInverse(t, t.Const(len(lt.base)/2, 2, lt.base))
	if len(lt.layers) != len(steps) {
		lt.layers = make([][]float64, len(steps))
	}
	for k, n := range steps {
		lt.layers[k] = append(lt.layers[k][:0], n.Val...)
	}
}

// at returns the points at fractional layer x (0 = base), interpolated
// linearly between whole layers, into buf.
func (lt *layerTrace) at(x float64, buf []float64) []float64 {
	last := len(lt.layers) - 1
	x = math.Max(0, math.Min(float64(last), x))
	k := int(math.Floor(x))
	if k >= last {
		return append(buf[:0], lt.layers[last]...)
	}
	w := x - float64(k)
	a, b := lt.layers[k], lt.layers[k+1]
	buf = buf[:0]
	for i := range a {
		buf = append(buf, (1-w)*a[i]+w*b[i])
	}
	return buf
}

// position is the layer to show: fixed, or moving back and forth with pauses.
func (lt *layerTrace) position(fixed int, now time.Time) float64 {
	n := float64(len(lt.layers) - 1)
	if fixed >= 0 {
		return math.Min(float64(fixed), n)
	}
	period := 2 * (n + pauseLayers)
	p := math.Mod(now.Sub(lt.start).Seconds()/secondsPerLayer, period)
	switch {
	case p < pauseLayers/2:
		return 0
	case p < pauseLayers/2+n:
		return p - pauseLayers/2
	case p < pauseLayers*1.5+n:
		return n
	default:
		return math.Max(0, n-(p-pauseLayers*1.5-n))
	}
}

// quadrantDots colour the base samples by quadrant: bright on the dark
// theme's panel, deeper on the light one's.
var quadrantDots = map[string][]color.RGBA{
	"dark":  {{255, 120, 80, 255}, {250, 210, 80, 255}, {110, 220, 140, 255}, {190, 130, 255, 255}},
	"light": {{215, 70, 30, 255}, {190, 140, 0, 255}, {30, 150, 70, 255}, {120, 70, 210, 255}},
}

// draw paints the points at layer x into dst over view v: grid lines, then
// samples coloured by their base quadrant so one can follow where each
// part of the base goes.
func (lt *layerTrace) draw(dst *image.RGBA, v render.View, x float64, buf *[]float64, groups *[4][]float64, l look) string {
	pts := lt.at(x, *buf)
	*buf = pts
	per := 2 * linePoints
	for i := 0; i < 2*gridLines; i++ {
		render.Polyline(dst, v, pts[i*per:(i+1)*per], l.theme.Guide, l.pxf(1))
	}
	for q := range groups {
		groups[q] = groups[q][:0]
	}
	samples := pts[2*gridLines*per:]
	base := lt.base[2*gridLines*per:]
	for i := 0; i < len(samples); i += 2 {
		q := 0
		if base[i] < 0 {
			q++
		}
		if base[i+1] < 0 {
			q += 2
		}
		groups[q] = append(groups[q], samples[i], samples[i+1])
	}
	for q, g := range groups {
		render.Scatter(dst, v, g, quadrantDots[l.theme.Name][q], l.pxf(2))
	}
	n := len(lt.layers) - 1
	if x == math.Floor(x) {
		return fmt.Sprintf("base after %d of %d layers", int(x), n)
	}
	return fmt.Sprintf("base after %.1f of %d layers", x, n)
}

// layersView is the box the layers view shows: the data's and the base's.
func layersView(v render.View) render.View {
	return render.View{X0: min(v.X0, -baseExtent), X1: max(v.X1, baseExtent), Y0: min(v.Y0, -baseExtent), Y1: max(v.Y1, baseExtent)}
}

// DrawLayers renders every layer of the flow side by side in dst, base on
// the left and data on the right: the static form of the layers view, for
// slides and papers (likelab render --view layers --layer -1).
func (s *FlowScene) DrawLayers(dst *image.RGBA) {
	if s.layers.layers == nil {
		s.layers.trace(s.evalTape, s.run.Flow)
	}
	l := s.look
	fill(dst, l.theme.Background)
	b := dst.Bounds()
	n := len(s.layers.layers)
	pad, label := l.px(8), l.px(18)
	side := min((b.Dx()-pad*(n+1))/n, b.Dy()-2*pad-label)
	if side < l.px(8) {
		return
	}
	v := layersView(s.view)
	for k := 0; k < n; k++ {
		r := image.Rect(b.Min.X+pad+k*(side+pad), b.Min.Y+pad+label, b.Min.X+pad+k*(side+pad)+side, b.Min.Y+pad+label+side)
		sub := dst.SubImage(r).(*image.RGBA)
		fill(sub, l.theme.Panel)
		s.layers.draw(sub, v, float64(k), &s.layerBuf, &s.groups, l)
		name := fmt.Sprintf("after %d", k)
		switch k {
		case 0:
			name = "base"
		case n - 1:
			name = "data"
		}
		l.text(dst, r.Min.X, r.Min.Y-l.px(5), name)
	}
}
