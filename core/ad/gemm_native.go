//go:build !(js && wasm)

package ad

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemm computes C = alpha*op(A)*op(B) + beta*C, op(X) = X or Xᵀ; op(A) is m×k, op(B) is k×n, C is m×n.
// A is stored row-major with leading dimension lda (lda ≥ k if !tA, ≥ m if tA), likewise B (ldb) and C (ldc ≥ n).
// When alpha == 0 or k == 0, A and B are not read; when beta == 0, C is overwritten without being read.
//
// Natively it runs gonum's Dgemm (pure Go with assembly kernels) on panels
// of C small enough that gonum computes each serially (see gemmPanels),
// spread over the cores for large products by workers started once; narrow
// products go to gemmGo. Nothing allocates once warm, and the results do not
// depend on scheduling: each panel is one serial Dgemm over the whole depth,
// whichever goroutine runs it, which gemm_test.go checks.
// Unlike a plain triple loop, gonum's NN, TN and TT loops skip terms whose
// element of A is zero, so 0·Inf or 0·NaN in B then adds nothing instead of
// NaN; gemmGo (js/wasm) propagates NaN as the definition does.
func gemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gemmCheck(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	// Dgemm rejects leading dimensions of 0, which the contract allows when
	// k == 0, and would multiply A and B by alpha == 0 (turning Inf into NaN),
	// so these cases are handled here.
	if alpha == 0 || k == 0 {
		gemmScale(m, n, beta, c, ldc)
		return
	}
	if n < gemmGonumMinN && !tB {
		gemmGo(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemmPanels(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sizes of the native path, measured on a 2-core machine in CPU time.
// gonum's serial Dgemm ran at 11.8–12.7 GFLOP/s on the flow's products
// (256×128·128×128 and its 64×192 panels) and 7.8 on the VAE's 128×784·
// 784×400, against 7.4–7.6 for gemmGo, and ahead of it from 16×16·16×16
// (5.2 against 3.9), but at 1.0 against 3.6 on 256×128·128×2, where each of
// its row updates is two elements long: products with fewer columns than
// gemmGonumMinN (and op(B) untransposed) stay with gemmGo.
const (
	// gemmPanelRows×gemmPanelCols is the largest panel of C one Dgemm call
	// computes: gonum splits C into blocks of 64×64 and goes parallel, with
	// a goroutine per block (allocations on every call), from 4 blocks.
	gemmPanelRows = 64
	gemmPanelCols = 192
	gemmGonumMinN = 8
	// gemmParMinWork is the m·n·k from which the panels are shared among
	// the workers; below it handing them over costs more than it saves.
	gemmParMinWork = 1 << 20
)

// gemmWorkers holds the workers and the product they share; one product at
// a time (the mutex), its panels handed out by an atomic counter.
type gemmWorkers struct {
	sync.Mutex
	start   sync.Once
	workers int
	wake    chan struct{}
	// busy counts the workers still computing panels of the product. The
	// caller spins on it (yielding) rather than waiting on a WaitGroup,
	// whose semaphore takes a sudog from the scheduler's caches, which a
	// collection empties: about one allocation per VAE step otherwise.
	busy atomic.Int32

	tA, tB      bool
	m, n, k     int
	alpha, beta float64
	a, b, c     []float64
	lda, ldb    int
	ldc         int
	panels      int64 // the number of panels, row-major by gemmPanelCols
	next        atomic.Int64
}

var gemmPar gemmWorkers

// gemmPanels computes the product panel by panel, sharing the panels among
// the workers when the product is large and there is more than one core.
func gemmPanels(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	p := &gemmPar
	cols := gemmStrips(n, gemmPanelCols)
	panels := gemmStrips(m, gemmPanelRows) * cols
	if panels == 1 || m*n*k < gemmParMinWork || runtime.GOMAXPROCS(0) == 1 {
		for i := range panels {
			gemmPanel(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, i/cols, i%cols)
		}
		return
	}
	p.start.Do(func() {
		// One worker fewer than cores: the caller computes panels too.
		p.workers = min(runtime.GOMAXPROCS(0), 8) - 1
		p.wake = make(chan struct{})
		for range p.workers {
			go func() {
				for range p.wake {
					p.run()
					p.busy.Add(-1)
				}
			}()
		}
	})
	p.Lock()
	defer p.Unlock()
	p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.beta = tA, tB, m, n, k, alpha, beta
	p.a, p.lda, p.b, p.ldb, p.c, p.ldc = a, lda, b, ldb, c, ldc
	p.panels = int64(panels)
	p.next.Store(0)
	p.busy.Store(int32(p.workers))
	for range p.workers {
		p.wake <- struct{}{}
	}
	p.run()
	for spins := 0; p.busy.Load() > 0; spins++ {
		// The workers finish their last panel, a few microseconds away
		// unless the system has descheduled them: then stop spinning.
		if spins < 100 {
			runtime.Gosched()
		} else {
			time.Sleep(20 * time.Microsecond)
		}
	}
	p.a, p.b, p.c = nil, nil, nil // keep no matrix alive
}

// run computes panels until none is left.
func (p *gemmWorkers) run() {
	cols := int64(gemmStrips(p.n, gemmPanelCols))
	for {
		i := p.next.Add(1) - 1
		if i >= p.panels {
			return
		}
		gemmPanel(p.tA, p.tB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c, p.ldc, int(i/cols), int(i%cols))
	}
}

// gemmPanel computes the panel of C at panel row pi, panel column pj with
// one serial Dgemm.
func gemmPanel(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, pi, pj int) {
	i0, j0 := pi*gemmPanelRows, pj*gemmPanelCols
	mi, nj := min(gemmPanelRows, m-i0), min(gemmPanelCols, n-j0)
	var as, bs []float64
	if tA {
		as = a[i0:]
	} else {
		as = a[i0*lda:]
	}
	if tB {
		bs = b[j0*ldb:]
	} else {
		bs = b[j0:]
	}
	gonum.Implementation{}.Dgemm(gemmTrans(tA), gemmTrans(tB), mi, nj, k, alpha, as, lda, bs, ldb, beta, c[i0*ldc+j0:], ldc)
}

// gemmTrans converts a transpose flag to gonum's enumeration.
func gemmTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemmPlatformImpls lists platform-specific paths for gemm_test.go to drive
// directly; natively there are none.
var gemmPlatformImpls []struct {
	name string
	fn   func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
}

// gemmBiasReLU sets the m×n C to A·B plus the 1×n bias row (none if nil),
// through max(·, 0) when relu is set: a dense layer's forward pass.
func gemmBiasReLU(m, n, k int, a []float64, lda int, b []float64, ldb int, bias []float64, relu bool, c []float64, ldc int) {
	gemmBiasReLUGo(m, n, k, a, lda, b, ldb, bias, relu, c, ldc)
}

// reluMask sets the rows×cols gm to g where y > 0 and to 0 elsewhere, and
// adds gm's column sums into bg unless it is nil (see reluMaskGo).
func reluMask(gm, g, y, bg []float64, rows, cols int) { reluMaskGo(gm, g, y, bg, rows, cols) }

// pieceRows is pieceRowsGo (see pieces.go).
func pieceRows(dst, x []float64, at []int32, a, b []float64, h int) { pieceRowsGo(dst, x, at, a, b, h) }
