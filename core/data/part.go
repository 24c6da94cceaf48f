package data

import (
	"errors"
	"fmt"
	"io"
)

// A Part says how much of an image file a reader takes: at most Max images
// (0: all of them), and, when Prefix is set, that the reader was handed only
// the file's first bytes, so data ending early is no error and the whole
// images in them are read. A page reads parts of big files this way: a
// Quick, Draw! category is over 100 MB, far more than a live VAE needs.
type Part struct {
	Max    int
	Prefix bool
}

// count returns how many of the n items a file declares the part reads.
func (p Part) count(n int) int {
	if p.Max > 0 {
		return min(n, p.Max)
	}
	return n
}

// short reports whether a read error of item i (0-based) ends the part
// without fault: the data were a prefix, cut after at least one whole item.
func (p Part) short(err error, i int) bool {
	return p.Prefix && i > 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF))
}

// readUint8Rows reads up to k rows of len(buf) bytes as values v/255,
// appending them to pix; the error says which row of n is incomplete.
func readUint8Rows(name string, r io.Reader, p Part, buf []byte, k, n int, pix []float64, binary bool) ([]float64, int, error) {
	for i := 0; i < k; i++ {
		if _, err := io.ReadFull(r, buf); err != nil {
			if p.short(err, i) {
				return pix, i, nil
			}
			return nil, i, fmt.Errorf("%s: truncated: image %d of %d is incomplete (%v)", name, i+1, n, readErr(err))
		}
		for _, b := range buf {
			if binary {
				b = min(b, 1) * 255
			}
			pix = append(pix, float64(b)/255)
		}
	}
	return pix, k, nil
}
