package render

import (
	"image"
	"image/color"
	"math"
	"testing"
)

var (
	bgWhite = color.RGBA{255, 255, 255, 255}
	fgBlack = color.RGBA{0, 0, 0, 255}
)

// axes finds the chart's left and bottom axis lines: the column and row
// with the longest runs of foreground pixels.
func axes(img *image.RGBA) (left, bottom int) {
	b := img.Bounds()
	best := 0
	for x := b.Min.X; x < b.Max.X; x++ {
		run, longest := 0, 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if img.RGBAAt(x, y) == fgBlack {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		if longest > best {
			best, left = longest, x
		}
	}
	best = 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		run, longest := 0, 0
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.RGBAAt(x, y) == fgBlack {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		if longest > best {
			best, bottom = longest, y
		}
	}
	return left, bottom
}

// inked counts pixels of r that differ from the background.
func inked(img *image.RGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) != bgWhite {
				n++
			}
		}
	}
	return n
}

func TestLineChartLayout(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	y := make([]float64, 50)
	for i := range y {
		y[i] = float64(i) / 5
	}
	red := color.RGBA{220, 0, 0, 255}
	LineChart(img, img.Bounds(), []Series{{Y: y, Color: red}}, ChartOptions{
		Title: "T", Background: bgWhite, Foreground: fgBlack,
	})
	left, bottom := axes(img)
	if left < 10 || left > 60 || bottom < 140 || bottom > 190 {
		t.Fatalf("axes at x=%d, y=%d: not where a 300×200 chart puts them", left, bottom)
	}
	// y tick labels left of the axis, x tick labels below it, the title
	// centred on top.
	for i, r := range []image.Rectangle{
		image.Rect(0, 0, left-1, bottom),
		image.Rect(left+1, bottom+1, 300, 200),
		image.Rect(140, 0, 160, 20),
	} {
		if n := inked(img, r); n < 10 {
			t.Errorf("test %d: only %d inked pixels in %v", i, n, r)
		}
	}
	// The series is drawn inside the plot and nowhere else.
	for yy := 0; yy < 200; yy++ {
		for xx := 0; xx < 300; xx++ {
			if img.RGBAAt(xx, yy) == red && (xx <= left-2 || yy >= bottom+2) {
				t.Fatalf("series pixel at (%d, %d) outside the plot", xx, yy)
			}
		}
	}
	if n := count(img, red); n < 100 {
		t.Errorf("only %d pixels of the series", n)
	}
}

func count(img *image.RGBA, c color.RGBA) int {
	n := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] == c.R && img.Pix[i+1] == c.G && img.Pix[i+2] == c.B && img.Pix[i+3] == c.A {
			n++
		}
	}
	return n
}

func TestLineChartDegenerateData(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	red := color.RGBA{220, 0, 0, 255}
	for i, test := range []struct {
		series  []Series
		opts    ChartOptions
		visible bool // some pixel of the series must show
	}{
		{series: nil},
		{series: []Series{{Y: nil, Color: red}}},
		{series: []Series{{Y: []float64{3}, Color: red}}, visible: true},
		{series: []Series{{Y: []float64{nan, 2, nan}, Color: red}}, visible: true},
		{series: []Series{{Y: []float64{nan, inf, -inf}, Color: red}}},
		{series: []Series{{Y: []float64{5, 5, 5, 5}, Color: red}}, visible: true},
		{series: []Series{{Y: []float64{0, 0}, Color: red}}, visible: true},
		{series: []Series{{Y: []float64{-1e300, 1e300, 0}, Color: red}}, visible: true},
		{series: []Series{{Y: []float64{-math.MaxFloat64, math.MaxFloat64}, Color: red}}},
		{series: []Series{{Y: []float64{-math.MaxFloat64, 1, 2, math.MaxFloat64}, Color: red}}, visible: true},
		{series: []Series{{X: []float64{1e15, 1e15 + 1}, Y: []float64{1, 2}, Color: red}}, visible: true},
		{series: []Series{{Y: []float64{-1, 0, 2, 4}, Color: red}}, opts: ChartOptions{LogY: true}, visible: true},
		{series: []Series{{Y: []float64{-1, 0}, Color: red}}, opts: ChartOptions{LogY: true}},
		{series: []Series{{Y: []float64{1e-300, 1e300}, Color: red}}, opts: ChartOptions{LogY: true}, visible: true},
		{series: []Series{{Y: []float64{1, 100, 3}, Color: red}}, opts: ChartOptions{YMin: 0, YMax: 5}, visible: true},
		{series: nil, opts: ChartOptions{RefLines: []RefLine{{Y: 2, Name: "floor", Color: red}}}, visible: true},
	} {
		img := image.NewRGBA(image.Rect(0, 0, 200, 120))
		LineChart(img, img.Bounds(), test.series, test.opts)
		if got := count(img, red) > 0; got != test.visible {
			t.Errorf("test %d: series visible %v want %v", i, got, test.visible)
		}
	}
	// Too small for axes: only the background, no panic.
	tiny := image.NewRGBA(image.Rect(0, 0, 12, 9))
	LineChart(tiny, tiny.Bounds(), []Series{{Y: []float64{1, 2}}}, ChartOptions{Title: "too long a title"})
	if !panics(func() {
		LineChart(tiny, tiny.Bounds(), []Series{{X: []float64{1}, Y: []float64{1, 2}}}, ChartOptions{})
	}) {
		t.Error("X/Y length mismatch: no panic")
	}
}

func TestLineChartKeepsSpikesOfLongSeries(t *testing.T) {
	t.Parallel()
	// 100k points on a 200-pixel plot share columns; the column reduction
	// must keep the single spike, or a diverging step would vanish.
	y := make([]float64, 100000)
	y[51234] = 10
	red := color.RGBA{220, 0, 0, 255}
	img := image.NewRGBA(image.Rect(0, 0, 260, 160))
	LineChart(img, img.Bounds(), []Series{{Y: y, Color: red}}, ChartOptions{Background: bgWhite, Foreground: fgBlack})
	left, bottom := axes(img)
	// The spike reaches the top tenth of the plot, halfway across.
	found := false
	for yy := 0; yy < bottom/4; yy++ {
		for xx := left + 80; xx < left+150; xx++ {
			if img.RGBAAt(xx, yy) == red {
				found = true
			}
		}
	}
	if !found {
		t.Error("spike not drawn")
	}
}

func TestLineChartStaysInItsRectangle(t *testing.T) {
	t.Parallel()
	img := white(300, 200)
	r := image.Rect(100, 50, 220, 150)
	LineChart(img, r, []Series{{Name: "a rather long series name", Y: []float64{1, 1e6, 3}}}, ChartOptions{
		Title: "a title much wider than the chart it belongs to", XLabel: "an x label that is also long",
		YLabel: "y", RefLines: []RefLine{{Y: 1e7, Name: "ref"}}, Background: bgWhite,
	})
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			if !image.Pt(x, y).In(r) && img.RGBAAt(x, y) != bgWhite {
				t.Fatalf("pixel (%d, %d) outside the chart's rectangle %v was drawn", x, y, r)
			}
		}
	}
}
