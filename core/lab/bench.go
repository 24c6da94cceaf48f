package lab

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
)

// BenchNames are the figures Bench can measure, in the order it measures
// them. Allocations are counted with the training figures (flow, vae).
var BenchNames = []string{"matmul", "flow", "vae", "grid"}

// ParseBenchNames reads a comma-separated list of figures ("flow,vae") as
// BenchOptions.Only takes it; an empty list means all of them.
func ParseBenchNames(list string) ([]string, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !slices.Contains(BenchNames, n) {
			return nil, fmt.Errorf("unknown benchmark %q (want some of %s)", n, strings.Join(BenchNames, ", "))
		}
		names = append(names, n)
	}
	return names, nil
}

// DefaultBenchSeconds is how long each figure is measured when
// BenchOptions.Seconds is 0: as long as the TensorFlow.js reference harness
// (../shared/anchors/tfjs, --sec 8) trains, so both sides average alike.
const DefaultBenchSeconds = 8

// BenchOptions chooses what Bench measures and for how long.
type BenchOptions struct {
	// Seconds is how long each figure is measured after its warm-up, split
	// into Repeats windows; 0 means DefaultBenchSeconds.
	Seconds float64
	// Repeats is the number of windows whose median is reported; 0 means 3.
	Repeats int
	// Only names the figures to measure (see BenchNames); empty means all.
	Only []string
	// Progress, when set, receives a line of text before each figure, for a
	// terminal or a page to show.
	Progress func(string)
}

// BenchResult holds the figures of one run of Bench, for one environment.
// A figure that was not measured is left out of the JSON.
type BenchResult struct {
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GoVersion string `json:"go_version"`
	// Seconds each figure was measured for.
	Seconds float64 `json:"seconds"`
	// MatmulGFLOPS is the speed of one 256×128·128×128 product in the three
	// forms a dense layer's forward and backward passes use.
	MatmulGFLOPS *MatmulGFLOPS `json:"matmul_gflops,omitempty"`
	// FlowStepsPerSec is training steps per second of the talk's flow: 8
	// affine couplings, conditioners 1→128→128→2 with ReLU, batch 256 from
	// the double Gaussian, Adam.
	FlowStepsPerSec float64 `json:"flow_steps_per_sec,omitempty"`
	// VAEStepsPerSec is training steps per second of the talk's VAE:
	// 784-400-20 with ReLU, Bernoulli likelihood (BCE summed over pixels)
	// plus the analytic KL, batch 128 of random binary images, Adam.
	VAEStepsPerSec float64 `json:"vae_steps_per_sec,omitempty"`
	// Grid128MS is the time to evaluate the talk's flow's log-density on a
	// 128×128 grid of [−4, 4]×[−3, 3] (the TF.js harness's grid), through
	// Flow.EvalLogProb as the page's density picture does.
	Grid128MS float64 `json:"grid128_ms,omitempty"`
	// AllocsPerStep is heap allocations per warm training step, by model
	// family ("flow", "vae"), counted as testing.AllocsPerRun counts them.
	AllocsPerStep map[string]float64 `json:"allocs_per_step,omitempty"`
}

// MatmulGFLOPS is a product's speed in billions of floating-point
// operations (2·m·n·k per product) per second: C = A·B, A·Bᵀ and Aᵀ·B.
type MatmulGFLOPS struct {
	NN float64 `json:"NN"`
	NT float64 `json:"NT"`
	TN float64 `json:"TN"`
}

// Sizes of the benchmarked models, those of the talk and of the TF.js
// reference harness (bench_core.mjs), so the figures compare one to one.
const (
	benchFlowLayers = 8
	benchFlowHidden = 128
	benchFlowBatch  = 256
	benchLR         = 1e-3
	benchVAEHidden  = 400
	benchVAELatent  = 20
	benchVAEBatch   = 128
	// benchVAEPool batches of random bits are cycled through, as the TF.js
	// harness does (16 batches of 128).
	benchVAEPool = 16
	benchGridN   = 128
	// benchWarmUp steps run before timing (the TF.js harness's 20): the
	// tape, the optimiser and the kernels' buffers reach their size, and
	// the JavaScript engine has compiled the hot code.
	benchWarmUp = 20
	// benchAllocSteps warm steps are counted for allocations.
	benchAllocSteps = 10
	// benchGridChunk is the rows EvalLogProb takes at once for the grid:
	// the chunk Model2D uses for files (model2d.go).
	benchGridChunk = chunk
)

// Bench measures the speed of likelab's core on this machine: matrix
// products, training steps of the talk's flow and VAE, the flow's density
// grid, and heap allocations per training step. It runs for about
// (number of figures)·Seconds plus warm-up and returns the figures; it has
// no failure mode other than being slow.
func Bench(opts BenchOptions) BenchResult {
	if opts.Seconds <= 0 {
		opts.Seconds = DefaultBenchSeconds
	}
	if opts.Repeats <= 0 {
		opts.Repeats = 3
	}
	want := func(name string) bool { return len(opts.Only) == 0 || slices.Contains(opts.Only, name) }
	say := func(format string, a ...any) {
		if opts.Progress != nil {
			opts.Progress(fmt.Sprintf(format, a...))
		}
	}
	res := BenchResult{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(), Seconds: opts.Seconds}
	window := time.Duration(opts.Seconds / float64(opts.Repeats) * float64(time.Second))
	if want("matmul") {
		say("matmul 256×128·128×128 (NN, NT, TN)")
		res.MatmulGFLOPS = benchMatmul(window, opts.Repeats)
	}
	var fr *FlowRun
	if want("flow") || want("grid") {
		var err error
		fr, err = NewFlowRun(flow.Spec{Model: "realnvp", Dim: 2, Layers: benchFlowLayers, Hidden: benchFlowHidden},
			mustTarget("double-gaussian"), benchLR, benchFlowBatch, 1)
		if err != nil {
			panic("lab: " + err.Error()) // the spec is fixed and valid
		}
	}
	if want("flow") {
		say("flow training (8 couplings, 1→128→128→2, batch 256)")
		res.FlowStepsPerSec = benchSteps(fr.Trainer, window, opts.Repeats)
		res.addAllocs("flow", allocsPerStep(fr.Trainer))
	}
	if want("vae") {
		say("VAE training (784-400-20, batch 128)")
		tr := benchVAETrainer()
		res.VAEStepsPerSec = benchSteps(tr, window, opts.Repeats)
		res.addAllocs("vae", allocsPerStep(tr))
	}
	if want("grid") {
		// The flow as trained above, or as initialised: the work per point
		// does not depend on the weights.
		say("flow density on a 128×128 grid")
		res.Grid128MS = benchGrid(fr.Flow, opts.Seconds)
	}
	return res
}

func (r *BenchResult) addAllocs(family string, n float64) {
	if r.AllocsPerStep == nil {
		r.AllocsPerStep = map[string]float64{}
	}
	r.AllocsPerStep[family] = n
}

func mustTarget(name string) data.Target {
	t, err := data.Lookup(name)
	if err != nil {
		panic("lab: " + err.Error())
	}
	return t
}

// benchMatmul times the three product forms through the tape, as the
// models call them; a NoGrad tape records no gradient buffers.
func benchMatmul(window time.Duration, repeats int) *MatmulGFLOPS {
	const m, k, n = 256, 128, 128
	rng := nn.NewRNG(3, 0)
	fill := func(v []float64) []float64 {
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	a := fill(make([]float64, m*k)) // 256×128, or 128×256 read transposed
	b := fill(make([]float64, k*n)) // 128×128 either way
	t := ad.NewTape()
	t.NoGrad = true
	run := func(tA, tB bool) float64 {
		ar, ac := m, k
		if tA {
			ar, ac = k, m
		}
		call := func() {
			t.Reset()
			t.MatMulT(t.Const(ar, ac, a), t.Const(k, n, b), tA, tB)
		}
		secs := rateWindows(call, 5, window, repeats)
		return 2 * m * n * k / secs / 1e9
	}
	return &MatmulGFLOPS{NN: run(false, false), NT: run(false, true), TN: run(true, false)}
}

// benchSteps warms tr up and returns its median steps per second.
func benchSteps(tr *train.Trainer, window time.Duration, repeats int) float64 {
	return 1 / rateWindows(func() { tr.Step() }, benchWarmUp, window, repeats)
}

// rateWindows calls f warm times, then repeatedly for repeats windows of
// about window each, and returns the median over windows of the seconds
// per call.
func rateWindows(f func(), warm int, window time.Duration, repeats int) float64 {
	for range warm {
		f()
	}
	per := make([]float64, repeats)
	for i := range per {
		n, start := 0, time.Now()
		for n == 0 || time.Since(start) < window {
			f()
			n++
		}
		per[i] = time.Since(start).Seconds() / float64(n)
	}
	return median(per)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// allocsPerStep counts heap allocations over benchAllocSteps warm steps of
// tr as testing.AllocsPerRun does (which non-test code cannot import): with
// GOMAXPROCS at 1, so that what is counted is the step's own and not the
// scheduler's (a goroutine handing work to another now and then takes a
// sudog from the runtime's caches, which a collection empties), and
// averaged, not rounded down.
func allocsPerStep(tr *train.Trainer) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tr.Step()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range benchAllocSteps {
		tr.Step()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / benchAllocSteps
}

// benchVAETrainer is the talk's VAE on random binary images, as the TF.js
// harness trains it.
func benchVAETrainer() *train.Trainer {
	spec := vae.Spec{Width: 28, Height: 28, Channels: 1, Latent: benchVAELatent, Hidden: []int{benchVAEHidden},
		Activation: "relu", Likelihood: "bernoulli", Posterior: "gaussian"}
	v, err := vae.New(spec, nn.NewRNG(2, streamInit))
	if err != nil {
		panic("lab: " + err.Error()) // the spec is fixed and valid
	}
	rng := nn.NewRNG(11, streamData)
	images := make([]float64, benchVAEPool*benchVAEBatch*spec.Input())
	for i := range images {
		if rng.Float64() < 0.5 {
			images[i] = 1
		}
	}
	obj := vae.NewObjective(v, images, benchVAEBatch, rng)
	return train.New(v.Params(), obj.Loss, benchLR)
}

// benchGrid returns the median time in milliseconds of evaluating f's
// log-density on the benchmark grid, over at least five evaluations and
// about seconds.
func benchGrid(f *flow.Flow, seconds float64) float64 {
	const n = benchGridN
	pts := make([]float64, 2*n*n)
	for i := 0; i < n; i++ { // row i at y, column j at x, as the TF.js grid
		for j := 0; j < n; j++ {
			pts[2*(i*n+j)] = -4 + 8*float64(j)/(n-1)
			pts[2*(i*n+j)+1] = -3 + 6*float64(i)/(n-1)
		}
	}
	lp := make([]float64, n*n)
	t := ad.NewTape()
	eval := func() { f.EvalLogProb(t, pts, lp, benchGridChunk) }
	eval() // warm: the tape's buffers
	var ms []float64
	start := time.Now()
	for len(ms) < 5 || time.Since(start).Seconds() < seconds {
		t0 := time.Now()
		eval()
		ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
	}
	return median(ms)
}
