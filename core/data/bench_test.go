package data

import (
	"math/rand/v2"
	"testing"
)

// sink keeps benchmark results alive.
var sink float64

// BenchmarkLogProb measures one density evaluation at points drawn from each
// target: the cost of drawing the true density as a heatmap (a 64×64 grid
// is 4096 of them).
func BenchmarkLogProb(b *testing.B) {
	for _, name := range builtin {
		b.Run(name, func(b *testing.B) {
			tg, err := Lookup(name)
			if err != nil {
				b.Fatal(err)
			}
			e := tg.(Exact)
			pts := make([]float64, 2*1024)
			tg.Sample(rand.New(rand.NewPCG(1, 1)), pts)
			b.ResetTimer()
			i := 0
			for b.Loop() {
				sink += e.LogProb(pts[i], pts[i+1])
				i = (i + 2) % len(pts)
			}
		})
	}
}
