package render

import (
	"image/color"
	"math"
	"testing"
)

// luminance is the WCAG relative luminance of an sRGB colour.
func luminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// contrast is the WCAG contrast ratio of two colours, 1 to 21.
func contrast(a, b color.RGBA) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestThemesReadable checks each theme against WCAG 2's contrast ratios:
// 4.5 for body text, 3 for secondary text and graphics (curves, reference
// lines), and sample dots (opaque) at 3 against both ends of the density
// colormap, where they must be seen.
func TestThemesReadable(t *testing.T) {
	t.Parallel()
	for _, th := range []Theme{Dark, Light} {
		checks := []struct {
			what string
			a, b color.RGBA
			min  float64
		}{
			{"text on background", th.Text, th.Background, 4.5},
			{"text on panel", th.Text, th.Panel, 4.5},
			{"dim text on background", th.DimText, th.Background, 3},
			{"reference line on background", th.Ref, th.Background, 3},
			{"training curve on background", th.Series[0], th.Background, 3},
			{"held-out curve on background", th.Series[1], th.Background, 2.5},
		}
		opaque := th.Dots
		opaque.A = 255
		// the dots stand out strongly where the density is low (most of
		// the picture); at the peaks they may merge (white on magma's cream)
		lo, hi := contrast(opaque, th.Density.At(0)), contrast(opaque, th.Density.At(1))
		if lo < 4.5 {
			t.Errorf("%s: dots against the density's ends: got %.2f and %.2f", th.Name, lo, hi)
		}
		for i, c := range checks {
			if got := contrast(c.a, c.b); got < c.min {
				t.Errorf("%s test %d (%s): got contrast %.2f want ≥ %g", th.Name, i, c.what, got, c.min)
			}
		}
		// the density's zero end is close to the background: an empty
		// region reads as page, not as a black square (light) or a glare
		// (dark)
		if got := contrast(th.Density.At(0), th.Background); got > 1.3 {
			t.Errorf("%s: density at zero against the background: got contrast %.2f want ≤ 1.3", th.Name, got)
		}
	}
}

func TestReversed(t *testing.T) {
	t.Parallel()
	r := Magma.Reversed()
	for i, x := range []float64{0, 51.0 / 255, 128.0 / 255, 1} {
		if got, want := r.At(x), Magma.At(1-x); got != want {
			t.Errorf("test %d: got %v want %v", i, got, want)
		}
	}
	if r.Name() != "magma_r" {
		t.Errorf("name: got %q want magma_r", r.Name())
	}
}

// TestFontScaled checks that text at scale 2 is the 1:1 text with every
// pixel doubled.
func TestFontScaled(t *testing.T) {
	t.Parallel()
	const s = "Ag 1.5"
	black := color.RGBA{0, 0, 0, 255}
	one := white(60, 20)
	Text(one, 0, 0, s, black)
	two := white(120, 40)
	f := Font{Scale: 2}
	f.Draw(two, 0, 0, s, black)
	if got, want := f.Width(s), 2*TextWidth(s); got != want {
		t.Errorf("width: got %d want %d", got, want)
	}
	if got, want := f.Height(), 2*LineHeight; got != want {
		t.Errorf("height: got %d want %d", got, want)
	}
	for y := 0; y < 40; y++ {
		for x := 0; x < 120; x++ {
			if got, want := two.RGBAAt(x, y), one.RGBAAt(x/2, y/2); got != want {
				t.Fatalf("pixel (%d, %d): got %v want %v", x, y, got, want)
			}
		}
	}
	// clipped at every edge without panicking
	small := white(5, 5)
	f.Draw(small, -7, -9, s, black)
	f.Draw(small, 4, 4, s, black)
}

// TestLineChartScaled checks that a chart at scale 2 in a rectangle twice
// as large lays out as at scale 1: its ink, sampled at the doubled grid,
// is close to the 1:1 chart's.
func TestLineChartScaled(t *testing.T) {
	t.Parallel()
	y := []float64{3, 2.5, 2.2, 2, 1.9, 1.85}
	opts := ChartOptions{Title: "loss", XLabel: "step", Background: bgWhite, Foreground: fgBlack,
		RefLines: []RefLine{{Y: 1.8, Name: "floor"}}}
	one := white(240, 160)
	LineChart(one, one.Bounds(), []Series{{Name: "train", Y: y}}, opts)
	opts.Scale = 2
	two := white(480, 320)
	LineChart(two, two.Bounds(), []Series{{Name: "train", Y: y}}, opts)
	// Text is drawn exactly doubled and the axes' positions double; lines
	// differ in anti-aliasing only. 3% of pixels is the measured ~1% with
	// room to spare.
	const maxDiffer = 0.03
	differ := 0
	for j := 0; j < 160; j++ {
		for i := 0; i < 240; i++ {
			a, b := one.RGBAAt(i, j), two.RGBAAt(2*i, 2*j)
			if absDiff(a.R, b.R) > 64 || absDiff(a.G, b.G) > 64 || absDiff(a.B, b.B) > 64 {
				differ++
			}
		}
	}
	if got := float64(differ) / (240 * 160); got > maxDiffer {
		t.Errorf("scaled chart differs from the 1:1 one in %.1f%% of pixels, want ≤ %.0f%%", 100*got, 100*maxDiffer)
	}
}
