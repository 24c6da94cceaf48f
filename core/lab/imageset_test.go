package lab

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"likelab/core/data"
)

// shapes returns n 28×28 grey bitmaps of a shape ("circle" or "square") of
// random size and place, white on black as Quick, Draw!'s are.
func shapes(kind string, n int, seed uint64) []byte {
	const side = 28
	rng := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, 0, n*side*side)
	for i := 0; i < n; i++ {
		r := 4 + rng.Float64()*6
		cx, cy := 10+rng.Float64()*8, 10+rng.Float64()*8
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				dx, dy := float64(x)-cx, float64(y)-cy
				in := dx*dx+dy*dy <= r*r
				if kind == "square" {
					in = max(dx, -dx) <= r && max(dy, -dy) <= r
				}
				v := byte(0)
				if in {
					v = 255
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func npyOf(kind string, n int, seed uint64) []byte {
	return data.EncodeNPY(shapes(kind, n, seed), n, 784)
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// pngOf encodes a 20×20 picture of one colour with a darker square.
func pngOf(c color.RGBA, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed))
	img := image.NewRGBA(image.Rect(0, 0, 20, 20))
	x0, y0 := rng.IntN(10), rng.IntN(10)
	for y := 0; y < 20; y++ {
		for x := 0; x < 20; x++ {
			p := c
			if x >= x0 && x < x0+8 && y >= y0 && y < y0+8 {
				p = color.RGBA{c.R / 2, c.G / 2, c.B / 2, 255}
			}
			img.SetRGBA(x, y, p)
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// whole makes an UploadFile of a whole file.
func whole(name string, b []byte) UploadFile {
	return UploadFile{Name: name, Size: int64(len(b)), Data: b}
}

// twoShapes is the set the e2e test uploads, smaller.
func twoShapes() []UploadFile {
	return []UploadFile{whole("circle.npy", npyOf("circle", 60, 1)), whole("square.npy", npyOf("square", 60, 2))}
}

func TestReadImageSet(t *testing.T) {
	t.Parallel()
	digits := make([]byte, 0, 50*784)
	labels := make([]byte, 50)
	for i := range labels {
		labels[i] = byte(i % 3)
		digits = append(digits, shapes([]string{"circle", "square", "circle"}[i%3], 1, uint64(i))...)
	}
	images := data.EncodeIDX(data.IDXImagesMagic, []uint32{50, 28, 28}, digits)
	labelFile := data.EncodeIDX(data.IDXLabelsMagic, []uint32{50}, labels)
	var pictures []UploadFile
	for i := 0; i < 25; i++ {
		pictures = append(pictures,
			whole(fmt.Sprintf("fruit/red/%02d.png", i), pngOf(color.RGBA{220, 30, 30, 255}, uint64(i))),
			whole(fmt.Sprintf("fruit/yellow/%02d.png", i), pngOf(color.RGBA{240, 220, 40, 255}, uint64(i+100))))
	}
	pictures = append(pictures, whole("fruit/.DS_Store", []byte{0, 1}), whole("fruit/README.txt", []byte("hi")))
	for i, tc := range []struct {
		files   []UploadFile
		n, w, c int
		classes []string
	}{
		{twoShapes(), 120, 28, 1, []string{"circle", "square"}},
		// Quick, Draw!'s file names, and the first bytes of a big file
		{[]UploadFile{whole("full_numpy_bitmap_cat.npy", npyOf("circle", 50, 3)),
			{Name: "dog.npy", Size: 1 << 27, Data: npyOf("square", 50, 4)[:128+40*784+100]}}, 90, 28, 1, []string{"cat", "dog"}},
		// IDX with labels, in either order, gzipped or not
		{[]UploadFile{whole("train-images-idx3-ubyte", images), whole("train-labels-idx1-ubyte", labelFile)}, 50, 28, 1, []string{"0", "1", "2"}},
		{[]UploadFile{whole("l.idx1-ubyte.gz", gzipped(labelFile)), whole("i.idx3-ubyte.gz", gzipped(images))}, 50, 28, 1, []string{"0", "1", "2"}},
		// IDX images alone: one class named after the file
		{[]UploadFile{whole("t10k-images-idx3-ubyte", images)}, 50, 28, 1, []string{"t10k-images"}},
		// pictures in class folders (a picked folder); other files ignored
		{pictures, 50, ImageSetSide, 3, []string{"red", "yellow"}},
	} {
		set, err := ReadImageSet(tc.files, nil)
		if err != nil {
			t.Errorf("test %d: %v", i, err)
			continue
		}
		tr, te := set.Train, set.Test
		if got := tr.N() + te.N(); got != tc.n || tr.W != tc.w || tr.C != tc.c || !slices.Equal(set.Classes(), tc.classes) {
			t.Errorf("test %d: got %d images of %d×%d×%d in classes %v; want %d of %d×%d×%d in %v",
				i, got, tr.W, tr.H, tr.C, set.Classes(), tc.n, tc.w, tc.w, tc.c, tc.classes)
		}
		if te.N() < vaeShow || te.N() > tc.n/5 {
			t.Errorf("test %d: %d of %d images held out for testing", i, te.N(), tc.n)
		}
	}
	// the pictures keep their colour: the red class is red
	set, _ := ReadImageSet(pictures, nil)
	if im := set.Train; im.Label(0) == "red" {
		if p := im.Image(0); p[0] < 2*p[2] {
			t.Errorf("a red picture reads as RGB %.2f %.2f %.2f", p[0], p[1], p[2])
		}
	}
}

// TestReadImageSetErrors gives bad image sets: every error names the file
// and says what is wrong.
func TestReadImageSetErrors(t *testing.T) {
	t.Parallel()
	circle := npyOf("circle", 50, 1)
	images := data.EncodeIDX(data.IDXImagesMagic, []uint32{50, 28, 28}, shapes("circle", 50, 1))
	badPNG := append(pngOf(color.RGBA{1, 2, 3, 255}, 1)[:60], make([]byte, 40)...)
	var pictures []UploadFile
	for i := 0; i < 45; i++ {
		pictures = append(pictures, whole(fmt.Sprintf("set/a/%02d.png", i), pngOf(color.RGBA{200, 0, 0, 255}, uint64(i))))
	}
	for i, tc := range []struct {
		files []UploadFile
		want  []string
	}{
		{[]UploadFile{whole("circle.npy", circle[:len(circle)-100])}, []string{"circle.npy", "truncated", "image 50 of 50"}},
		{[]UploadFile{whole("circle.npy", []byte("PK\x03\x04 a zip file"))}, []string{"circle.npy", "not a NumPy .npy file"}},
		{[]UploadFile{whole("big.npy", data.EncodeNPY(make([]byte, 50*100*100), 50, 100, 100))}, []string{"big.npy", "100×100", "up to 64×64"}},
		{[]UploadFile{whole("a.npy", circle), whole("b.npy", data.EncodeNPY(make([]byte, 50*16), 50, 4, 4))}, []string{"b.npy", "4×4", "28×28"}},
		{[]UploadFile{whole("few.npy", npyOf("circle", 10, 1))}, []string{"few.npy", "10 images are too few"}},
		{[]UploadFile{whole("x-images-idx3-ubyte", append([]byte{0, 0, 8, 2}, images[4:]...))}, []string{"x-images-idx3-ubyte", "magic number", "want 0x00000803"}},
		{[]UploadFile{whole("i-idx3-ubyte", images), whole("l-idx1-ubyte", data.EncodeIDX(data.IDXLabelsMagic, []uint32{60}, make([]byte, 60)))},
			[]string{"l-idx1-ubyte holds 60 labels", "i-idx3-ubyte holds 50 images"}},
		{[]UploadFile{whole("i-idx3-ubyte", images), whole("l-idx1-ubyte", data.EncodeIDX(data.IDXLabelsMagic, []uint32{50}, make([]byte, 20)))},
			[]string{"l-idx1-ubyte", "truncated"}},
		{[]UploadFile{whole("l-idx1-ubyte", data.EncodeIDX(data.IDXLabelsMagic, []uint32{1}, []byte{0}))}, []string{"l-idx1-ubyte holds labels only"}},
		{[]UploadFile{whole("a-idx3-ubyte", images), whole("b-idx3-ubyte", images)}, []string{"a-idx3-ubyte and b-idx3-ubyte are both IDX image files"}},
		{[]UploadFile{whole("a.npy", circle), whole("set/a/1.png", pngOf(color.RGBA{}, 1))}, []string{"a.npy and set/a/1.png are different kinds"}},
		{append(slices.Clone(pictures), whole("set/a/broken.png", badPNG)), []string{"set/a/broken.png", "broken png image"}},
		{[]UploadFile{whole("notes.txt", []byte("hello"))}, []string{"notes.txt", "no .npy, IDX"}},
		{[]UploadFile{whole("huge.npy", make([]byte, MaxImageSetBytes+1))}, []string{"huge.npy", "over the 32 MiB limit"}},
	} {
		_, err := ReadImageSet(tc.files, nil)
		if err == nil {
			t.Errorf("test %d: no error; want one saying %q", i, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("test %d: got %q want it to contain %q", i, err, w)
			}
		}
	}
}

func TestPlanImageSet(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		names []string
		sizes []int64
		want  []int64
	}{
		// small .npy files whole, other files not at all
		{[]string{"a.npy", "b.npy", "notes.txt"}, []int64{1000, 2000, 10}, []int64{1000, 2000, 0}},
		// two Quick, Draw! files of 100 MB: half the budget each
		{[]string{"a.npy", "b.npy"}, []int64{100 << 20, 100 << 20}, []int64{MaxImageSetBytes / 2, MaxImageSetBytes / 2}},
		{[]string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}, []int64{9 << 20, 28 << 10}, []int64{9 << 20, 28 << 10}},
		// pictures: a hidden file skipped, one too big for the budget
		{[]string{"s/a/1.png", "s/a/.x.png", "s/b/1.jpg", "s/b/2.jpg"}, []int64{100, 100, MaxImageSetBytes, 200}, []int64{100, 0, 0, 200}},
	} {
		got, err := PlanImageSet(tc.names, tc.sizes)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("test %d: got %v, %v want %v", i, got, err, tc.want)
		}
	}
	// many pictures: the classes share the limit evenly
	var names []string
	var sizes []int64
	for i := 0; i < 3000; i++ {
		for _, c := range []string{"x", "y"} {
			names = append(names, fmt.Sprintf("d/%s/%04d.jpg", c, i))
			sizes = append(sizes, 1000)
		}
	}
	plan, err := PlanImageSet(names, sizes)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for i, n := range plan {
		if n > 0 {
			count[pictureClass(names[i])]++
		}
	}
	limit := MaxImageSetValues / (ImageSetSide * ImageSetSide * 3)
	if count["x"] != limit/2 || count["y"] != limit/2 {
		t.Errorf("got %v pictures read per class; want %d each", count, limit/2)
	}
	if _, err := PlanImageSet([]string{"s/a/1.png"}, []int64{MaxImageSetBytes + 1}); err == nil || !strings.Contains(err.Error(), "s/a/1.png is 32 MiB") {
		t.Errorf("one picture over the limit: got %v", err)
	}
	if _, err := PlanImageSet([]string{"a.npy", "b.npy"}, []int64{1000, 0}); err == nil || !strings.Contains(err.Error(), "b.npy is empty") {
		t.Errorf("an empty file: got %v", err)
	}
}

func TestIsImageSet(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		scene string
		names []string
		want  bool
	}{
		{"flow", []string{"apple.npy"}, true},
		{"flow", []string{"train-images-idx3-ubyte.gz"}, true},
		{"vae", []string{"t10k-images.idx3-ubyte"}, true},
		{"flow", []string{"letter.png"}, false}, // a 2D target
		{"vae", []string{"letter.png"}, true},
		{"fm", []string{"a/1.png", "a/2.png"}, true},
		{"vae", []string{"points.csv"}, false},
		{"morph", []string{"config.json", "model.safetensors"}, false},
	} {
		if got := IsImageSet(tc.scene, tc.names); got != tc.want {
			t.Errorf("test %d: got %v want %v", i, got, tc.want)
		}
	}
}

// TestSceneOnImages trains the vae and morph scenes on a user's .npy files,
// and rebuilds them from their Config as the page's hosts do.
func TestSceneOnImages(t *testing.T) {
	t.Parallel()
	set, err := ReadImageSet(twoShapes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.Hidden, c.Latent = 16, 2
	s, vc, err := NewSceneOnImages(c, set) // from the flow scene: the vae
	if err != nil {
		t.Fatal(err)
	}
	if vc.Scene != "vae" || vc.Dataset != FilesDataset || vc.From != "circle" || vc.To != "square" {
		t.Errorf("got scene %s on %s from %s to %s; want vae on files from circle to square", vc.Scene, vc.Dataset, vc.From, vc.To)
	}
	if !strings.Contains(vc.Hash(), "dataset=files") {
		t.Errorf("the hash %q does not say the images came from files", vc.Hash())
	}
	s.Step()
	s.Step()
	if st := s.Status(); st.Step != 2 || st.Error != "" {
		t.Errorf("the vae scene on the files: got step %d, error %q", st.Step, st.Error)
	}
	// the morph scene on the same files, as after a change of scene
	mc := vc
	mc.Scene, mc.Frames, mc.Path = "morph", 4, "linear"
	m, err := NewOn(mc, set)
	if err != nil {
		t.Fatal(err)
	}
	m.Step()
	m.(*MorphScene).Settle()
	if frames, _ := m.(*MorphScene).Frames(); len(frames) != 4*784 {
		t.Errorf("the morph has %d values; want 4 frames of 784", len(frames))
	}
	dst := image.NewRGBA(image.Rect(0, 0, 640, 400))
	if !m.Draw(dst) {
		t.Errorf("the morph scene on the files drew nothing")
	}
	// the problems a person can meet
	one, _ := ReadImageSet(twoShapes()[:1], nil)
	for i, tc := range []struct {
		c    Config
		set  *ImageSet
		want error
		text string
	}{
		{mc, nil, ErrNeedFiles, ""},
		{func() Config { c := mc; c.To = "triangle"; return c }(), set, nil, `no class "triangle"`},
	} {
		_, err := NewOn(tc.c, tc.set)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("test %d: got %v want %v %q", i, err, tc.want, tc.text)
		}
	}
	if _, _, err := NewSceneOnImages(mc, one); err == nil || !strings.Contains(err.Error(), "circle.npy: one class") {
		t.Errorf("a morph on one class: got %v", err)
	}
	link, _ := ParseHash("scene=vae&dataset=files") // opened afresh
	if _, err := New(link); !errors.Is(err, ErrNeedFiles) {
		t.Errorf("a link to dataset=files without the files: got %v want ErrNeedFiles", err)
	}
}

// FuzzReadImageSet reads a fuzzed file as each kind of image set: it never
// panics, an error names the file, and a set keeps within the limits.
func FuzzReadImageSet(f *testing.F) {
	f.Add(uint8(0), npyOf("circle", 45, 1))
	f.Add(uint8(0), npyOf("circle", 45, 1)[:1000])
	f.Add(uint8(1), data.EncodeIDX(data.IDXImagesMagic, []uint32{45, 28, 28}, shapes("square", 45, 1)))
	f.Add(uint8(1), gzipped(data.EncodeIDX(data.IDXImagesMagic, []uint32{45, 4, 4}, make([]byte, 45*16))))
	f.Add(uint8(2), pngOf(color.RGBA{200, 10, 10, 255}, 1))
	names := []string{"doodles.npy", "t10k-images-idx3-ubyte.gz", "set/class/picture.png"}
	f.Fuzz(func(t *testing.T, kind uint8, b []byte) {
		name := names[int(kind)%len(names)]
		set, err := ReadImageSet([]UploadFile{whole(name, b)}, nil)
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("the error %q does not name %s", err, name)
			}
			return
		}
		n, dim := set.Train.N()+set.Test.N(), set.Train.Dim()
		if n < MinImageSetImages || n > MaxImageSetImages || n*dim > MaxImageSetValues || set.Train.W > MaxImageSetSide {
			t.Errorf("a set of %d images of %d×%d×%d passed the limits", n, set.Train.W, set.Train.H, set.Train.C)
		}
	})
}

// BenchmarkReadImageSet reads two Quick, Draw!-sized .npy files as the
// page gets them: their first 16 MiB each, of which 5000 doodles are kept.
func BenchmarkReadImageSet(b *testing.B) {
	const n = 21_000 // doodles in 16 MiB
	files := []UploadFile{
		{Name: "circle.npy", Size: 100 << 20, Data: npyOf("circle", n, 1)},
		{Name: "square.npy", Size: 100 << 20, Data: npyOf("square", n, 2)},
	}
	b.SetBytes(int64(2 * len(files[0].Data)))
	for b.Loop() {
		benchSet, _ = ReadImageSet(files, nil)
	}
}

var benchSet *ImageSet
