package lab

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/nn"
	"likelab/render"
)

// Sizes of the flow scene's pictures and estimates.
const (
	// gridN is the model density grid's side: 64×64 points evaluated
	// progressively and scaled up bilinearly (TensorFlow Playground does the
	// same) keeps a refresh within a few frames' spare time.
	gridN = 64
	// targetGridN is the target's grid side; it is evaluated once.
	targetGridN = 128
	// chunkRows grid rows are evaluated per batch (512 points): big enough
	// for efficient matrix products, small enough to stop within a budget.
	chunkRows = 8
	nSamples  = 600
	nHeldOut  = 2048
	// histSamples target samples make the histogram shown for targets with
	// no closed-form density.
	histSamples = 200_000
	// maxHistory points of loss history are kept; older ones are thinned.
	maxHistory = 1000
)

// FlowScene trains a 2D flow on a target and shows the target beside the
// model's density with samples, and the loss curves.
type FlowScene struct {
	sceneBase
	run  *FlowRun
	loss float64
	err  string
	rate rate
	// steps taken in this scene, including the ones rolled back
	stepsSeen int

	view        render.View
	targetGrid  render.Grid
	targetLabel string
	entropy     float64 // NaN when the target has no known density

	evalTape  *ad.Tape
	grid      *densityGrid
	gridStep  int // trainer step of the grid shown
	samples   []float64
	sampleRNG *rand.Rand
	heldOut   []float64
	heldLP    []float64
	heldNLL   float64

	trainHist, heldHist history

	layers   *layerTrace
	layerBuf []float64
	groups   [4][]float64
	lastDst  image.Rectangle
}

// The page offers every flow family the zoo builds.
func init() { ModelNames = slices.Clone(flow.Models) }

// NewFlowScene builds the 2D flow scene c describes.
func NewFlowScene(c Config) (*FlowScene, error) {
	target, err := data.Lookup(c.Data)
	if err != nil {
		return nil, err
	}
	return NewFlowSceneOn(c, target)
}

// NewFlowSceneOn builds the flow scene on a given target (points a user
// uploaded, say) instead of the named one.
func NewFlowSceneOn(c Config, target data.Target) (*FlowScene, error) {
	spec := flow.Spec{Model: c.Model, Dim: 2, Layers: c.Layers, Hidden: c.Hidden}
	run, err := NewFlowRun(spec, target, c.LR, c.Batch, c.Seed)
	if err != nil {
		return nil, err
	}
	s := &FlowScene{sceneBase: newSceneBase(c), run: run, loss: math.NaN(), evalTape: ad.NewTape(),
		sampleRNG: nn.NewRNG(c.Seed, streamSamples), heldNLL: math.NaN(), entropy: math.NaN()}
	x0, x1, y0, y1 := target.Bounds()
	s.view = render.View{X0: x0, X1: x1, Y0: y0, Y1: y1}
	s.grid = newDensityGrid(gridN, x0, x1, y0, y1, nil, gridN, chunkRows*gridN)
	s.samples = make([]float64, 2*nSamples)
	s.heldOut = make([]float64, 2*nHeldOut)
	s.heldLP = make([]float64, nHeldOut)
	target.Sample(nn.NewRNG(c.Seed, streamHeldOut), s.heldOut)
	s.targetGrid, s.targetLabel = targetPicture(target, c.Seed)
	s.layers = newLayerTrace(nn.NewRNG(c.Seed, streamSamples+1))
	if ex, ok := target.(data.Exact); ok {
		s.entropy, _ = data.Entropy(ex, nn.NewRNG(c.Seed, streamHeldOut+1))
	}
	return s, nil
}

// targetPicture is the target's exact density on a grid, or a histogram of
// its samples when no closed form is known.
func targetPicture(t data.Target, seed uint64) (render.Grid, string) {
	x0, x1, y0, y1 := t.Bounds()
	g := render.NewGrid(targetGridN, targetGridN, x0, x1, y0, y1)
	if ld, ok := t.(data.LogDensity); ok {
		for j := 0; j < g.H; j++ {
			for i := 0; i < g.W; i++ {
				x, y := g.Point(i, j)
				g.V[j*g.W+i] = math.Exp(ld.LogProb(x, y))
			}
		}
		return g, "target density"
	}
	pts := make([]float64, 2*histSamples)
	t.Sample(nn.NewRNG(seed, streamHeldOut+2), pts)
	for k := 0; k < histSamples; k++ {
		i := int(float64(g.W) * (pts[2*k] - x0) / (x1 - x0))
		j := int(float64(g.H) * (y1 - pts[2*k+1]) / (y1 - y0))
		if i >= 0 && i < g.W && j >= 0 && j < g.H {
			g.V[j*g.W+i]++
		}
	}
	return g, "target samples (histogram)"
}

// SetTrainingHistory replaces the training-loss curve (from a model's
// metrics.jsonl, say), so a picture of a loaded model shows how it trained.
func (s *FlowScene) SetTrainingHistory(steps, losses []float64) {
	s.trainHist = history{}
	for i := range steps {
		s.trainHist.add(steps[i], losses[i])
	}
	s.dirty = true
}

// Settle evaluates the whole density grid (and the layers, in that view)
// for the current parameters now, so the next Draw shows the model as it
// is: for pictures rendered once, as by the CLI.
func (s *FlowScene) Settle() {
	for !s.grid.current(s.run.Trainer.Steps()) {
		s.refreshGrid(time.Now().Add(time.Hour))
	}
	if s.cfg.View == "layers" {
		s.layers.trace(s.evalTape, s.run.Flow)
	}
	s.dirty = true
}

// SetView changes how the scene is shown (view, layer, speed, …) without
// touching the run; c must describe the same run (SameRun).
func (s *FlowScene) SetView(c Config) {
	s.setView(c)
	if s.cfg.View == "layers" && s.grid.have {
		s.layers.trace(s.evalTape, s.run.Flow)
	}
	s.dirty = true
}

// Run is the training run behind the scene (for saving the model).
func (s *FlowScene) Run() *FlowRun { return s.run }

// Step takes one training step. A divergence is rolled back by the trainer
// and reported in Status().Error; training goes on.
func (s *FlowScene) Step() {
	m, err := s.run.Trainer.Step()
	s.stepsSeen++
	if err != nil {
		s.err = err.Error()
		return
	}
	s.loss = m.Loss
	s.trainHist.add(float64(m.Step), m.Loss)
}

// Work trains for budget when playing, then refreshes the density grid for
// up to half that long (at least 2 ms, so a paused scene still catches up).
func (s *FlowScene) Work(budget time.Duration) {
	now := s.train(budget, s.Step)
	s.rate.observe(now, s.stepsSeen)
	s.refreshGrid(now.Add(max(budget/2, 2*time.Millisecond)))
}

// refreshGrid evaluates grid rows until the deadline; a complete grid
// becomes the picture with fresh samples and a held-out NLL.
func (s *FlowScene) refreshGrid(deadline time.Time) {
	if !s.grid.refresh(s.run.Trainer.Steps(), deadline, nil, func(pts, lp []float64) {
		s.run.Flow.EvalLogProb(s.evalTape, pts, lp, len(lp))
	}) {
		return
	}
	s.gridStep = s.grid.step
	s.run.Flow.EvalLogProb(s.evalTape, s.heldOut, s.heldLP, 512)
	s.heldNLL = -mean(s.heldLP)
	s.heldHist.add(float64(s.gridStep), s.heldNLL)
	s.sample()
	if s.cfg.View == "layers" {
		s.layers.trace(s.evalTape, s.run.Flow)
	}
	s.dirty = true
}

func (s *FlowScene) sample() {
	t := s.evalTape
	t.Reset()
	t.NoGrad = true
	x := s.run.Flow.Sample(t, s.sampleRNG, nSamples)
	copy(s.samples, x.Val)
	t.NoGrad = false
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Status reports progress.
func (s *FlowScene) Status() Status {
	return Status{Scene: s.cfg.Scene, Step: s.run.Trainer.Steps(), Loss: s.loss, StepsPerSec: s.rate.value,
		Playing: s.playing, Error: s.err, HeldOut: s.heldNLL, Entropy: s.entropy}
}

// HeldOutNLL is the model's mean negative log-likelihood on held-out target
// samples at the last complete refresh, and the target's entropy (the floor
// it can reach; NaN when unknown).
func (s *FlowScene) HeldOutNLL() (nll, entropy float64) { return s.heldNLL, s.entropy }

// Draw renders target | model side by side above the loss chart.
func (s *FlowScene) Draw(dst *image.RGBA) bool {
	b := dst.Bounds()
	animating := s.cfg.View == "layers" && s.cfg.Layer < 0 && s.layers.layers != nil
	if !s.dirty && !animating && b == s.lastDst {
		return false
	}
	s.dirty, s.lastDst = false, b
	l, th := s.look, s.look.theme
	fill(dst, th.Background)
	pad, label := l.px(12), l.px(18)
	// Two square panels above the chart; in a wide, low frame (a slide) the
	// chart goes beside them instead, so the panels can use the full height.
	chartH := max(b.Dy()/4, l.px(120))
	side := min((b.Dx()-3*pad)/2, b.Dy()-chartH-2*pad-label)
	wide := min((b.Dx()-4*pad)*2/7, b.Dy()-2*pad-label)
	if wide > side {
		side = wide
	}
	if side < l.px(16) {
		return true
	}
	left := image.Rect(b.Min.X+pad, b.Min.Y+pad+label, b.Min.X+pad+side, b.Min.Y+pad+label+side)
	right := left.Add(image.Pt(side+pad, 0))
	chart := image.Rect(b.Min.X+pad, right.Max.Y+pad, b.Max.X-pad, b.Max.Y-pad)
	if side == wide {
		chart = image.Rect(right.Max.X+pad, right.Min.Y, b.Max.X-pad, right.Max.Y)
	}
	captionY := left.Min.Y - l.px(5)
	l.density(dst.SubImage(left).(*image.RGBA), s.targetGrid)
	l.text(dst, left.Min.X, captionY, l.fit(side, []string{s.targetLabel, "target"}))
	switch {
	case s.cfg.View == "layers" && s.layers.layers != nil:
		md := dst.SubImage(right).(*image.RGBA)
		fill(md, th.Panel)
		x := s.layers.position(s.cfg.Layer, time.Now())
		label := s.layers.draw(md, layersView(s.view), x, &s.layerBuf, &s.groups, l)
		l.text(dst, right.Min.X, captionY, l.fit(side, []string{label + ", step " + fmt.Sprint(s.gridStep), label}))
	default:
		if s.grid.have {
			md := dst.SubImage(right).(*image.RGBA)
			l.density(md, s.grid.Grid)
			render.Scatter(md, s.view, s.samples, th.Dots, l.pxf(1.5))
		}
		l.text(dst, right.Min.X, captionY, l.fit(side, []string{
			fmt.Sprintf("model: log p(x) = log p_Z(f(x)) + log|det J_f(x)|, step %d", s.gridStep),
			fmt.Sprintf("model density, step %d", s.gridStep),
			"model",
		}))
	}
	if chart.Dy() > l.px(40) && chart.Dx() > l.px(80) {
		l.nllChart(dst, chart, "negative log-likelihood (nats)", s.entropy,
			render.Series{Name: "training NLL", X: s.trainHist.x, Y: s.trainHist.y, Color: l.curve(0)},
			render.Series{Name: "held-out NLL", X: s.heldHist.x, Y: s.heldHist.y, Color: l.curve(1)})
	}
	return true
}

func fill(dst *image.RGBA, c color.RGBA) {
	b := dst.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := dst.Pix[dst.PixOffset(b.Min.X, y):dst.PixOffset(b.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
		}
	}
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if x > m && !math.IsInf(x, 1) {
			m = x
		}
	}
	if m == 0 {
		return 1
	}
	return m
}

// history is a thinned record of one curve: when full, every other point
// goes, so a long run keeps its whole shape in bounded memory.
type history struct {
	x, y     []float64
	every, n int
}

// update replaces the y of the last point if it is at x (a point that
// decimation skipped stays skipped): an estimate at x that improves with
// more draws is shown at its best.
func (h *history) update(x, y float64) {
	if n := len(h.x); n > 0 && h.x[n-1] == x {
		h.y[n-1] = y
	}
}

func (h *history) add(x, y float64) {
	h.n++
	if h.every > 1 && h.n%h.every != 0 {
		return
	}
	h.x = append(h.x, x)
	h.y = append(h.y, y)
	if len(h.x) > maxHistory {
		h.every = max(2, 2*h.every)
		k := 0
		for i := 0; i < len(h.x); i += 2 {
			h.x[k], h.y[k] = h.x[i], h.y[i]
			k++
		}
		h.x, h.y = h.x[:k], h.y[:k]
	}
}
