package data

import (
	"bytes"
	"strings"
	"testing"
)

// TestReadPart reads parts of .npy and IDX files: the first Max images, or
// the whole images in a file's first bytes; a cut file that is not declared
// a prefix is still an error.
func TestReadPart(t *testing.T) {
	t.Parallel()
	pix := make([]byte, 5*4) // five 2×2 images, image i filled with i
	for i := range pix {
		pix[i] = byte(i / 4)
	}
	npyFile := npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (5, 4), }", pix)
	idxFile := EncodeIDX(IDXImagesMagic, []uint32{5, 2, 2}, pix)
	lblFile := EncodeIDX(IDXLabelsMagic, []uint32{5}, []byte{4, 3, 2, 1, 0})
	cut := func(b []byte, drop int) []byte { return b[:len(b)-drop] }
	type reader func(b []byte, p Part) (n, total int, first byte, err error)
	readNPY := func(b []byte, p Part) (int, int, byte, error) {
		im, total, err := ReadNPYImagesPart("a.npy", bytes.NewReader(b), "a", p)
		if err != nil {
			return 0, 0, 0, err
		}
		return im.N(), total, byte(im.Pix[len(im.Pix)-1] * 255), nil // the last image's value
	}
	readIDX := func(b []byte, p Part) (int, int, byte, error) {
		im, total, err := ReadIDXImagesPart("a-idx3-ubyte", bytes.NewReader(b), p)
		if err != nil {
			return 0, 0, 0, err
		}
		return im.N(), total, byte(im.Pix[len(im.Pix)-1] * 255), nil
	}
	readLabels := func(b []byte, p Part) (int, int, byte, error) {
		l, total, err := ReadIDXLabelsPart("a-idx1-ubyte", bytes.NewReader(b), p)
		if err != nil {
			return 0, 0, 0, err
		}
		return len(l), total, byte(l[len(l)-1]), nil
	}
	for i, tc := range []struct {
		read    reader
		file    []byte
		p       Part
		n, last int
		err     string
	}{
		{readNPY, npyFile, Part{}, 5, 4, ""},
		{readNPY, npyFile, Part{Max: 2}, 2, 1, ""},
		{readNPY, cut(npyFile, 6), Part{Prefix: true}, 3, 2, ""},         // 3½ images left: 3 whole
		{readNPY, cut(npyFile, 6), Part{Prefix: true, Max: 2}, 2, 1, ""}, // the cut lies beyond
		{readNPY, cut(npyFile, 6), Part{}, 0, 0, "truncated: image 4 of 5"},
		{readNPY, cut(npyFile, 20), Part{Prefix: true}, 0, 0, "truncated: image 1 of 5"}, // no whole image
		{readIDX, idxFile, Part{Max: 3}, 3, 2, ""},
		{readIDX, cut(idxFile, 1), Part{Prefix: true}, 4, 3, ""},
		{readIDX, cut(idxFile, 1), Part{}, 0, 0, "truncated: image 5 of 5"},
		{readLabels, lblFile, Part{Max: 2}, 2, 3, ""},
		{readLabels, cut(lblFile, 2), Part{Prefix: true}, 3, 2, ""},
		{readLabels, cut(lblFile, 2), Part{}, 0, 0, "of 5 labels"},
	} {
		n, total, last, err := tc.read(tc.file, tc.p)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("test %d: got error %v want one containing %q", i, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("test %d: %v", i, err)
			continue
		}
		if n != tc.n || total != 5 || int(last) != tc.last {
			t.Errorf("test %d: got %d of %d, last value %d; want %d of 5, last %d", i, n, total, last, tc.n, tc.last)
		}
	}
}

// TestReadPartGzip reads the first bytes of a gzipped IDX file: the
// decompressor's complaint about the cut stream ends the part.
func TestReadPartGzip(t *testing.T) {
	t.Parallel()
	const n, side = 400, 8
	pix := make([]byte, n*side*side)
	for i := range pix {
		pix[i] = byte(i * 7919 % 251) // little redundancy, so the stream is long
	}
	z := gz(EncodeIDX(IDXImagesMagic, []uint32{n, side, side}, pix))
	im, total, err := ReadIDXImagesPart("a.gz", bytes.NewReader(z[:len(z)/2]), Part{Prefix: true})
	if err != nil {
		t.Fatal(err)
	}
	if total != n || im.N() < 1 || im.N() >= n {
		t.Errorf("got %d of %d images from half the stream; want some, not all, of %d", im.N(), total, n)
	}
	for i, v := range im.Pix {
		if v != float64(pix[i])/255 {
			t.Fatalf("value %d: got %v want %v", i, v, float64(pix[i])/255)
		}
	}
}

func TestIDXMagic(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		file []byte
		want uint32
	}{
		{EncodeIDX(IDXImagesMagic, []uint32{0, 1, 1}, nil), IDXImagesMagic},
		{gz(EncodeIDX(IDXLabelsMagic, []uint32{0}, nil)), IDXLabelsMagic},
		{[]byte("PK\x03\x04"), 0x504b0304},
	} {
		if got, err := IDXMagic("f", bytes.NewReader(tc.file)); err != nil || got != tc.want {
			t.Errorf("test %d: got %#x, %v want %#x", i, got, err, tc.want)
		}
	}
	if _, err := IDXMagic("f", bytes.NewReader([]byte{0, 0})); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Errorf("a 2-byte file: got %v want a too-short error", err)
	}
}
