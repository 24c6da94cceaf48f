package render

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
)

// Changed returns the regions where cur differs from prev — the picture
// last shown — and copies them into prev, so that prev equals cur after the
// call. A caller that sends pictures somewhere (the page's training worker
// posting to the page) can then send only these regions, and the receiver
// redraw only them: in a training scene most of the picture (titles, axes,
// the target's panel) stays as it was.
//
// The rows are looked at in bands of band rows; each band with a change
// gives one rectangle over the columns and rows that changed in it, and a
// band's rectangle joins the one above it when the union wastes little
// (at most a quarter more pixels than the two). prev and cur must have the
// same bounds; nil is returned when nothing changed.
func Changed(prev, cur *image.RGBA, band int) []image.Rectangle {
	b := cur.Bounds()
	if prev.Bounds() != b {
		panic("render.Changed: pictures of different bounds")
	}
	if band < 1 {
		band = 1
	}
	var rects []image.Rectangle
	for y0 := b.Min.Y; y0 < b.Max.Y; y0 += band {
		y1 := min(y0+band, b.Max.Y)
		r := image.Rectangle{}
		for y := y0; y < y1; y++ {
			p, c := rowOf(prev, y), rowOf(cur, y)
			if bytes.Equal(p, c) {
				continue
			}
			i := 0
			for p[i] == c[i] {
				i++
			}
			j := len(c) - 1
			for p[j] == c[j] {
				j--
			}
			row := image.Rect(b.Min.X+i/4, y, b.Min.X+j/4+1, y+1)
			if r.Empty() {
				r = row
			} else {
				r = r.Union(row)
			}
		}
		if r.Empty() {
			continue
		}
		if n := len(rects); n > 0 && rects[n-1].Max.Y >= r.Min.Y-band {
			u := rects[n-1].Union(r)
			if area(u)*4 <= (area(rects[n-1])+area(r))*5 {
				rects[n-1] = u
				continue
			}
		}
		rects = append(rects, r)
	}
	for _, r := range rects {
		CopyRect(prev, cur, r)
	}
	return rects
}

// CopyRect copies the pixels of r from src into dst, which share bounds
// (or at least both contain r).
func CopyRect(dst, src *image.RGBA, r image.Rectangle) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		d := dst.PixOffset(r.Min.X, y)
		s := src.PixOffset(r.Min.X, y)
		copy(dst.Pix[d:d+4*r.Dx()], src.Pix[s:s+4*r.Dx()])
	}
}

// rowOf is row y of m's pixels.
func rowOf(m *image.RGBA, y int) []byte {
	i := m.PixOffset(m.Rect.Min.X, y)
	return m.Pix[i : i+4*m.Rect.Dx()]
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// PackRects appends the pixels of rects in m to buf, rectangle after
// rectangle, row after row (4 bytes a pixel), and returns it: the form in
// which regions travel in one buffer and UnpackRects puts them back.
func PackRects(buf []byte, m *image.RGBA, rects []image.Rectangle) []byte {
	for _, r := range rects {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			i := m.PixOffset(r.Min.X, y)
			buf = append(buf, m.Pix[i:i+4*r.Dx()]...)
		}
	}
	return buf
}

// UnpackRects writes pixels packed by PackRects back into m at rects. It
// reports false, writing nothing, when a rectangle lies outside m or the
// sizes do not add up to len(pix).
func UnpackRects(m *image.RGBA, rects []image.Rectangle, pix []byte) bool {
	n := 0
	for _, r := range rects {
		if r.Empty() || !r.In(m.Rect) {
			return false
		}
		n += 4 * area(r)
	}
	if n != len(pix) {
		return false
	}
	for _, r := range rects {
		w := 4 * r.Dx()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			i := m.PixOffset(r.Min.X, y)
			copy(m.Pix[i:i+w], pix[:w])
			pix = pix[w:]
		}
	}
	return true
}

// Hash is a short fingerprint of m's size and pixels, for checking that two
// copies of a picture agree.
func Hash(m *image.RGBA) string {
	h := fnv.New64a()
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		h.Write(rowOf(m, y))
	}
	return fmt.Sprintf("%dx%d:%016x", m.Rect.Dx(), m.Rect.Dy(), h.Sum64())
}
