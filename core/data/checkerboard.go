package data

import (
	"math"
	"math/rand/v2"
)

// checkerboard is uniform on the dark squares of a 4×4 board of unit squares
// on [−2, 2]², the squares whose corner (⌊x⌋, ⌊y⌋) has an even sum (FFJORD's
// construction). Eight squares of area 1 give density 1/8 on them.
type checkerboard struct{ box }

// newCheckerboard returns the checkerboard target; LogProb is exact:
// log(1/8) on the dark squares, −Inf elsewhere. Bounds [−2.5, 2.5]².
func newCheckerboard() Target { return &checkerboard{box: square(2.5)} }

func (*checkerboard) Name() string { return "checkerboard" }

// Sample fills dst with len(dst)/2 points: x uniform on [−2, 2], then one of
// the two dark squares of x's column, then y uniform in it.
func (*checkerboard) Sample(rng *rand.Rand, dst []float64) {
	checkEven(dst)
	for i := 0; i < len(dst); i += 2 {
		x := -2 + 4*rng.Float64()
		col := int(math.Floor(x))
		// Dark rows in column col are those with (col + row) even:
		// the lower one is −2 or −1, the upper one two rows above it.
		row := -2 + ((col%2)+2)%2 + 2*rng.IntN(2)
		dst[i], dst[i+1] = x, float64(row)+rng.Float64()
	}
}

var logEighth = math.Log(1.0 / 8)

// LogProb is exact.
func (*checkerboard) LogProb(x, y float64) float64 {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.NaN()
	}
	if x < -2 || x >= 2 || y < -2 || y >= 2 {
		return math.Inf(-1)
	}
	if (int(math.Floor(x))+int(math.Floor(y)))%2 != 0 {
		return math.Inf(-1)
	}
	return logEighth
}

func init() { registerFixed(newCheckerboard()) }
