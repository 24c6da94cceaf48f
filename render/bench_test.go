package render

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

func BenchmarkHeatmap(b *testing.B) {
	for _, size := range []struct{ grid, img int }{{64, 256}, {64, 512}, {128, 512}} {
		b.Run(fmt.Sprintf("%dto%d", size.grid, size.img), func(b *testing.B) {
			benchHeatmap(b, size.grid, size.img)
		})
	}
}

func benchHeatmap(b *testing.B, n, px int) {
	g := doubleGaussianGrid(n)
	img := image.NewRGBA(image.Rect(0, 0, px, px))
	lo, hi := g.Range()
	b.ReportAllocs()
	b.SetBytes(int64(4 * px * px))
	for b.Loop() {
		Heatmap(img, g, Viridis, lo, hi)
	}
}

func BenchmarkScatter(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchScatter(b, n) })
	}
}

func benchScatter(b *testing.B, n int) {
	a, _ := twoBlobs(3, n)
	img := image.NewRGBA(image.Rect(0, 0, 512, 512))
	v := View{-4, 4, -4, 4}
	c := color.RGBA{0, 90, 128, 128}
	b.ReportAllocs()
	for b.Loop() {
		Scatter(img, v, a, c, 1.5)
	}
}

func BenchmarkLineChart(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchLineChart(b, n) })
	}
}

func benchLineChart(b *testing.B, n int) {
	rng := rand.New(rand.NewPCG(4, 4))
	y := make([]float64, n)
	for i := range y {
		y[i] = 3*math.Exp(-float64(i)/float64(n/5)) + 2 + 0.05*rng.NormFloat64()
	}
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	s := []Series{{Name: "loss", Y: y}}
	opts := ChartOptions{Title: "loss", LogY: true}
	b.ReportAllocs()
	for b.Loop() {
		LineChart(img, img.Bounds(), s, opts)
	}
}
