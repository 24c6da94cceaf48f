package data

import (
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodeQR reads a QR code from img with ZXing's decoder (the Go port), an
// implementation independent of the encoder the targets use.
func decodeQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := gozxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_TRY_HARDER:    true,
		gozxing.DecodeHintType_CHARACTER_SET: "UTF-8",
	})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// picture draws f over t's Bounds at px×px pixels, white where f is 0 and
// darker where it is larger (scaled to f's maximum).
func picture(t Target, px int, f func(x, y float64) float64) *image.Gray {
	x0, x1, y0, y1 := t.Bounds()
	v := make([]float64, px*px)
	hi := 0.0
	for j := range px {
		for i := range px {
			x := x0 + (float64(i)+0.5)*(x1-x0)/float64(px)
			y := y1 - (float64(j)+0.5)*(y1-y0)/float64(px)
			v[j*px+i] = f(x, y)
			hi = max(hi, v[j*px+i])
		}
	}
	img := image.NewGray(image.Rect(0, 0, px, px))
	for k, a := range v {
		img.Pix[k] = uint8(255 - math.Round(255*min(1, a/hi)))
	}
	return img
}

// TestQRDensityScansBack draws each code's exact density and decodes it:
// the target is a genuine QR code of its text at every error correction
// level. (ZXing also reads mirrored codes; TestQRDensity checks orientation.)
func TestQRDensityScansBack(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct{ arg, text string }{
		{"hello", "hello"},
		{"L:likelab", "likelab"},
		{"Q:SOME TEXT", "SOME TEXT"},
		{"H:https://example.org/fm?x=1", "https://example.org/fm?x=1"},
		{"M:H:ello", "H:ello"},
		{"Grüße, 世界", "Grüße, 世界"},
		{strings.Repeat("q", MaxQRText), strings.Repeat("q", MaxQRText)},
	} {
		tg, err := Lookup("qr:" + tc.arg)
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		ex := tg.(Exact)
		img := picture(tg, 300, func(x, y float64) float64 { return math.Exp(ex.LogProb(x, y)) })
		if got, err := decodeQR(img); err != nil || got != tc.text {
			t.Errorf("test %d: decoded %q, %v; want %q", i, got, err, tc.text)
		}
	}
}

// TestQRSamplesScanBack decodes a histogram of 100 000 target samples, the
// check the trained models must pass.
func TestQRSamplesScanBack(t *testing.T) {
	t.Parallel()
	tg := lookup(t, "qr:SOME TEXT")
	const n, px = 100_000, 116 // 116 = 29 modules (21 + 2×4 quiet) × 4 px
	pts := make([]float64, 2*n)
	tg.Sample(rand.New(rand.NewPCG(1, 1)), pts)
	x0, x1, y0, y1 := tg.Bounds()
	hist := make([]float64, px*px)
	for k := 0; k < n; k++ {
		i := int(px * (pts[2*k] - x0) / (x1 - x0))
		j := int(px * (y1 - pts[2*k+1]) / (y1 - y0))
		hist[j*px+i]++
	}
	img := picture(tg, px, func(x, y float64) float64 {
		i := int(px * (x - x0) / (x1 - x0))
		j := int(px * (y1 - y) / (y1 - y0))
		return hist[j*px+i]
	})
	if got, err := decodeQR(img); err != nil || got != "SOME TEXT" {
		t.Errorf("decoded %q, %v; want %q", got, err, "SOME TEXT")
	}
}

func TestQRDensity(t *testing.T) {
	t.Parallel()
	b := lookup(t, "qr:likelab").(*Bitmap)
	w, h := b.Size()
	if w != 21 || h != 21 {
		t.Fatalf("likelab at level M: got %d×%d modules want 21×21 (version 1)", w, h)
	}
	x0, x1, y0, y1 := b.Bounds()
	// [−2, 2] plus 4 quiet modules of 4/21 on each side
	if want := 2 + 4*4.0/21; math.Abs(x1-want) > 1e-12 || math.Abs(x0+want) > 1e-12 || y0 != x0 || y1 != x1 {
		t.Errorf("bounds %v %v %v %v, want ±%v", x0, x1, y0, y1, want)
	}
	// Every cell's centre has the cell's density; the finder pattern's
	// corner module (0, 0) is dark, the one inside its ring (1, 1) light.
	dark := 0
	for y := range h {
		for x := range w {
			cx0, cx1, cy0, cy1 := b.Cell(x, y)
			lp := b.LogProb((cx0+cx1)/2, (cy0+cy1)/2)
			if b.Dark(x, y) != !math.IsInf(lp, -1) {
				t.Fatalf("cell (%d,%d): dark %v but log-density %v", x, y, b.Dark(x, y), lp)
			}
			// just inside the low corner and just inside the high one (the
			// corners themselves are subject to rounding of x0 + x·cell)
			eps := 1e-9 * (cx1 - cx0)
			for _, p := range [][2]float64{{cx0 + eps, cy0 + eps}, {cx1 - eps, cy1 - eps}} {
				if got := b.LogProb(p[0], p[1]); got != lp {
					t.Errorf("cell (%d,%d): log-density %v at %v, %v at its centre", x, y, got, p, lp)
				}
			}
			if b.Dark(x, y) {
				dark++
			}
		}
	}
	// Finder patterns (7×7: a dark ring, a light ring, a dark 3×3 core) sit
	// at the top-left, top-right and bottom-left corners and not at the
	// bottom-right: a mirrored code would have one there.
	finder := func(x0, y0 int) bool {
		for y := range 7 {
			for x := range 7 {
				ring := max(abs(x-3), abs(y-3))
				if b.Dark(x0+x, y0+y) != (ring != 2) {
					return false
				}
			}
		}
		return true
	}
	if !finder(0, 0) || !finder(w-7, 0) || !finder(0, h-7) || finder(w-7, h-7) {
		t.Errorf("finder patterns are not at the top-left, top-right and bottom-left corners")
	}
	// the standard's "dark module", column 8, row 4·version+9 from the top
	if !b.Dark(8, h-8) {
		t.Errorf("the dark module (8, %d) is light", h-8)
	}
	cell := 4.0 / 21
	// exact density: 1 / (dark cells × cell area); its mass on the cells is 1
	if want := -math.Log(float64(dark) * cell * cell); math.Abs(b.LogProb(-2+cell/2, 2-cell/2)-want) > 1e-12 {
		t.Errorf("got log-density %v want %v", b.LogProb(-2+cell/2, 2-cell/2), want)
	}
	for i, p := range [][2]float64{{-2.1, 0}, {0, 2.0001}, {2, 0}, {math.Inf(1), 0}} {
		if got := b.LogProb(p[0], p[1]); !math.IsInf(got, -1) {
			t.Errorf("test %d: log-density %v outside the code at %v", i, got, p)
		}
	}
	if got := b.LogProb(math.NaN(), 0); !math.IsNaN(got) {
		t.Errorf("log-density at NaN: got %v want NaN", got)
	}
	// Samples land in dark cells; the entropy is log(dark area) exactly, and
	// the Monte Carlo estimate has zero variance.
	pts := make([]float64, 2*10_000)
	rng := rand.New(rand.NewPCG(2, 2))
	b.Sample(rng, pts)
	for k := 0; k < len(pts); k += 2 {
		if math.IsInf(b.LogProb(pts[k], pts[k+1]), -1) {
			t.Fatalf("sample %v lies outside the dark cells", pts[k:k+2])
		}
	}
	hEnt, se := Entropy(b, rng)
	if want := math.Log(float64(dark) * cell * cell); math.Abs(hEnt-want) > 1e-9 || se > 1e-9 {
		t.Errorf("entropy %v ± %v, want %v", hEnt, se, want)
	}
}

func TestQRErrors(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		name string
		want error
		msg  string
	}{
		{"qr:", ErrQREmpty, "empty"},
		{"qr", ErrQREmpty, "empty"},
		{"qr:H:", ErrQREmpty, "empty"},
		{"qr:" + strings.Repeat("x", MaxQRText+1), ErrQRTooLong, "65"},
	} {
		_, err := Lookup(tc.name)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("test %d: got %v want %v mentioning %q", i, err, tc.want, tc.msg)
		}
	}
	if _, err := QRModules("x", 'Z'); err == nil {
		t.Errorf("level Z accepted")
	}
	for i, tc := range []struct{ arg, level, text string }{
		{"x", "M", "x"}, {"L:x", "L", "x"}, {"Z:x", "M", "Z:x"}, {"h:x", "M", "h:x"}, {"H:", "H", ""}, {":x", "M", ":x"},
	} {
		l, txt := ParseQR(tc.arg)
		if string(l) != tc.level || txt != tc.text {
			t.Errorf("test %d: ParseQR(%q) = %q, %q want %q, %q", i, tc.arg, l, txt, tc.level, tc.text)
		}
	}
}

func TestBitmap(t *testing.T) {
	t.Parallel()
	// a 3×2 bitmap: wider than high, fitted to [−2, 2] across, centred
	rows := [][]bool{{true, false, false}, {false, false, true}}
	b, err := NewBitmap("tiny", rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	cell := 4.0 / 3
	if x0, x1, y0, y1 := b.Cell(0, 0); x0 != -2 || math.Abs(x1-(-2+cell)) > 1e-15 || math.Abs(y1-cell) > 1e-15 || math.Abs(y0) > 1e-15 {
		t.Errorf("cell (0,0) = [%v,%v]×[%v,%v]", x0, x1, y0, y1)
	}
	if got, want := b.LogProb(-1.9, 0.1), -math.Log(2*cell*cell); math.Abs(got-want) > 1e-12 {
		t.Errorf("got %v want %v", got, want)
	}
	if !math.IsInf(b.LogProb(0, 0.1), -1) || math.IsInf(b.LogProb(1.9, -0.1), -1) {
		t.Errorf("dark cells misplaced")
	}
	for i, bad := range [][][]bool{nil, {{}}, {{false, false}}, {{true}, {true, true}}} {
		if _, err := NewBitmap("bad", bad, 0); err == nil {
			t.Errorf("test %d: bitmap %v accepted", i, bad)
		}
	}
}

// FuzzQR feeds arbitrary text to the qr target: it either builds a valid
// target or returns an error, never panics.
func FuzzQR(f *testing.F) {
	for _, s := range []string{"", "hello", "L:x", "H:", "\x00\xff", strings.Repeat("9", 80), "::::", "Grüße"} {
		f.Add(s)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	pts := make([]float64, 8)
	f.Fuzz(func(t *testing.T, text string) {
		tg, err := Lookup("qr:" + text)
		if err != nil {
			return
		}
		x0, x1, y0, y1 := tg.Bounds()
		if !(x0 < x1 && y0 < y1) {
			t.Fatalf("qr:%q: bounds %v %v %v %v", text, x0, x1, y0, y1)
		}
		tg.Sample(rng, pts)
		for k := 0; k < len(pts); k += 2 {
			if lp := tg.(Exact).LogProb(pts[k], pts[k+1]); math.IsInf(lp, 0) || math.IsNaN(lp) {
				t.Fatalf("qr:%q: sample %v has log-density %v", text, pts[k:k+2], lp)
			}
		}
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
