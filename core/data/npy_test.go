package data

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// npy builds a .npy file of the given version with header dict text (padded
// to a multiple of 64 bytes with spaces and a newline, as numpy does) and data.
func npy(major byte, dict string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(npyMagic)
	b.WriteByte(major)
	b.WriteByte(0)
	pre := 10
	if major > 1 {
		pre = 12
	}
	h := dict
	for (pre+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	if major == 1 {
		binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	} else {
		binary.Write(&b, binary.LittleEndian, uint32(len(h)))
	}
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

func TestReadNPYImages(t *testing.T) {
	t.Parallel()
	data := []byte{0, 255, 51, 102, 1, 2, 3, 4} // two 2×2 images
	for i, tc := range []struct {
		major byte
		dict  string
		w, h  int
	}{
		{1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4), }", 2, 2},
		{2, `{"descr": "<u1", "fortran_order": False, "shape": (2, 2, 2)}`, 2, 2},
		{3, "{'shape': (2L, 1L, 4L), 'fortran_order': False, 'descr': 'u1'}", 4, 1},
	} {
		im, err := ReadNPYImages("apple.npy", bytes.NewReader(npy(tc.major, tc.dict, data)), "apple")
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		if im.N() != 2 || im.W != tc.w || im.H != tc.h || im.Label(1) != "apple" {
			t.Fatalf("test %d: got %d images of %d×%d labelled %q", i, im.N(), im.W, im.H, im.Label(1))
		}
		for j, b := range data {
			if im.Pix[j] != float64(b)/255 {
				t.Errorf("test %d value %d: got %v want %v", i, j, im.Pix[j], float64(b)/255)
			}
		}
	}
}

func TestReadNPYErrors(t *testing.T) {
	t.Parallel()
	ok := "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4), }"
	for i, tc := range []struct {
		in   []byte
		want string
	}{
		{[]byte("PK\x03\x04 a zip"), "x.npy: not a NumPy .npy file"},
		{npy(4, ok, nil), "format version 4.0"},
		{npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", nil), `dtype "<f4"`},
		{npy(1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 4), }", nil), "C order"},
		{npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 5), }", nil), "not square images"},
		{npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (8,), }", nil), "want (N, H·W)"},
		{npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2000000, 784), }", nil), "over the limit"},
		{npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1, 5000), }", nil), "on a side"},
		{npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1000000, 784), }", nil), "values"},
		{npy(1, ok, []byte{1, 2, 3, 4, 5}), "truncated: image 2 of 2"},
		{npy(1, "{'descr': '|u1', 'fortran_order': False", nil), "bad .npy header"},
		{npy(1, "{'descr': '|u1', 'shape': (2, 4), }", nil), "C order"},
		{npy(1, "{'descr': |u1}", nil), "unsupported value"},
		{npy(1, "[1, 2]", nil), "does not start with '{'"},
		{npy(1, "{'shape': (2, 4)} extra", nil), "text after"},
		{append([]byte(npyMagic+"\x02\x00"), 0xff, 0xff, 0xff, 0x7f), "over the limit of 65536"},
		{[]byte(npyMagic + "\x01\x00\x40\x00{'de"), "truncated .npy header"},
	} {
		_, err := ReadNPYImages("x.npy", bytes.NewReader(tc.in), "x")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("test %d: got error %v want one containing %q", i, err, tc.want)
		}
	}
}

func FuzzReadNPYImages(f *testing.F) {
	f.Add(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 4), }", []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(npy(2, "{'descr': '|b1', 'fortran_order': False, 'shape': (1, 1, 1), }", []byte{1}))
	f.Add(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (170000, 784), }", []byte{1}))
	f.Fuzz(func(t *testing.T, in []byte) {
		im, err := ReadNPYImages("fuzz", bytes.NewReader(in), "c")
		if err == nil && (len(im.Pix) != im.N()*im.Dim() || len(im.Labels) != im.N()) {
			t.Errorf("%d values and %d labels for %d images of %d", len(im.Pix), len(im.Labels), im.N(), im.Dim())
		}
	})
}

// TestEncodeNPY reads back what EncodeNPY writes, for each shape a reader
// takes, and checks numpy's 64-byte alignment of the data.
func TestEncodeNPY(t *testing.T) {
	t.Parallel()
	pix := []byte{0, 255, 51, 102, 1, 2, 3, 4}
	for i, shape := range [][]int{{2, 4}, {2, 2, 2}, {1, 1, 8}} {
		b := EncodeNPY(pix, shape...)
		if start := len(b) - len(pix); start%64 != 0 {
			t.Errorf("test %d: the data start at byte %d, not on a 64-byte boundary", i, start)
		}
		im, err := ReadNPYImages("a.npy", bytes.NewReader(b), "a")
		if err != nil {
			t.Errorf("test %d: %v", i, err)
			continue
		}
		if im.N() != shape[0] || im.Pix[1] != 1 || im.Pix[7] != 4.0/255 {
			t.Errorf("test %d: got %d images, values %v", i, im.N(), im.Pix)
		}
	}
}
