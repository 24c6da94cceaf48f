package ad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// gemmFunc is the signature shared by gemm and gemmGo.
type gemmFunc func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)

// gemmImpls lists the implementations under test: the dispatched one
// (gonum natively, gemmGo on js/wasm), the pure-Go kernel itself, and each of
// its two paths forced on every shape.
var gemmImpls = []struct {
	name string
	fn   gemmFunc
}{
	{"gemm", gemm},
	{"gemmGo", gemmGo},
	{"gemmGo/packed", func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
		gemmGoWith(false, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}},
	{"gemmGo/rows", func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
		gemmGoWith(true, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}},
}

// gemmAllImpls returns gemmImpls and the platform's own paths (the SIMD
// module on js/wasm).
func gemmAllImpls() []struct {
	name string
	fn   gemmFunc
} {
	impls := gemmImpls
	for _, p := range gemmPlatformImpls {
		impls = append(impls[:len(impls):len(impls)], struct {
			name string
			fn   gemmFunc
		}{p.name, p.fn})
	}
	return impls
}

// gemmPad is a NaN with a recognisable payload. It fills the padding between
// rows and the guard cells after each matrix: reading it would turn a result
// into NaN, and writing it would change its bits.
var gemmPad = math.Float64frombits(0x7ff8_0000_dead_beef)

// gemmGuard is how many guard cells follow each matrix in its backing array.
const gemmGuard = 4

// gemmMatrix is a row-major matrix with leading dimension ld inside a backing
// array whose padding and trailing guard cells hold gemmPad.
type gemmMatrix struct {
	rows, cols, ld int
	back           []float64 // the elements, padding included, then gemmGuard guard cells
}

// data returns the slice handed to gemm: exactly as long as the contract
// requires, so any access past it would panic rather than go unnoticed.
func (x *gemmMatrix) data() []float64 {
	return x.back[:len(x.back)-gemmGuard]
}

func (x *gemmMatrix) at(i, j int) float64 { return x.back[i*x.ld+j] }

// newGemmMatrix returns a rows×cols matrix with leading dimension cols+pad
// whose elements are drawn by gen.
func newGemmMatrix(rows, cols, pad int, gen func() float64) *gemmMatrix {
	ld := cols + pad
	n := 0
	if rows > 0 && cols > 0 {
		n = (rows-1)*ld + cols
	}
	x := &gemmMatrix{rows: rows, cols: cols, ld: ld, back: make([]float64, n+gemmGuard)}
	for i := range x.back {
		x.back[i] = gemmPad
	}
	for i := range rows {
		for j := range cols {
			x.back[i*ld+j] = gen()
		}
	}
	return x
}

// clone returns a deep copy of x.
func (x *gemmMatrix) clone() *gemmMatrix {
	y := *x
	y.back = append([]float64(nil), x.back...)
	return &y
}

// checkPadding reports an error if a padding or guard cell of x changed.
func (x *gemmMatrix) checkPadding() error {
	for idx, v := range x.back {
		inside := idx < len(x.back)-gemmGuard && idx%x.ld < x.cols
		if !inside && math.Float64bits(v) != math.Float64bits(gemmPad) {
			return fmt.Errorf("padding cell %d overwritten with %v", idx, v)
		}
	}
	return nil
}

// gemmRef computes alpha*op(A)*op(B) + beta*C by the definition, with the
// BLAS conventions for alpha == 0 and beta == 0, into a dense m×n want. It
// also returns mag = |alpha|·Σ|a||b| + |beta|·|c| per element, the scale of
// the rounding error of any summation order.
func gemmRef(tA, tB bool, alpha float64, a, b *gemmMatrix, beta float64, c *gemmMatrix) (want, mag []float64) {
	m, n := c.rows, c.cols
	k := a.cols
	if tA {
		k = a.rows
	}
	opA := func(i, p int) float64 {
		if tA {
			return a.at(p, i)
		}
		return a.at(i, p)
	}
	opB := func(p, j int) float64 {
		if tB {
			return b.at(j, p)
		}
		return b.at(p, j)
	}
	want = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, sa float64
			if alpha != 0 {
				for p := range k {
					s += opA(i, p) * opB(p, j)
					sa += math.Abs(opA(i, p) * opB(p, j))
				}
			}
			var w, ma float64
			if beta != 0 {
				w = beta * c.at(i, j)
				ma = math.Abs(w)
			}
			want[i*n+j] = w + alpha*s
			mag[i*n+j] = ma + math.Abs(alpha)*sa
		}
	}
	return want, mag
}

// gemmCase is one call: sizes, transposes, scalars and row padding.
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float64
	padA, padB  int
	padC        int
}

func (tc gemmCase) String() string {
	tr := func(t bool) string {
		if t {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s m=%d n=%d k=%d alpha=%v beta=%v pad=%d,%d,%d",
		tr(tc.tA), tr(tc.tB), tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC)
}

// check runs every implementation on the same fresh operands drawn by gen and
// compares each result with the reference within tol (relative to the
// error scale; exactly if tol < 0). C is NaN-filled when beta == 0, since it
// must then be overwritten without being read. A and B must come back
// unchanged and no padding or guard cell may be touched.
func (tc gemmCase) check(t *testing.T, i int, gen func() float64, tol float64) {
	t.Helper()
	ar, ac := tc.m, tc.k
	if tc.tA {
		ar, ac = ac, ar
	}
	br, bc := tc.k, tc.n
	if tc.tB {
		br, bc = bc, br
	}
	a := newGemmMatrix(ar, ac, tc.padA, gen)
	b := newGemmMatrix(br, bc, tc.padB, gen)
	cgen := gen
	if tc.beta == 0 {
		cgen = func() float64 { return math.NaN() }
	}
	c0 := newGemmMatrix(tc.m, tc.n, tc.padC, cgen)
	want, mag := gemmRef(tc.tA, tc.tB, tc.alpha, a, b, tc.beta, c0)
	a0, b0 := a.clone(), b.clone()

	for _, impl := range gemmAllImpls() {
		c := c0.clone()
		impl.fn(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)
		for _, x := range []struct {
			name     string
			now, was *gemmMatrix
		}{{"A", a, a0}, {"B", b, b0}} {
			for j := range x.now.back {
				if math.Float64bits(x.now.back[j]) != math.Float64bits(x.was.back[j]) {
					t.Fatalf("test %d (%v) %s: %s modified at %d", i, tc, impl.name, x.name, j)
				}
			}
		}
		if err := c.checkPadding(); err != nil {
			t.Fatalf("test %d (%v) %s: C %v", i, tc, impl.name, err)
		}
		m := mag
		if tol < 0 {
			m = nil
		}
		if err := gemmCompare(c, want, m, tol); err != nil {
			t.Fatalf("test %d (%v) %s: %v", i, tc, impl.name, err)
		}
	}
}

// gemmTransposes are the four combinations of tA and tB.
var gemmTransposes = [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}

// gemmScalars are the alpha and beta values of the brief: the special cases
// 0 and 1 and two general values.
var gemmScalars = []float64{0, 1, -0.5, 2}

// gemmSmallSizes covers empty, single and sizes around the 3×3 micro-tile and
// the 4-row passes of gemmRows; gemmSmallDepths adds depths past the unrolled
// pair of the micro-kernel and past gemmRowsMaxK.
var (
	gemmSmallSizes  = []int{0, 1, 2, 3, 4, 5, 7}
	gemmSmallDepths = []int{0, 1, 2, 3, 4, 5, 7, 9, 13}
)

// gemmLargeSizes are m, n, k triples around the block sizes gemmMC = 96,
// gemmKC = 256 and gemmNC = 384, plus the sizes the brief names.
var gemmLargeSizes = [][3]int{
	{13, 64, 65}, {64, 65, 127}, {127, 129, 13}, {129, 127, 64},
	{97, 7, 257}, {5, 385, 3}, {98, 386, 259}, {1, 390, 129}, {193, 1, 513},
}

// TestGemmExact runs every transpose combination, size, scalar and padding on
// small integers, for which every product and partial sum is exact in
// float64 (they stay far below 2⁵³), so any summation order gives the same
// bits and the results must equal the reference exactly.
func TestGemmExact(t *testing.T) {
	t.Parallel()
	for _, tr := range gemmTransposes {
		t.Run(fmt.Sprintf("tA=%v,tB=%v", tr[0], tr[1]), func(t *testing.T) {
			t.Parallel()
			var cases []gemmCase
			for _, m := range gemmSmallSizes {
				for _, n := range gemmSmallSizes {
					for _, k := range gemmSmallDepths {
						for _, alpha := range gemmScalars {
							for _, beta := range gemmScalars {
								pad := (m + 2*n + 3*k) % 3 // vary padding without another loop
								cases = append(cases, gemmCase{tr[0], tr[1], m, n, k, alpha, beta, pad, 2 - pad, pad})
							}
						}
					}
				}
			}
			for i, s := range gemmLargeSizes {
				alpha := gemmScalars[i%len(gemmScalars)]
				beta := gemmScalars[(i/2+1)%len(gemmScalars)]
				cases = append(cases, gemmCase{tr[0], tr[1], s[0], s[1], s[2], alpha, beta, i % 3, 3, 1})
				cases = append(cases, gemmCase{tr[0], tr[1], s[0], s[1], s[2], -0.5, 0, 0, 0, 0})
			}
			rnd := rand.New(rand.NewPCG(1, 1))
			gen := func() float64 { return float64(rnd.IntN(7) - 3) }
			for i, tc := range cases {
				tc.check(t, i, gen, -1)
			}
		})
	}
}

// TestGemmGrowing calls gemm on shapes that grow a little at a time, so the
// scratch buffers (and the SIMD module's layout on js/wasm) grow between
// calls without the module's memory having to. Not parallel, so it runs
// before the parallel tests have grown everything.
func TestGemmGrowing(t *testing.T) {
	rnd := rand.New(rand.NewPCG(6, 6))
	gen := func() float64 { return float64(rnd.IntN(7) - 3) }
	i := 0
	for step := range 6 {
		for _, tr := range gemmTransposes {
			tc := gemmCase{tr[0], tr[1], 4 + 4*step, 4 + 3*step, 16 + 8*step, 1, 0, 0, 0, 0}
			tc.check(t, i, gen, -1)
			i++
		}
	}
}

// TestGemmRandom checks general real inputs against the reference within the
// rounding error of a length-k sum.
func TestGemmRandom(t *testing.T) {
	t.Parallel()
	for _, tr := range gemmTransposes {
		t.Run(fmt.Sprintf("tA=%v,tB=%v", tr[0], tr[1]), func(t *testing.T) {
			t.Parallel()
			var cases []gemmCase
			for i, s := range gemmLargeSizes {
				cases = append(cases, gemmCase{tr[0], tr[1], s[0], s[1], s[2], gemmScalars[(i+2)%4], gemmScalars[(i+1)%4], 1, 0, 2})
			}
			for _, s := range []int{1, 2, 3, 5, 7, 13} {
				cases = append(cases, gemmCase{tr[0], tr[1], s, s + 1, s + 2, 2, -0.5, 0, 1, 0})
			}
			rnd := rand.New(rand.NewPCG(2, 2))
			gen := func() float64 { return 2*rnd.Float64() - 1 }
			for i, tc := range cases {
				// Each side sums k products and passes through a few more
				// roundings (alpha, beta, one store per depth block of
				// gemmKC), so each is within γ_{k+2+2⌈k/gemmKC⌉+2} of
				// the exact value, γ_n = nu/(1-nu) (Higham, Accuracy and
				// Stability of Numerical Algorithms, §3.1); they differ by
				// at most twice that.
				steps := tc.k + 4 + 2*gemmStrips(tc.k, gemmKC)
				u := 0x1p-53
				tol := 2 * float64(steps) * u / (1 - float64(steps)*u)
				tc.check(t, i, gen, tol)
			}
		})
	}
}

// gemmCompare reports the first element of got that differs from want by more
// than tol·mag (exactly, if mag is nil), treating NaN as different.
func gemmCompare(got *gemmMatrix, want, mag []float64, tol float64) error {
	n := got.cols
	for i := range got.rows {
		for j := range n {
			g, w := got.at(i, j), want[i*n+j]
			d := math.Abs(g - w)
			lim := 0.0
			if mag != nil {
				lim = tol * mag[i*n+j]
			}
			if !(d <= lim) {
				return fmt.Errorf("C[%d,%d]: got %v want %v (|diff| %.3g > %.3g)", i, j, g, w, d, lim)
			}
		}
	}
	return nil
}

// TestGemmAlphaZero checks that with alpha == 0 (or k == 0) A and B are not
// read: NaN in them must not reach C, which becomes beta*C.
func TestGemmAlphaZero(t *testing.T) {
	t.Parallel()
	nan := func() float64 { return math.NaN() }
	for _, impl := range gemmAllImpls() {
		for i, tc := range []struct {
			m, n, k     int
			alpha, beta float64
		}{
			{4, 5, 6, 0, 0},
			{4, 5, 6, 0, 1},
			{4, 5, 6, 0, -0.5},
			{130, 70, 300, 0, 2},
			{4, 5, 0, 2, -0.5},
			{4, 5, 0, 1, 0},
		} {
			rnd := rand.New(rand.NewPCG(3, uint64(i)))
			a := newGemmMatrix(tc.m, tc.k, 1, nan)
			b := newGemmMatrix(tc.k, tc.n, 1, nan)
			c := newGemmMatrix(tc.m, tc.n, 1, rnd.Float64)
			c0 := c.clone()
			impl.fn(false, false, tc.m, tc.n, tc.k, tc.alpha, a.data(), a.ld, b.data(), b.ld, tc.beta, c.data(), c.ld)
			for r := range tc.m {
				for j := range tc.n {
					if got, want := c.at(r, j), tc.beta*c0.at(r, j); got != want {
						t.Fatalf("%s test %d: C[%d,%d]: got %v want %v", impl.name, i, r, j, got, want)
					}
				}
			}
			if err := c.checkPadding(); err != nil {
				t.Fatalf("%s test %d: %v", impl.name, i, err)
			}
		}
	}
}

// TestGemmDeterministic checks that repeated calls give identical bits. gonum
// runs large products on several goroutines (blocks of 64, parallel from four
// blocks on), so this exercises its scheduling natively.
func TestGemmDeterministic(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(4, 4))
	gen := func() float64 { return 2*rnd.Float64() - 1 }
	for _, impl := range gemmAllImpls() {
		for i, s := range [][3]int{{256, 128, 128}, {300, 400, 500}} {
			m, n, k := s[0], s[1], s[2]
			a := newGemmMatrix(m, k, 0, gen)
			b := newGemmMatrix(n, k, 0, gen) // used transposed
			c0 := newGemmMatrix(m, n, 0, gen)
			var first []float64
			for range 4 {
				c := c0.clone()
				impl.fn(false, true, m, n, k, 1.5, a.data(), a.ld, b.data(), b.ld, 0.5, c.data(), c.ld)
				if first == nil {
					first = c.back
					continue
				}
				for j := range first {
					if math.Float64bits(c.back[j]) != math.Float64bits(first[j]) {
						t.Fatalf("%s test %d: element %d: got %v want %v", impl.name, i, j, c.back[j], first[j])
					}
				}
			}
		}
	}
}

// TestGemmPanics checks that inconsistent arguments panic with the package
// prefix instead of reading out of range or silently computing garbage.
func TestGemmPanics(t *testing.T) {
	t.Parallel()
	s := make([]float64, 12)
	for _, impl := range gemmAllImpls() {
		for i, tc := range []struct {
			tA, tB       bool
			m, n, k      int
			la, lb, lc   int // slice lengths
			lda, ldb, ld int
		}{
			{m: -1, n: 2, k: 2, lda: 2, ldb: 2, ld: 2},
			{m: 2, n: 2, k: -1, lda: 2, ldb: 2, ld: 2},
			{m: 2, n: 3, k: 4, la: 8, lb: 12, lc: 6, lda: 3, ldb: 3, ld: 3},          // lda < k
			{m: 2, n: 3, k: 4, la: 8, lb: 12, lc: 6, lda: 4, ldb: 2, ld: 3},          // ldb < n
			{m: 2, n: 3, k: 4, la: 8, lb: 12, lc: 6, lda: 4, ldb: 3, ld: 2},          // ldc < n
			{tA: true, m: 3, n: 2, k: 2, la: 6, lb: 4, lc: 6, lda: 2, ldb: 2, ld: 2}, // lda < m
			{tB: true, m: 2, n: 3, k: 2, la: 4, lb: 6, lc: 6, lda: 2, ldb: 1, ld: 3}, // ldb < k
			{m: 2, n: 3, k: 4, la: 7, lb: 12, lc: 6, lda: 4, ldb: 3, ld: 3},          // A short
			{m: 2, n: 3, k: 4, la: 8, lb: 11, lc: 6, lda: 4, ldb: 3, ld: 3},          // B short
			{m: 2, n: 3, k: 4, la: 8, lb: 12, lc: 5, lda: 4, ldb: 3, ld: 3},          // C short
		} {
			func() {
				defer func() {
					r := recover()
					msg, ok := r.(string)
					if !ok || !strings.HasPrefix(msg, "ad: ") {
						t.Errorf("%s test %d: got panic %v want one starting with \"ad: \"", impl.name, i, r)
					}
				}()
				impl.fn(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, s[:tc.la], tc.lda, s[:tc.lb], tc.ldb, 0, s[:tc.lc], tc.ld)
			}()
		}
	}
}

// TestGemmNoAlloc checks that warm calls of gemmGo (both of its paths) and of
// the platform's own paths allocate nothing, so a training step on js/wasm
// stays allocation-free. (Natively gemm is gonum, whose parallel blocks
// allocate.) Not parallel: AllocsPerRun counts every allocation in the
// process; its own warm-up call grows the scratch buffers.
func TestGemmNoAlloc(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	const size = 300 * 400
	a, b, c := make([]float64, size), make([]float64, size), make([]float64, size)
	for i := range a {
		a[i] = rnd.Float64()
		b[i] = rnd.Float64()
	}
	impls := []struct {
		name string
		fn   gemmFunc
	}{{"gemmGo", gemmGo}}
	for _, p := range gemmPlatformImpls {
		impls = append(impls, struct {
			name string
			fn   gemmFunc
		}{p.name, p.fn})
	}
	for _, impl := range impls {
		for _, s := range [][3]int{
			{100, 400, 300}, // packed, several blocks along m, n and k
			{300, 50, 4},    // small depth: by rows
			{2, 50, 300},    // two rows: by rows, op(B) copied when transposed
		} {
			m, n, k := s[0], s[1], s[2]
			for _, tr := range gemmTransposes {
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				if got := testing.AllocsPerRun(3, func() {
					impl.fn(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, 0.5, c, n)
				}); got != 0 {
					t.Errorf("%s %v transposes %v: got %v allocations per call want 0", impl.name, s, tr, got)
				}
			}
		}
	}
}
