package data

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestFruitsContactSheet writes contact sheets of the fruits, one row per
// kind, at both sizes, when LIKELAB_PICTURES names a folder: the pictures a
// person looks at to judge whether each fruit is recognisable.
func TestFruitsContactSheet(t *testing.T) {
	dir := os.Getenv("LIKELAB_PICTURES")
	if dir == "" {
		t.Skip("set LIKELAB_PICTURES=dir to write fruit contact sheets")
	}
	for _, size := range []int{32, 64} {
		const perKind = 12
		im, err := Fruits(perKind*len(FruitKinds), FruitOptions{Size: size, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		zoom := 128 / size
		path := filepath.Join(dir, "fruits"+itoa(size)+".png")
		if err := writeSheet(path, im, perKind, zoom); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// writeSheet lays out images in columns cols per row, the images of class k
// in row k (the order Fruits labels them), magnified zoom times.
func writeSheet(path string, im *Images, cols, zoom int) error {
	k := len(im.Classes)
	w, h := im.W*zoom+2, im.H*zoom+2
	sheet := image.NewRGBA(image.Rect(0, 0, cols*w, k*h))
	for i := range sheet.Pix {
		sheet.Pix[i] = 255
	}
	count := make([]int, k)
	for i := 0; i < im.N(); i++ {
		row := im.Labels[i]
		col := count[row]
		count[row]++
		if col >= cols {
			continue
		}
		img := im.Image(i)
		for y := 0; y < im.H*zoom; y++ {
			for x := 0; x < im.W*zoom; x++ {
				o := ((y/zoom)*im.W + x/zoom) * im.C
				var c color.RGBA
				if im.C == 1 {
					g := uint8(math.Round(255 * img[o]))
					c = color.RGBA{g, g, g, 255}
				} else {
					c = color.RGBA{uint8(math.Round(255 * img[o])), uint8(math.Round(255 * img[o+1])), uint8(math.Round(255 * img[o+2])), 255}
				}
				sheet.SetRGBA(col*w+1+x, row*h+1+y, c)
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, sheet); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func TestFruitsDeterministicAndPrefix(t *testing.T) {
	t.Parallel()
	a, err := Fruits(50, FruitOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Fruits(20, FruitOptions{Seed: 3})
	c, _ := Fruits(20, FruitOptions{Seed: 4})
	if a.W != 32 || a.H != 32 || a.C != 3 || a.N() != 50 {
		t.Fatalf("got %d images of %d×%d×%d want 50 of 32×32×3", a.N(), a.W, a.H, a.C)
	}
	for i, v := range b.Pix {
		if a.Pix[i] != v {
			t.Fatalf("value %d: 20-image set got %v, 50-image set %v; want the same", i, v, a.Pix[i])
		}
	}
	same := 0
	for i, v := range c.Pix {
		if v == b.Pix[i] {
			same++
		}
	}
	if same == len(c.Pix) {
		t.Errorf("seeds 3 and 4 drew the same images")
	}
	for i, v := range a.Pix {
		if !(v >= 0 && v <= 1) {
			t.Fatalf("value %d is %v, outside [0, 1]", i, v)
		}
	}
	for i, l := range a.Labels {
		if l != i%len(FruitKinds) || a.Label(i) != FruitKinds[l] {
			t.Errorf("image %d: label %d (%s), want %d", i, l, a.Label(i), i%len(FruitKinds))
		}
	}
}

// TestFruitsLookDifferent checks, crudely, what the contact sheet shows: each
// kind's average colour over the middle of the picture sits where the fruit
// says (bananas and lemons yellow, apples and strawberries red, oranges
// orange, pears green-yellow), and pictures of one kind vary.
func TestFruitsLookDifferent(t *testing.T) {
	t.Parallel()
	im, err := Fruits(600, FruitOptions{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	mean := make([]rgb, len(FruitKinds))
	for i := 0; i < im.N(); i++ {
		img := im.Image(i)
		for y := 12; y < 20; y++ {
			for x := 12; x < 20; x++ {
				o := (y*32 + x) * 3
				for ch := 0; ch < 3; ch++ {
					mean[im.Labels[i]][ch] += img[o+ch] / 64 / 100
				}
			}
		}
	}
	// Hue bounds in degrees on the colour wheel (red 0, yellow 60, green
	// 120), wide enough for every variety the generator draws.
	for k, want := range [][2]float64{{-20, 25}, {35, 65}, {45, 90}, {20, 40}, {45, 65}, {-20, 15}} {
		h := hue(mean[k])
		if h < want[0] || h > want[1] {
			t.Errorf("test %d (%s): mean hue %.0f° want %v°", k, FruitKinds[k], h, want)
		}
	}
	var spread float64
	for i := 1; i < 20; i++ {
		a, b := im.Image(0), im.Image(6*i)
		for j := range a {
			spread += math.Abs(a[j]-b[j]) / float64(len(a)) / 19
		}
	}
	if spread < 0.02 {
		t.Errorf("apples differ by %.3f on average per value; want variation ≥ 0.02", spread)
	}
}

// hue returns c's hue in degrees in (−180, 180].
func hue(c rgb) float64 {
	r, g, b := c[0], c[1], c[2]
	return math.Atan2(math.Sqrt(3)*(g-b), 2*r-g-b) * 180 / math.Pi
}

func TestFruitsBadOptions(t *testing.T) {
	t.Parallel()
	for i, opt := range []FruitOptions{{Size: 4}, {Size: 1000}, {Kinds: []string{"apple", "kiwi"}}} {
		if _, err := Fruits(3, opt); err == nil {
			t.Errorf("test %d: %+v gave no error", i, opt)
		}
	}
	im, err := Fruits(4, FruitOptions{Size: 64, Kinds: []string{"banana", "apple"}})
	if err != nil || im.Classes[0] != "banana" || im.Labels[1] != 1 || im.W != 64 {
		t.Errorf("kinds subset: got %v, %v", im, err)
	}
}

var benchImages *Images

func BenchmarkFruits1000(b *testing.B) {
	for i := 0; i < b.N; i++ {
		benchImages, _ = Fruits(1000, FruitOptions{Seed: uint64(i)})
	}
}
