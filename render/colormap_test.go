package render

import (
	"image/color"
	"math"
	"testing"
)

func TestColormapEndpoints(t *testing.T) {
	t.Parallel()
	// Endpoints as matplotlib publishes them (hex values of the first and
	// last table entries) and Moreland's table.
	for i, test := range []struct {
		cmap Colormap
		t    float64
		want color.RGBA
	}{
		{Viridis, 0, color.RGBA{0x44, 0x01, 0x54, 255}},
		{Viridis, 1, color.RGBA{0xfd, 0xe7, 0x25, 255}},
		{Magma, 0, color.RGBA{0x00, 0x00, 0x04, 255}},
		{Magma, 1, color.RGBA{0xfc, 0xfd, 0xbf, 255}},
		{CoolWarm, 0, color.RGBA{59, 76, 192, 255}},
		{CoolWarm, 1, color.RGBA{180, 4, 38, 255}},
		{Greys, 0, color.RGBA{0, 0, 0, 255}},
		{Greys, 1, color.RGBA{255, 255, 255, 255}},
		{Viridis, -3, color.RGBA{0x44, 0x01, 0x54, 255}}, // clamped
		{Viridis, 7, color.RGBA{0xfd, 0xe7, 0x25, 255}},
		{Viridis, math.Inf(1), color.RGBA{0xfd, 0xe7, 0x25, 255}},
		{Magma, math.NaN(), NaNColor},
	} {
		if got := test.cmap.At(test.t); got != test.want {
			t.Errorf("test %d: %s.At(%v) = %v want %v", i, test.cmap.Name(), test.t, got, test.want)
		}
	}
	// CoolWarm's middle anchor is the neutral (221, 221, 221); t = 0.5 falls
	// between LUT entries 127 and 128, each within two levels of it.
	if got := CoolWarm.At(0.5); absDiff(got.R, 221) > 2 || absDiff(got.G, 221) > 2 || absDiff(got.B, 221) > 2 {
		t.Errorf("CoolWarm middle: got %v want ≈ (221, 221, 221)", got)
	}
}

func TestColormapMatchesFullTables(t *testing.T) {
	t.Parallel()
	// Entries of matplotlib's 256-entry tables that are not anchors
	// (rounded to 8 bits): interpolating the anchors must reproduce them
	// within one level, as the anchor table's comment promises.
	for i, test := range []struct {
		cmap  Colormap
		entry int
		want  [3]uint8
	}{
		{Viridis, 37, [3]uint8{70, 51, 127}},
		{Viridis, 64, [3]uint8{59, 82, 139}},
		{Viridis, 128, [3]uint8{33, 145, 140}},
		{Viridis, 201, [3]uint8{115, 208, 86}},
		{Viridis, 254, [3]uint8{251, 231, 35}},
		{Magma, 37, [3]uint8{36, 18, 83}},
		{Magma, 64, [3]uint8{81, 18, 124}},
		{Magma, 128, [3]uint8{183, 55, 121}},
		{Magma, 201, [3]uint8{253, 154, 106}},
		{Magma, 254, [3]uint8{252, 251, 189}},
	} {
		got := test.cmap.At(float64(test.entry) / 255)
		for ch, g := range [3]uint8{got.R, got.G, got.B} {
			if absDiff(g, test.want[ch]) > 1 {
				t.Errorf("test %d: %s entry %d: got %v want %v", i, test.cmap.Name(), test.entry, got, test.want)
				break
			}
		}
	}
}

func TestSequentialMapsGetLighter(t *testing.T) {
	t.Parallel()
	// Perceptually uniform sequential maps increase monotonically in
	// lightness; Rec. 709 luma is a close enough proxy to catch a scrambled
	// or reversed anchor table.
	for _, cmap := range []Colormap{Viridis, Magma, Greys} {
		prev := -1.0
		for i := 0; i < 256; i += 8 {
			c := cmap.At(float64(i) / 255)
			l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
			if l < prev-1 { // 1 level of slack for 8-bit rounding
				t.Errorf("%s: luma falls from %v to %v at entry %d", cmap.Name(), prev, l, i)
			}
			prev = l
		}
	}
}

func TestNewColormapPanics(t *testing.T) {
	t.Parallel()
	if !panics(func() { NewColormap("one", [][3]float64{{0, 0, 0}}) }) {
		t.Error("one anchor: no panic")
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}
