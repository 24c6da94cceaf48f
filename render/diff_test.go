package render

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// TestChangedCoversEveryChange paints random blobs into a copy of a random
// picture and checks that Changed's regions cover every changed pixel, that
// prev equals cur afterwards, that the regions waste little, and that
// packing and unpacking the regions rebuilds the new picture from the old.
func TestChangedCoversEveryChange(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		w, h := 1+rng.IntN(300), 1+rng.IntN(200)
		b := image.Rect(0, 0, w, h).Add(image.Pt(rng.IntN(5), rng.IntN(5)))
		prev := image.NewRGBA(b)
		for i := range prev.Pix {
			prev.Pix[i] = byte(rng.IntN(256))
		}
		cur := image.NewRGBA(b)
		copy(cur.Pix, prev.Pix)
		changed := 0
		for k := rng.IntN(6); k > 0; k-- {
			x0, y0 := b.Min.X+rng.IntN(w), b.Min.Y+rng.IntN(h)
			r := image.Rect(x0, y0, x0+1+rng.IntN(60), y0+1+rng.IntN(40)).Intersect(b)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					i := cur.PixOffset(x, y) + rng.IntN(4) // one channel: the scan must find single bytes
					cur.Pix[i]++
				}
			}
		}
		old := image.NewRGBA(b)
		copy(old.Pix, prev.Pix)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				i := cur.PixOffset(x, y)
				if string(cur.Pix[i:i+4]) != string(prev.Pix[i:i+4]) {
					changed++
				}
			}
		}
		band := 1 + rng.IntN(32)
		rects := Changed(prev, cur, band)
		if changed == 0 {
			if rects != nil {
				t.Fatalf("trial %d: no change, got %v", trial, rects)
			}
			continue
		}
		if string(prev.Pix) != string(cur.Pix) {
			t.Fatalf("trial %d: prev differs from cur after Changed", trial)
		}
		covered := 0
		for i, r := range rects {
			if !r.In(b) || r.Empty() {
				t.Fatalf("trial %d: region %v outside %v", trial, r, b)
			}
			for _, s := range rects[:i] {
				if r.Overlaps(s) {
					t.Fatalf("trial %d: regions %v and %v overlap", trial, s, r)
				}
			}
			covered += area(r)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				i := cur.PixOffset(x, y)
				if string(cur.Pix[i:i+4]) == string(old.Pix[i:i+4]) {
					continue
				}
				in := false
				for _, r := range rects {
					in = in || image.Pt(x, y).In(r)
				}
				if !in {
					t.Fatalf("trial %d: changed pixel (%d,%d) in no region of %v", trial, x, y, rects)
				}
			}
		}
		if covered > w*h {
			t.Fatalf("trial %d: regions cover %d pixels of %d", trial, covered, w*h)
		}
		// what a receiver holding the old picture does with the regions
		pix := PackRects(nil, cur, rects)
		if !UnpackRects(old, rects, pix) {
			t.Fatalf("trial %d: UnpackRects refused its own packing", trial)
		}
		if string(old.Pix) != string(cur.Pix) {
			t.Fatalf("trial %d: the old picture plus the regions is not the new one", trial)
		}
	}
}

// TestChangedIsTight: one small change in a large picture is sent as a
// region of its own size, and changes in separate places stay separate.
func TestChangedIsTight(t *testing.T) {
	b := image.Rect(0, 0, 980, 657)
	prev, cur := image.NewRGBA(b), image.NewRGBA(b)
	cur.Set(500, 300, blackRGBA)
	got := Changed(prev, cur, 16)
	if len(got) != 1 || got[0] != image.Rect(500, 300, 501, 301) {
		t.Fatalf("one pixel: got %v", got)
	}
	// a panel and a chart far below it: two regions, not their union
	fill(cur, image.Rect(475, 30, 925, 480))
	fill(cur, image.Rect(10, 520, 950, 640))
	got = Changed(prev, cur, 16)
	want := []image.Rectangle{image.Rect(475, 30, 925, 480), image.Rect(10, 520, 950, 640)}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("panel and chart: got %v, want %v", got, want)
	}
	if got := Changed(prev, cur, 16); got != nil {
		t.Fatalf("nothing changed since: got %v", got)
	}
}

func TestUnpackRectsRefusesBadInput(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 10, 10))
	for _, c := range []struct {
		rects []image.Rectangle
		n     int
	}{
		{[]image.Rectangle{image.Rect(5, 5, 11, 6)}, 4 * 6},  // outside
		{[]image.Rectangle{image.Rect(0, 0, 2, 2)}, 4*4 - 1}, // short
		{[]image.Rectangle{image.Rect(0, 0, 2, 2)}, 4*4 + 4}, // long
		{[]image.Rectangle{image.Rect(3, 3, 3, 5)}, 0},       // empty
	} {
		if UnpackRects(m, c.rects, make([]byte, c.n)) {
			t.Errorf("UnpackRects(%v, %d bytes) accepted", c.rects, c.n)
		}
	}
}

var blackRGBA = color.RGBA{0, 0, 0, 255}

func fill(m *image.RGBA, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			m.Set(x, y, blackRGBA)
		}
	}
}
