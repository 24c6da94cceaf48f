package ad

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
)

// ReLUPair1 records relu(relu(x·w1 + b1)·w2 + b2) for a one-column x: the
// first two layers of a ReLU network of one input, such as the conditioner
// of a 2D coupling flow. With gradients it is two AffineReLU nodes. Without
// (every input a constant, as on a NoGrad tape) and with pc given, it is
// evaluated through the pieces on which it is linear in x, which pc keeps
// between calls: a point then costs one row of multiply-adds instead of a
// product with w2, some 100 times fewer operations at width 128.
//
// The pieces: relu(x·w1_j + b1_j) is linear in x on either side of
// t_j = −b1_j/w1_j, so on each interval between consecutive t_j the active
// units S are fixed and the second layer's input is
//
//	u = x·A_S + B_S,  A_S = Σ_{j∈S} w1_j·w2_j,  B_S = Σ_{j∈S} b1_j·w2_j + b2,
//
// w2_j being row j of w2. The tables A and B are built by walking the sorted
// t_j and adding or removing one unit's row at each, and they are rebuilt
// whenever the weights differ from those they were built from. The values
// agree with the two layers computed directly up to rounding (the sums are
// grouped differently; pieces_test.go checks them to 1e-12 relative).
// Weights or inputs that are not all finite take the direct path, so NaN
// and infinities propagate exactly as there.
func (t *Tape) ReLUPair1(x, w1, b1, w2, b2 *Node, pc *PieceCache) *Node {
	if x.C != 1 || w1.R != 1 || b1.R != 1 || b1.C != w1.C || w2.R != w1.C || b2.R != 1 || b2.C != w2.C {
		panic(fmt.Sprintf("ad: ReLUPair1 of x %d×%d, w1 %d×%d, b1 %d×%d, w2 %d×%d, b2 %d×%d",
			x.R, x.C, w1.R, w1.C, b1.R, b1.C, w2.R, w2.C, b2.R, b2.C))
	}
	direct := pc == nil || x.needGrad || w1.needGrad || b1.needGrad || w2.needGrad || b2.needGrad || !allFinite(x.Val)
	if !direct {
		pc.mu.Lock()
		defer pc.mu.Unlock()
		direct = !pc.update(w1.Val, b1.Val, w2.Val, b2.Val)
	}
	if direct {
		return t.AffineReLU(t.AffineReLU(x, w1, b1), w2, b2)
	}
	out := t.node(opLeaf, x.R, w2.C, false)
	pc.eval(out.Val, x.Val)
	return out
}

// PieceCache holds the pieces of ReLUPair1 for one pair of layers between
// calls. Its zero value is empty and ready; it is safe for concurrent use.
type PieceCache struct {
	mu sync.Mutex
	// valid is set when the tables are those of the saved weights, which
	// are then finite.
	valid bool
	// w1, b1, w2, b2 are copies of the weights the tables were built from.
	w1, b1, w2, b2 []float64
	// knots are the sorted t_j where a unit switches; piece p lies between
	// knots[p−1] and knots[p], so there are len(knots)+1 pieces.
	knots []float64
	// a and b hold A and B of each piece, one row of width h2 per piece.
	a, b []float64
	h2   int
	// order and scratch for sorting the knots.
	order []int
	t     []float64
	// rowAt is where each point's piece starts in a and b, for eval.
	rowAt []int32
}

// update makes the tables those of the given weights, rebuilding them if
// the weights changed, and reports false (leaving the tables invalid) when
// a weight is not finite.
func (pc *PieceCache) update(w1, b1, w2, b2 []float64) bool {
	if pc.valid && slices.Equal(pc.w1, w1) && slices.Equal(pc.b1, b1) && slices.Equal(pc.w2, w2) && slices.Equal(pc.b2, b2) {
		return true
	}
	pc.valid = false
	if !allFinite(w1) || !allFinite(b1) || !allFinite(w2) || !allFinite(b2) {
		return false
	}
	pc.w1 = append(pc.w1[:0], w1...)
	pc.b1 = append(pc.b1[:0], b1...)
	pc.w2 = append(pc.w2[:0], w2...)
	pc.b2 = append(pc.b2[:0], b2...)
	pc.build()
	pc.valid = true
	return true
}

// build fills knots, a and b from the saved weights.
func (pc *PieceCache) build() {
	h1, h2 := len(pc.w1), len(pc.b2)
	pc.h2 = h2
	pc.t = slices.Grow(pc.t[:0], h1)[:h1]
	pc.order = pc.order[:0]
	for j, w := range pc.w1 {
		if w != 0 {
			pc.t[j] = -pc.b1[j] / w
			pc.order = append(pc.order, j)
		}
	}
	slices.SortFunc(pc.order, func(i, j int) int { return cmp.Compare(pc.t[i], pc.t[j]) })
	np := len(pc.order) + 1
	pc.knots = pc.knots[:0]
	for _, j := range pc.order {
		pc.knots = append(pc.knots, pc.t[j])
	}
	pc.a = slices.Grow(pc.a[:0], np*h2)[:np*h2]
	pc.b = slices.Grow(pc.b[:0], np*h2)[:np*h2]
	// Piece 0 lies left of every knot: there a unit is active when its
	// slope is negative (it grows leftwards) or, with slope 0, when its
	// bias is positive.
	a0, b0 := pc.a[:h2], pc.b[:h2]
	clear(a0)
	copy(b0, pc.b2)
	for j, w := range pc.w1 {
		if w < 0 || (w == 0 && pc.b1[j] > 0) {
			addRow(a0, b0, pc.w2[j*h2:(j+1)*h2], w, pc.b1[j], 1)
		}
	}
	// Crossing t_j switches unit j on (slope > 0) or off (slope < 0).
	for p, j := range pc.order {
		prevA, prevB := pc.a[p*h2:(p+1)*h2], pc.b[p*h2:(p+1)*h2]
		na, nb := pc.a[(p+1)*h2:(p+2)*h2], pc.b[(p+1)*h2:(p+2)*h2]
		copy(na, prevA)
		copy(nb, prevB)
		sign := 1.0
		if pc.w1[j] < 0 {
			sign = -1
		}
		addRow(na, nb, pc.w2[j*h2:(j+1)*h2], pc.w1[j], pc.b1[j], sign)
	}
}

// addRow adds sign·(w·row, b·row) to (a, b).
func addRow(a, b, row []float64, w, bias, sign float64) {
	a, b = a[:len(row)], b[:len(row)]
	sw, sb := sign*w, sign*bias
	for k, v := range row {
		a[k] += sw * v
		b[k] += sb * v
	}
}

// eval sets each row r of dst (width h2) to relu(x_r·A + B) of x_r's piece:
// it finds the pieces here and leaves the rows to pieceRows.
func (pc *PieceCache) eval(dst, x []float64) {
	h2 := pc.h2
	pc.rowAt = slices.Grow(pc.rowAt[:0], len(x))[:len(x)]
	for r, v := range x {
		p, _ := slices.BinarySearch(pc.knots, v) // the first knot ≥ v
		pc.rowAt[r] = int32(p * h2)
	}
	pieceRows(dst, x, pc.rowAt, pc.a, pc.b, h2)
}

// pieceRowsGo sets row r of dst (width h) to max(x_r·a_i + b_i, 0), a_i and
// b_i the rows of a and b (width h) that start at element at[r].
func pieceRowsGo(dst, x []float64, at []int32, a, b []float64, h int) {
	for r, v := range x {
		ar, br := a[at[r]:][:h], b[at[r]:][:h]
		o := dst[r*h : (r+1)*h]
		for k := range o {
			o[k] = relu(v*ar[k] + br[k])
		}
	}
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
