package render

import (
	"image"
	"image/color"
	"math"
)

// Series is one line of a chart: points (X[i], Y[i]) joined in order. A nil
// X means 0, 1, 2, …. Non-finite points (also beyond ±1e300, and on a log
// axis Y ≤ 0) are skipped and break the line. A zero Color picks the next color of the
// default palette (matplotlib's "tab10").
type Series struct {
	Name  string
	X, Y  []float64
	Color color.RGBA
}

// RefLine is a dashed horizontal reference line, such as the entropy of a
// target under a loss curve.
type RefLine struct {
	Y     float64
	Name  string
	Color color.RGBA
}

// ChartOptions configures LineChart. The zero value draws a plain chart
// with a white background.
type ChartOptions struct {
	Title, XLabel, YLabel string
	// LogY draws the y axis logarithmically (base 10).
	LogY bool
	// YMin and YMax fix the y range when YMin < YMax (and, for LogY,
	// YMin > 0); otherwise the range fits the data and reference lines.
	YMin, YMax float64
	RefLines   []RefLine
	// Background and Foreground (axes, text) default to white and
	// near-black when their alpha is zero.
	Background, Foreground color.RGBA
	// LineWidth of the series in pixels; 0 means 1.5 (times Scale).
	LineWidth float64
	// Scale is device pixels per CSS pixel (0 means 1): text, paddings,
	// ticks and lines grow by it, so a chart on a HiDPI canvas has the
	// layout it has at 1:1, only sharper.
	Scale int
}

// palette is matplotlib's "tab10" qualitative palette.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 255}, {0xff, 0x7f, 0x0e, 255}, {0x2c, 0xa0, 0x2c, 255},
	{0xd6, 0x27, 0x28, 255}, {0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255},
	{0xe3, 0x77, 0xc2, 255}, {0x7f, 0x7f, 0x7f, 255}, {0xbc, 0xbd, 0x22, 255},
	{0x17, 0xbe, 0xcf, 255},
}

// Layout constants of the chart, in pixels.
const (
	chartPad   = 6  // outer padding and gaps
	tickLen    = 4  // tick marks outside the axes
	xTickSpace = 70 // room per x tick label (about 8 characters and a gap)
	yTickSpace = 28 // room per y tick label (two text lines)
)

// LineChart draws a chart of the series into r of dst: background, title,
// axes with nice ticks and labels, faint grid lines, the series, dashed
// reference lines and a legend (if anything has a name). It copes with any
// data a live loss curve produces: no points, one point, NaN and ±Inf, and
// constant values.
func LineChart(dst *image.RGBA, r image.Rectangle, series []Series, opts ChartOptions) {
	r = r.Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	bg, fg := opts.Background, opts.Foreground
	if bg.A == 0 {
		bg = color.RGBA{255, 255, 255, 255}
	}
	if fg.A == 0 {
		fg = color.RGBA{30, 30, 30, 255}
	}
	k := max(1, opts.Scale)
	f := Font{k}
	chartPad, tickLen, xTickSpace, yTickSpace := k*chartPad, k*tickLen, k*xTickSpace, k*yTickSpace
	lineHeight, glyphWidth := f.Height(), k*GlyphWidth
	width := opts.LineWidth
	if width <= 0 {
		width = 1.5
	}
	width *= float64(k)
	fillRect(dst, r, bg)
	logY := opts.LogY
	// Text is drawn into the chart's own rectangle so that a long title
	// cannot spill into whatever surrounds the chart.
	frame := dst.SubImage(r).(*image.RGBA)

	// Data ranges.
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range series {
		checkSeries(s)
		for i, y := range s.Y {
			x := seriesX(s, i)
			if !usable(x, y, logY) {
				continue
			}
			xlo, xhi = min(xlo, x), max(xhi, x)
			ylo, yhi = min(ylo, y), max(yhi, y)
		}
	}
	for _, l := range opts.RefLines {
		if usable(0, l.Y, logY) {
			ylo, yhi = min(ylo, l.Y), max(yhi, l.Y)
		}
	}
	empty := xlo > xhi
	if empty {
		xlo, xhi = 0, 1
	}
	if ylo > yhi {
		ylo, yhi = 0, 1
		if logY {
			ylo, yhi = 1, 10
		}
	}
	xlo, xhi = widen(xlo, xhi, false)
	ylo, yhi = widen(ylo, yhi, logY)
	if !empty || len(opts.RefLines) > 0 {
		ylo, yhi = pad(ylo, yhi, logY)
	}
	if opts.YMin < opts.YMax && (!logY || opts.YMin > 0) {
		ylo, yhi = opts.YMin, opts.YMax
	}

	// Vertical layout: title, y label, plot, x tick labels, x label.
	top := r.Min.Y + chartPad
	if opts.Title != "" {
		f.Draw(frame, r.Min.X+(r.Dx()-f.Width(opts.Title))/2, top, opts.Title, fg)
		top += lineHeight + chartPad/2
	}
	yLabelY := top
	if opts.YLabel != "" {
		top += lineHeight + chartPad/2
	}
	top += lineHeight / 2 // half a label of room above the top tick
	bottom := r.Max.Y - chartPad - lineHeight - tickLen - 2*k
	if opts.XLabel != "" {
		bottom -= lineHeight + chartPad/2
	}

	// y ticks decide the left margin.
	var yt []float64
	var ylabels []string
	nY := max(2, (bottom-top)/yTickSpace)
	if logY {
		ticks, decades, step := logTicks(ylo, yhi, nY)
		yt = ticks
		for _, v := range ticks {
			if decades {
				ylabels = append(ylabels, formatDecade(v))
			} else {
				ylabels = append(ylabels, formatTick(v, step))
			}
		}
	} else {
		ticks, step := linearTicks(ylo, yhi, nY)
		yt = ticks
		for _, v := range ticks {
			ylabels = append(ylabels, formatTick(v, step))
		}
	}
	labelW := 0
	for _, s := range ylabels {
		labelW = max(labelW, f.Width(s))
	}
	left := r.Min.X + chartPad + labelW + tickLen + 2*k
	right := r.Max.X - chartPad - glyphWidth*2 // room for the last x label's overhang
	if right-left < 8 || bottom-top < 8 {
		return // too small for axes; background and title only
	}
	plot := image.Rect(left, top, right, bottom)
	if opts.YLabel != "" {
		f.Draw(frame, r.Min.X+chartPad, yLabelY, opts.YLabel, fg)
	}

	// Mappings from data to continuous pixel coordinates inside plot.
	fx := func(x float64) float64 {
		return float64(plot.Min.X) + (x-xlo)/(xhi-xlo)*float64(plot.Dx())
	}
	ty := func(y float64) float64 {
		if logY {
			return math.Log10(y)
		}
		return y
	}
	tylo, tyhi := ty(ylo), ty(yhi)
	fy := func(y float64) float64 {
		return float64(plot.Max.Y) - (ty(y)-tylo)/(tyhi-tylo)*float64(plot.Dy())
	}
	grid := color.RGBA{fg.R / 8, fg.G / 8, fg.B / 8, fg.A / 8} // fg at 1/8 opacity, premultiplied

	for i, v := range yt {
		py := int(math.Floor(fy(v)))
		if py < plot.Min.Y || py >= plot.Max.Y+1 {
			continue
		}
		py = min(py, plot.Max.Y-1)
		blendRect(dst, image.Rect(plot.Min.X, py, plot.Max.X, py+1), grid)
		fillRect(dst, image.Rect(plot.Min.X-tickLen, py, plot.Min.X, py+1), fg)
		s := ylabels[i]
		f.Draw(frame, plot.Min.X-tickLen-2*k-f.Width(s), py-lineHeight/2, s, fg)
	}
	xt, xstep := linearTicks(xlo, xhi, max(2, plot.Dx()/xTickSpace))
	for _, v := range xt {
		px := int(math.Floor(fx(v)))
		if px < plot.Min.X || px > plot.Max.X {
			continue
		}
		px = min(px, plot.Max.X-1)
		blendRect(dst, image.Rect(px, plot.Min.Y, px+1, plot.Max.Y), grid)
		fillRect(dst, image.Rect(px, plot.Max.Y, px+1, plot.Max.Y+tickLen), fg)
		s := formatTick(v, xstep)
		f.Draw(frame, px-f.Width(s)/2, plot.Max.Y+tickLen+2*k, s, fg)
	}
	if opts.XLabel != "" {
		f.Draw(frame, plot.Min.X+(plot.Dx()-f.Width(opts.XLabel))/2, plot.Max.Y+tickLen+lineHeight+chartPad/2+2*k, opts.XLabel, fg)
	}

	// Reference lines, dashed: 6 pixels on, 4 off.
	for i, l := range opts.RefLines {
		if !usable(0, l.Y, logY) {
			continue
		}
		c := l.Color
		if c.A == 0 {
			c = palette[(len(series)+i)%len(palette)]
		}
		py := fy(l.Y)
		for x := float64(plot.Min.X); x < float64(plot.Max.X); x += float64(10 * k) {
			segment(dst, plot, x, py, math.Min(x+float64(6*k), float64(plot.Max.X)), py, float64(k), c)
		}
	}

	// Series.
	for si, s := range series {
		c := s.Color
		if c.A == 0 {
			c = palette[si%len(palette)]
		}
		drawSeries(dst, plot, s, c, width, logY, fx, fy)
	}

	// Axes on top of the data.
	fillRect(dst, image.Rect(plot.Min.X-k, plot.Min.Y, plot.Min.X, plot.Max.Y+k), fg)
	fillRect(dst, image.Rect(plot.Min.X-k, plot.Max.Y, plot.Max.X, plot.Max.Y+k), fg)

	if empty {
		const msg = "no data"
		f.Draw(frame, plot.Min.X+(plot.Dx()-f.Width(msg))/2, plot.Min.Y+(plot.Dy()-lineHeight)/2, msg, fg)
	}
	legend(dst, plot, series, opts.RefLines, bg, fg, k)
}

// plotPoint is a series point in pixel coordinates with its index.
type plotPoint struct {
	i    int
	x, y float64
}

// drawSeries draws one series as a polyline broken at unusable points; a
// point with no usable neighbour becomes a dot so that it stays visible.
// Runs of points that fall in the same pixel column are reduced to their
// first, lowest, highest and last points (in order), which draws the same
// picture as all of them: a long loss curve costs what its width costs.
func drawSeries(dst *image.RGBA, plot image.Rectangle, s Series, c color.RGBA, width float64, logY bool,
	fx, fy func(float64) float64) {
	// Lines may overshoot the plot by their half width; clip to the plot
	// grown by one pixel so they neither leave it nor look cut at the axes.
	clip := plot.Inset(-1)
	var (
		run     int // points in the current unbroken run
		last    [2]float64
		col     = math.MinInt
		bucket  [4]plotPoint // first, min, max, last of a column
		pending bool         // bucket holds points not yet drawn
	)
	emit := func(x, y float64) {
		if run > 0 {
			segment(dst, clip, last[0], last[1], x, y, width, c)
		}
		last = [2]float64{x, y}
		run++
	}
	flush := func() {
		if !pending {
			return
		}
		b := bucket
		// Emit first, then min and max in index order, then last,
		// skipping repeats.
		lo, hi := b[1], b[2]
		if hi.i < lo.i {
			lo, hi = hi, lo
		}
		prev := -1
		for _, p := range [4]plotPoint{b[0], lo, hi, b[3]} {
			if p.i != prev {
				emit(p.x, p.y)
				prev = p.i
			}
		}
		pending = false
	}
	endRun := func() {
		flush()
		if run == 1 {
			disc(dst, clip, last[0], last[1], 1.5*width, c)
		}
		run = 0
		col = math.MinInt
	}
	for i, y := range s.Y {
		x := seriesX(s, i)
		if !usable(x, y, logY) {
			endRun()
			continue
		}
		qx, qy := fx(x), fy(y)
		p := plotPoint{i, qx, qy}
		k := int(math.Floor(qx))
		if k != col || !pending {
			flush()
			col = k
			bucket = [4]plotPoint{p, p, p, p}
			pending = true
			continue
		}
		if qy < bucket[1].y {
			bucket[1] = p
		}
		if qy > bucket[2].y {
			bucket[2] = p
		}
		bucket[3] = p
	}
	endRun()
}

// legend draws a box in the plot's top-right corner listing named series
// and reference lines.
func legend(dst *image.RGBA, plot image.Rectangle, series []Series, refs []RefLine, bg, fg color.RGBA, k int) {
	f := Font{k}
	chartPad, lineHeight := k*chartPad, f.Height()
	type item struct {
		name   string
		c      color.RGBA
		dashed bool
	}
	var items []item
	for i, s := range series {
		if s.Name != "" {
			c := s.Color
			if c.A == 0 {
				c = palette[i%len(palette)]
			}
			items = append(items, item{s.Name, c, false})
		}
	}
	for i, l := range refs {
		if l.Name != "" {
			c := l.Color
			if c.A == 0 {
				c = palette[(len(series)+i)%len(palette)]
			}
			items = append(items, item{l.Name, c, true})
		}
	}
	if len(items) == 0 {
		return
	}
	swatch := 16 * k
	w := 0
	for _, it := range items {
		w = max(w, f.Width(it.name))
	}
	w += swatch + 3*chartPad/2 + chartPad/2
	h := len(items)*lineHeight + chartPad
	box := image.Rect(plot.Max.X-w-chartPad/2, plot.Min.Y+chartPad/2, plot.Max.X-chartPad/2, plot.Min.Y+chartPad/2+h)
	if !box.In(plot) {
		return // the plot is too small for a legend
	}
	// The background at 7/8 opacity lets the data show through faintly.
	blendRect(dst, box, color.RGBA{bg.R / 8 * 7, bg.G / 8 * 7, bg.B / 8 * 7, bg.A / 8 * 7})
	for i, it := range items {
		y := box.Min.Y + chartPad/2 + i*lineHeight
		sy := float64(y + lineHeight/2)
		x0 := float64(box.Min.X + chartPad/2)
		if it.dashed {
			segment(dst, box, x0, sy, x0+float64(6*k), sy, float64(k), it.c)
			segment(dst, box, x0+float64(10*k), sy, x0+float64(swatch), sy, float64(k), it.c)
		} else {
			segment(dst, box, x0, sy, x0+float64(swatch), sy, float64(2*k), it.c)
		}
		f.Draw(dst.SubImage(box).(*image.RGBA), box.Min.X+chartPad/2+swatch+chartPad/2, y, it.name, fg)
	}
}

// checkSeries panics if a series has X of the wrong length.
func checkSeries(s Series) {
	if s.X != nil && len(s.X) != len(s.Y) {
		panic("render: series X and Y lengths differ")
	}
}

func seriesX(s Series, i int) float64 {
	if s.X == nil {
		return float64(i)
	}
	return s.X[i]
}

// maxValue bounds the magnitude of drawable values: beyond it, spans and
// paddings of ranges could overflow float64, so such values are skipped
// like ±Inf. No loss or metric worth a chart comes near it.
const maxValue = 1e300

// usable reports whether a point can be drawn: |x|, |y| ≤ maxValue (so
// finite), and y > 0 on a log axis.
func usable(x, y float64, logY bool) bool {
	return math.Abs(x) <= maxValue && math.Abs(y) <= maxValue && (!logY || y > 0)
}

// widen turns an empty or too narrow range into one the axis can show: a
// single value v becomes v ± |v|/10 (± 1 for zero; a factor √10 each way on
// a log axis), and any range is at least 1e-9 of its magnitude wide so that
// ticks stay distinct in float64.
func widen(lo, hi float64, log bool) (float64, float64) {
	if log {
		if hi/lo < 1+1e-9 {
			return max(lo/math.Sqrt(10), 0x1p-1022), min(hi*math.Sqrt(10), math.MaxFloat64)
		}
		return lo, hi
	}
	mag := max(math.Abs(lo), math.Abs(hi))
	if hi-lo <= 1e-9*mag || hi == lo {
		d := mag / 10
		if d == 0 {
			d = 1
		}
		return lo - d, hi + d
	}
	return lo, hi
}

// pad adds 5% of the span (of the logarithm on a log axis) on both sides,
// so that extreme points do not sit on the frame.
func pad(lo, hi float64, log bool) (float64, float64) {
	if log {
		l0, l1 := math.Log10(lo), math.Log10(hi)
		d := (l1 - l0) * 0.05
		// Stay within normal float64s: the ratio of extreme data may
		// already span most of the exponent range.
		return max(math.Pow(10, l0-d), 0x1p-1022), min(math.Pow(10, l1+d), math.MaxFloat64)
	}
	d := (hi - lo) * 0.05
	return lo - d, hi + d
}
