package render

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata")

// goldenTol is the largest per-channel difference accepted against a golden
// image. Drawing is deterministic, but float rounding differs by an ulp
// between platforms (math.Exp's assembly on amd64, fused multiply-adds on
// arm64), which can move a value across a rounding boundary: one level,
// two after a blend on top.
const goldenTol = 2

// checkGolden compares img with testdata/name.png, or rewrites it with
// -update. On a mismatch it writes the image it got next to the test's
// temporary files and names it in the failure.
func checkGolden(t *testing.T, name string, img *image.RGBA) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	var buf bytes.Buffer
	if err := EncodePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("%s: size %v, golden %v", name, img.Bounds(), want.Bounds())
	}
	bad, worst := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := img.RGBAAt(x, y)
			w := color.RGBAModel.Convert(want.At(x, y)).(color.RGBA)
			d := max(absDiff(g.R, w.R), absDiff(g.G, w.G), absDiff(g.B, w.B), absDiff(g.A, w.A))
			if d > goldenTol {
				bad++
			}
			worst = max(worst, d)
		}
	}
	if bad > 0 {
		got := filepath.Join(t.TempDir(), name+".got.png")
		_ = os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("%s: %d pixels differ by more than %d (worst %d); got image in %s", name, bad, goldenTol, worst, got)
	}
}

// doubleGaussianGrid is the log-density of the talk's target,
// ½N((−2,0), ¼I) + ½N((2,0), ¼I), on an n×n grid over [−4, 4]².
func doubleGaussianGrid(n int) Grid {
	g := NewGrid(n, n, -4, 4, -4, 4)
	g.Fill(func(x, y float64) float64 {
		a := math.Exp(-((x+2)*(x+2)+y*y)*2) + math.Exp(-((x-2)*(x-2)+y*y)*2)
		return math.Log(a / math.Pi)
	})
	return g
}

func TestGoldenHeatmap(t *testing.T) {
	t.Parallel()
	g := doubleGaussianGrid(64)
	img := image.NewRGBA(image.Rect(0, 0, 128, 128))
	_, hi := g.Range()
	Heatmap(img, g, Viridis, hi-10, hi)
	checkGolden(t, "heatmap", img)
}

func TestGoldenHeatmapSigned(t *testing.T) {
	t.Parallel()
	// A signed field in CoolWarm with a NaN hole and infinite corners.
	g := NewGrid(8, 8, -1, 1, -1, 1)
	g.Fill(func(x, y float64) float64 { return x * y * 4 })
	g.Set(3, 4, math.NaN())
	g.Set(4, 4, math.NaN())
	g.Set(0, 0, math.Inf(1))
	g.Set(7, 7, math.Inf(-1))
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	Heatmap(img, g, CoolWarm, -1, 1)
	checkGolden(t, "heatmap_signed", img)
}

// twoBlobs returns n points from each of the double Gaussian's components.
func twoBlobs(seed uint64, n int) (a, b []float64) {
	rng := rand.New(rand.NewPCG(seed, seed))
	for range n {
		a = append(a, -2+0.5*rng.NormFloat64(), 0.5*rng.NormFloat64())
		b = append(b, 2+0.5*rng.NormFloat64(), 0.5*rng.NormFloat64())
	}
	return a, b
}

func TestGoldenScatter(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 128, 128))
	g := doubleGaussianGrid(32)
	_, hi := g.Range()
	Heatmap(img, g, Magma, hi-10, hi)
	a, b := twoBlobs(1, 150)
	v := View{-4, 4, -4, 4}
	Scatter(img, v, a, color.RGBA{0, 180, 255, 255}, 1.5)
	Scatter(img, v, b, color.RGBA{100, 100, 100, 160}, 2.5) // translucent white, premultiplied
	Text(img, 3, 2, "samples", color.RGBA{255, 255, 255, 255})
	checkGolden(t, "scatter", img)
}

func TestGoldenChart(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 2))
	var nsf, realnvp []float64
	for i := range 300 {
		nsf = append(nsf, 3*math.Exp(-float64(i)/60)+2.15+0.04*rng.NormFloat64())
		v := 5*math.Exp(-float64(i)/30) + 2.2 + 0.08*rng.NormFloat64()
		if i >= 100 && i < 120 {
			v = math.NaN() // a diverged stretch, rolled back
		}
		realnvp = append(realnvp, v)
	}
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	LineChart(img, img.Bounds(), []Series{{Name: "nsf", Y: nsf}, {Name: "realnvp", Y: realnvp}}, ChartOptions{
		Title: "training NLL", XLabel: "step", YLabel: "nats", LogY: true,
		RefLines: []RefLine{{Y: math.Log(math.Pi * math.E), Name: "entropy"}},
	})
	checkGolden(t, "chart", img)
}

func TestGoldenChartEdgeCases(t *testing.T) {
	t.Parallel()
	img := image.NewRGBA(image.Rect(0, 0, 480, 150))
	dark := ChartOptions{Background: color.RGBA{24, 24, 32, 255}, Foreground: color.RGBA{220, 220, 220, 255}}
	one := dark
	one.Title = "one point"
	LineChart(img, image.Rect(0, 0, 240, 150), []Series{{Name: "loss", X: []float64{7}, Y: []float64{0.25}}}, one)
	none := dark
	none.Title = "no data yet"
	LineChart(img, image.Rect(240, 0, 480, 150), []Series{{Name: "loss"}}, none)
	checkGolden(t, "chart_edge", img)
}

func TestGoldenColormaps(t *testing.T) {
	t.Parallel()
	maps := []Colormap{Viridis, Magma, CoolWarm, Greys}
	img := image.NewRGBA(image.Rect(0, 0, 256, 20*len(maps)))
	for k, m := range maps {
		g := Grid{W: 256, H: 1, V: make([]float64, 256)}
		for i := range g.V {
			g.V[i] = float64(i) / 255
		}
		strip := img.SubImage(image.Rect(0, 20*k, 256, 20*k+20)).(*image.RGBA)
		Heatmap(strip, g, m, 0, 1)
		Text(strip, 4, 20*k+3, m.Name(), color.RGBA{255, 255, 255, 255})
	}
	checkGolden(t, "colormaps", img)
}
