package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pngBytes(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// halves is a w×h picture, its left half l and its right half r.
func halves(w, h int, l, r color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := l
			if x >= w/2 {
				c = r
			}
			img.Set(x, y, c)
		}
	}
	return img
}

var (
	red   = color.NRGBA{255, 0, 0, 255}
	blue  = color.NRGBA{0, 0, 255, 255}
	clear = color.NRGBA{0, 0, 0, 0}
)

func TestDecodeImageResize(t *testing.T) {
	t.Parallel()
	// 8-bit values /255 through 16 bits: exact up to rounding of 1/255 steps
	const tol = 1e-12
	for i, tc := range []struct {
		img     image.Image
		w, h, c int
		want    []float64
	}{
		{halves(4, 4, red, blue), 2, 1, 3, []float64{1, 0, 0, 0, 0, 1}},
		{halves(4, 4, red, blue), 1, 1, 3, []float64{0.5, 0, 0.5}},
		{halves(2, 1, red, clear), 2, 1, 3, []float64{1, 0, 0, 1, 1, 1}}, // transparent → white
		{halves(2, 2, red, blue), 1, 1, 1, []float64{0.5*0.299 + 0.5*0.114}},
		{halves(2, 1, red, blue), 4, 1, 3, []float64{1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1}}, // growing repeats
		{halves(3, 1, red, blue), 2, 1, 3, []float64{2.0 / 3, 0, 1.0 / 3, 0, 0, 1}},       // red, blue, blue: 1.5 pixels each
	} {
		got, err := DecodeImage("x.png", bytes.NewReader(pngBytes(t, tc.img)), tc.w, tc.h, tc.c)
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("test %d: got %d values want %d", i, len(got), len(tc.want))
		}
		for j := range got {
			if math.Abs(got[j]-tc.want[j]) > tol {
				t.Errorf("test %d value %d: got %v want %v", i, j, got[j], tc.want[j])
			}
		}
	}
}

// hugePNG is a valid PNG signature and header chunk claiming a w×h image,
// with no pixel data.
func hugePNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 2 // 8-bit RGB
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

func TestDecodeImageErrors(t *testing.T) {
	t.Parallel()
	good := pngBytes(t, halves(2, 2, red, blue))
	for i, tc := range []struct {
		in      []byte
		w, h, c int
		want    string
	}{
		{[]byte("GIF89a not supported"), 8, 8, 3, "x.png: not a PNG or JPEG image"},
		{hugePNG(100000, 100000), 8, 8, 3, "x.png: a 100000×100000 png image; want 1 to 50 megapixels"},
		{good[:len(good)-20], 8, 8, 3, "x.png: broken png image"},
		{good, 0, 8, 3, "target image size 0×8"},
		{good, 8, 8, 2, "2 channels"},
	} {
		_, err := DecodeImage("x.png", bytes.NewReader(tc.in), tc.w, tc.h, tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("test %d: got error %v want one containing %q", i, err, tc.want)
		}
	}
}

func TestLoadImageFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var jb bytes.Buffer
	jpeg.Encode(&jb, halves(8, 8, blue, blue), &jpeg.Options{Quality: 95})
	write("banana/1.png", pngBytes(t, halves(4, 4, red, red)))
	write("banana/2.JPG", jb.Bytes())
	write("banana/notes.txt", []byte("not an image"))
	write("apple/a.png", pngBytes(t, halves(4, 4, blue, red)))
	write(".hidden/x.png", []byte("skipped"))
	im, err := LoadImageFolder(dir, 2, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if im.N() != 3 || strings.Join(im.Classes, ",") != "apple,banana" || im.Label(0) != "apple" || im.Label(2) != "banana" {
		t.Fatalf("got %d images, classes %v, labels %v", im.N(), im.Classes, im.Labels)
	}
	// JPEG blue, within JPEG's rounding
	if b := im.Image(2); b[0] > 0.05 || b[2] < 0.95 {
		t.Errorf("JPEG image: got %v want blue", b[:3])
	}
	write("banana/3.png", []byte("broken"))
	if _, err := LoadImageFolder(dir, 2, 2, 3); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "banana")+"/3.png: not a PNG or JPEG") {
		t.Errorf("broken file: got %v, want the file named", err)
	}
	flat := t.TempDir()
	os.WriteFile(filepath.Join(flat, "x.png"), pngBytes(t, halves(2, 2, red, red)), 0o644)
	im, err = LoadImageFolder(flat, 1, 1, 1)
	if err != nil || im.N() != 1 || im.Classes[0] != filepath.Base(flat) {
		t.Errorf("flat folder: got %v, %v; want one class named after the folder", im, err)
	}
	if _, err := LoadImageFolder(t.TempDir(), 2, 2, 3); err == nil || !strings.Contains(err.Error(), "no PNG or JPEG images") {
		t.Errorf("empty folder: got %v", err)
	}
	if _, err := LoadImageFolder(filepath.Join(dir, "nope"), 2, 2, 3); err == nil {
		t.Errorf("missing folder: no error")
	}
}

func FuzzDecodeImage(f *testing.F) {
	f.Add(pngBytes(f, halves(3, 2, red, clear)))
	var jb bytes.Buffer
	jpeg.Encode(&jb, halves(5, 3, red, blue), nil)
	f.Add(jb.Bytes())
	f.Add(hugePNG(9000, 9000))
	f.Fuzz(func(t *testing.T, in []byte) {
		pix, err := DecodeImage("fuzz", bytes.NewReader(in), 4, 3, 3)
		if err == nil {
			if len(pix) != 4*3*3 {
				t.Fatalf("got %d values want 36", len(pix))
			}
			for _, v := range pix {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("value %v outside [0, 1]", v)
				}
			}
		}
	})
}
