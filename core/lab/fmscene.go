package lab

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"time"

	"likelab/core/data"
	"likelab/core/fm"
	"likelab/core/nn"
	"likelab/render"
)

// Sizes and pacing of the flow-matching scene.
const (
	// fmGridN is the side of the model density grid. Each point costs an
	// ODE solve with a forward and two backward passes per evaluation, so
	// the grid is coarser than the flow scene's: 32×32 plus the held-out
	// points is a few seconds natively, ~10 s in a browser worker.
	fmGridN = 32
	// fmGridSteps RK4 steps per likelihood of the picture: a quarter of
	// LogProbSteps, whose error on smooth fields is ~1e-3 nats (RK4's error
	// grows 4^4 = 256× from 1.4e-5 at 16 steps, TestLogProbStepsSuffice),
	// invisible in a heatmap and small beside the NLL's changes.
	fmGridSteps = LogProbSteps / 4
	// fmGridChunk points are integrated at a time (~40 MFLOP for the default
	// 3×128 network): small enough that a slice of work stays within a
	// frame's budget even in wasm, where it takes some 20–40 ms.
	fmGridChunk = 8
	// fmTrajChunk particles advance one solver step at a time, for the same
	// reason (an RK4 step of 100 particles is ~30 MFLOP).
	fmTrajChunk = 100
	// fmHeldOut held-out target points give the NLL curve; they ride along
	// with the grid's points.
	fmHeldOut = 8 * fmGridN
	// fmParticles flow from the base to the data; the first fmTrajShown of
	// them also draw their whole path.
	fmParticles = 600
	fmTrajShown = 90
	// fmArrowsN is the side of the grid of velocity arrows, and fmSlots the
	// number of times in [0, 1] at which the arrows are computed and kept
	// until the model next changes.
	fmArrowsN = 15
	fmSlots   = 41
	// Animation: the particles flow for fmFlowSeconds, rest at the data for
	// fmHoldSeconds, then start again from the base after fmRestSeconds.
	fmFlowSeconds = 3.0
	fmHoldSeconds = 1.2
	fmRestSeconds = 0.4
	// fmViewEvery is the least time between snapshots of the model for the
	// particles and arrows while it trains: 3 refreshes a second look live
	// without spending a training budget on pictures.
	fmViewEvery = 300 * time.Millisecond
	// fmStaticEvery bounds how often the still parts of the picture (target,
	// density, charts) are redrawn while the animation runs.
	fmStaticEvery = 250 * time.Millisecond
)

func init() {
	// the QR demo of the talk, and one that needs the highest error
	// correction level to scan from a model's samples
	DataNames = append(DataNames, "qr:likelab", "qr:H:SOME TEXT")
}

// FMScene trains a flow-matching velocity field on a 2D target and shows
// particles flowing from the Gaussian base to the data as t runs from 0 to
// 1, the velocity field as arrows, trajectories, the model's exact density,
// and the loss and held-out NLL curves. The solver, its NFE budget and the
// time shown change live (SetView).
type FMScene struct {
	sceneBase
	run  *FMRun
	loss float64
	err  string
	rate rate
	// steps taken in this scene, including the ones rolled back
	stepsSeen int
	method    fm.Method
	steps     int

	view        render.View
	targetGrid  render.Grid
	targetLabel string
	entropy     float64

	// particles and arrows: a snapshot of the model (viewModel) and the
	// trajectories of the base points under it; next* is the snapshot being
	// computed, a solver step at a time.
	base                  []float64
	viewModel, nextModel  *fm.Model
	viewCNF, nextCNF      *fm.CNF
	traj, nextTraj        [][]float64 // traj[k] holds every particle after k steps
	trajK                 int         // steps done of nextTraj; -1 when idle
	trajDone              int         // particles already advanced in step trajK
	viewStep, nextStep    int         // trainer step of each snapshot
	viewAt                time.Time
	haveView, viewChanged bool
	arrowPts              []float64
	arrows                [fmSlots][]float64
	arrowScale            [fmSlots]float64
	// arrowGen is the snapshot each slot's arrows were computed for: old
	// arrows stay on screen until their slot is recomputed for the new one.
	arrowGen [fmSlots]int
	viewGen  int

	// the density grid and held-out NLL, from its own snapshot
	gridModel *fm.Model
	gridCNF   *fm.CNF
	grid      *densityGrid // with the held-out points riding along
	gridStep  int          // trainer step of the grid shown
	heldNLL   float64

	trainHist, heldHist history
	clock               time.Time // start of the animation
	static              *image.RGBA
	staticDirty         bool
	staticAt            time.Time
	lastDst             image.Rectangle
	lastT               float64
	pts                 []float64 // scratch: particles at the time shown
	noKeyHints          bool
}

// NewFMScene builds the flow-matching scene c describes.
func NewFMScene(c Config) (*FMScene, error) {
	target, err := data.Lookup(c.Data)
	if err != nil {
		return nil, err
	}
	return NewFMSceneOn(c, target)
}

// FMSpec is the velocity network a Config describes: hidden width and depth,
// base std, OT-CFM, and the solver; the rest from fm.DefaultSpec, except
// that QR codes, made of sharp modules, get the QR demo's network (see
// cmd/likelab's QRDemoFlags): ReLU, Fourier features of the point and
// training times skewed towards the data.
func FMSpec(c Config) fm.Spec {
	s := fm.DefaultSpec()
	s.Hidden, s.Layers, s.Std, s.OT, s.Solver, s.NFE = c.Hidden, c.Depth, c.Std, c.OT, c.Solver, c.NFE
	if strings.HasPrefix(c.Data, "qr:") {
		s.Activation, s.SpaceFreqs, s.TimeSkew = "relu", fmQRSpaceFreqs, 2
	}
	return s
}

// fmQRSpaceFreqs reaches a period of 8/2^6 = 0.125, under a module of a
// version-1 code in [−2, 2]² (4/21 ≈ 0.19).
const fmQRSpaceFreqs = 7

// NewFMSceneOn builds the scene on a given target (points a user uploaded,
// say) instead of the named one.
func NewFMSceneOn(c Config, target data.Target) (*FMScene, error) {
	return newFMScene(c, FMSpec(c), target)
}

// newFMScene builds the scene around the velocity network spec describes
// (a loaded model's, which may differ from FMSpec(c)).
func newFMScene(c Config, spec fm.Spec, target data.Target) (*FMScene, error) {
	run, err := NewFMRun(spec, target, c.LR, c.Batch, c.Seed)
	if err != nil {
		return nil, err
	}
	s := &FMScene{sceneBase: newSceneBase(c), run: run, loss: math.NaN(), heldNLL: math.NaN(),
		entropy: math.NaN(), trajK: -1, staticDirty: true, clock: time.Now(), lastT: math.NaN()}
	if err := s.setSolver(c); err != nil {
		return nil, err
	}
	x0, x1, y0, y1 := target.Bounds()
	s.view = render.View{X0: x0, X1: x1, Y0: y0, Y1: y1}
	s.viewModel, s.nextModel, s.gridModel = clone(run.Model), clone(run.Model), clone(run.Model)
	s.viewCNF, s.nextCNF, s.gridCNF = s.viewModel.CNF(), s.nextModel.CNF(), s.gridModel.CNF()
	s.base = make([]float64, 2*fmParticles)
	s.viewCNF.SampleBase(nn.NewRNG(c.Seed, streamSamples), s.base)
	held := make([]float64, 2*fmHeldOut)
	target.Sample(nn.NewRNG(c.Seed, streamHeldOut), held)
	s.grid = newDensityGrid(fmGridN, x0, x1, y0, y1, held, fmGridChunk, 8*fmGridChunk)
	ag := render.NewGrid(fmArrowsN, fmArrowsN, x0, x1, y0, y1)
	s.arrowPts = gridPoints(ag)
	s.targetGrid, s.targetLabel = targetPicture(target, c.Seed)
	if ex, ok := target.(data.Exact); ok {
		s.entropy, _ = data.Entropy(ex, nn.NewRNG(c.Seed, streamHeldOut+1))
	}
	return s, nil
}

// clone returns a model of the same spec with a copy of m's parameters.
func clone(m *fm.Model) *fm.Model {
	c, err := fm.New(m.Spec, nn.NewRNG(0, 0))
	if err != nil {
		panic("lab: cloning a valid fm model: " + err.Error())
	}
	nn.CopyValues(c.Params(), m.Params())
	return c
}

// setSolver takes the solver and NFE budget from c.
func (s *FMScene) setSolver(c Config) error {
	m, err := fm.ParseMethod(c.Solver)
	if err != nil {
		return err
	}
	s.method, s.steps = m, m.StepsFor(c.NFE)
	return nil
}

// Run is the training run behind the scene (for saving the model).
func (s *FMScene) Run() *FMRun { return s.run }

// SetPlaying starts or pauses training.
func (s *FMScene) SetPlaying(p bool) { s.playing = p; s.staticDirty = true }

// SetView changes how the scene is shown — the solver and its NFE budget,
// the time shown, speed, embedding — without touching the run; c must
// describe the same run (SameRun). A new solver recomputes the particles'
// paths at once.
func (s *FMScene) SetView(c Config) {
	old := s.cfg
	if s.setView(c) {
		s.static = nil // the still parts in the new colours at once
	}
	s.cfg.Solver, s.cfg.NFE, s.cfg.T = c.Solver, c.NFE, c.T
	if c.Solver != old.Solver || c.NFE != old.NFE {
		if err := s.setSolver(s.cfg); err != nil {
			s.err = err.Error()
			return
		}
		s.trajK, s.trajDone = -1, 0
		s.viewChanged = true // start a new snapshot now, whatever the model
	}
	if c.T >= 0 && old.T < 0 || c.T < 0 && old.T >= 0 {
		s.clock = time.Now()
	}
	s.staticDirty = true
}

// SetLook draws for the page's canvas scale and auto theme (Looker).
func (s *FMScene) SetLook(k int, auto string) {
	if s.look.set(k, auto) {
		s.static = nil // the still parts in the new look at once
	}
}

// Save returns the scene's model files, the same as `likelab train fm`
// writes.
func (s *FMScene) Save() (config, weights []byte, err error) {
	info := TrainInfo{Data: s.cfg.Data, Steps: s.run.Trainer.Steps(), Batch: s.cfg.Batch, LR: s.cfg.LR, Seed: s.cfg.Seed}
	return FMFile.Encode(s.run.Model.Spec, s.run.Model, info)
}

// Step takes one training step. A divergence is rolled back by the trainer
// and reported in Status().Error; training goes on.
func (s *FMScene) Step() {
	m, err := s.run.Trainer.Step()
	s.stepsSeen++
	if err != nil {
		s.err = err.Error()
		return
	}
	s.loss = m.Loss
	s.trainHist.add(float64(m.Step), m.Loss)
	s.staticDirty = true
}

// Work trains for budget when playing, then refreshes the particles' paths
// and the density grid for up to half that long (at least 2 ms, so a paused
// scene still catches up).
func (s *FMScene) Work(budget time.Duration) {
	now := s.train(budget, s.Step)
	s.rate.observe(now, s.stepsSeen)
	deadline := now.Add(max(budget/2, 2*time.Millisecond))
	s.refreshView(deadline)
	s.refreshArrows(s.timeShown(time.Now()))
	s.refreshGrid(deadline)
}

// SetTrainingHistory replaces the training-loss curve (from a model's
// metrics.jsonl, say), so a picture of a loaded model shows how it trained.
func (s *FMScene) SetTrainingHistory(steps, losses []float64) {
	s.trainHist = history{}
	for i := range steps {
		s.trainHist.add(steps[i], losses[i])
	}
	s.staticDirty = true
}

// SetKeyHints shows or hides the hint that the arrow keys move a fixed
// time (shown by default): a picture for print has no keys.
func (s *FMScene) SetKeyHints(on bool) { s.noKeyHints = !on }

// Settle completes the particles' paths, the arrows at the time shown and
// the density grid for the current parameters now, so the next Draw shows
// the model as it is: for pictures rendered once.
func (s *FMScene) Settle() {
	s.viewChanged = true
	for s.viewChanged || s.trajK >= 0 {
		s.refreshView(time.Now().Add(time.Hour))
	}
	s.refreshArrows(s.timeShown(time.Now()))
	for !s.grid.current(s.run.Trainer.Steps()) {
		s.refreshGrid(time.Now().Add(time.Hour))
	}
	s.staticDirty = true
}

// refreshView advances the snapshot of the particles' paths by solver steps
// until the deadline; a finished one replaces the picture's. A new snapshot
// starts when the model changed and fmViewEvery has passed.
func (s *FMScene) refreshView(deadline time.Time) {
	step := s.run.Trainer.Steps()
	if s.trajK < 0 {
		stale := !s.haveView || s.viewChanged || step != s.viewStep
		if !stale || (!s.viewChanged && s.haveView && time.Since(s.viewAt) < fmViewEvery) {
			return
		}
		s.viewChanged = false
		nn.CopyValues(s.nextModel.Params(), s.run.Model.Params())
		s.nextStep = step
		if len(s.nextTraj) != s.steps+1 {
			s.nextTraj = make([][]float64, s.steps+1)
		}
		s.nextTraj[0] = append(s.nextTraj[0][:0], s.base...)
		s.trajK, s.trajDone = 0, 0
	}
	h := 1 / float64(s.steps)
	for s.trajK < s.steps {
		k := s.trajK
		if s.trajDone == 0 {
			s.nextTraj[k+1] = append(s.nextTraj[k+1][:0], s.nextTraj[k]...)
		}
		// a chunk of particles one step on, from the step's own start time
		// (as Solve does); particles are independent, so chunks are exact
		i0, i1 := s.trajDone, min(fmParticles, s.trajDone+fmTrajChunk)
		s.nextCNF.Transport(s.nextTraj[k+1][2*i0:2*i1], float64(k)*h, float64(k+1)*h, s.method, 1, nil)
		s.trajDone = i1
		if i1 == fmParticles {
			s.trajK++
			s.trajDone = 0
		}
		if !time.Now().Before(deadline) && s.trajK < s.steps {
			return
		}
	}
	s.trajK = -1
	s.viewModel, s.nextModel = s.nextModel, s.viewModel
	s.viewCNF, s.nextCNF = s.nextCNF, s.viewCNF
	s.traj, s.nextTraj = s.nextTraj, s.traj
	s.viewStep, s.viewAt, s.haveView = s.nextStep, time.Now(), true
	s.viewGen++
	s.staticDirty = true // the density panel shows the particles at t = 1
}

// slot is the index of the arrow time nearest to t.
func slot(t float64) int { return int(math.Round(t * (fmSlots - 1))) }

// refreshArrows computes the velocity arrows of the shown snapshot at the
// time slot nearest t, unless they are known.
func (s *FMScene) refreshArrows(t float64) {
	k := slot(t)
	if !s.haveView || (len(s.arrows[k]) > 0 && s.arrowGen[k] == s.viewGen) {
		return
	}
	s.arrowGen[k] = s.viewGen
	v := make([]float64, len(s.arrowPts))
	if cap(s.arrows[k]) >= len(v) {
		v = s.arrows[k][:len(v)]
	}
	s.viewCNF.Velocity(s.arrowPts, float64(k)/(fmSlots-1), v)
	// the longest arrow spans 90% of a grid cell
	top := 0.0
	for i := 0; i < len(v); i += 2 {
		top = max(top, math.Hypot(v[i], v[i+1]))
	}
	cell := (s.view.X1 - s.view.X0) / fmArrowsN
	s.arrowScale[k] = 0
	if top > 0 {
		s.arrowScale[k] = 0.9 * cell / top
	}
	s.arrows[k] = v
}

// refreshGrid evaluates exact log-densities of a snapshot of the model a
// chunk of points at a time until the deadline; a complete grid (with the
// held-out points) becomes the picture and a point of the NLL curve.
func (s *FMScene) refreshGrid(deadline time.Time) {
	begin := func() { nn.CopyValues(s.gridModel.Params(), s.run.Model.Params()) }
	if !s.grid.refresh(s.run.Trainer.Steps(), deadline, begin, func(pts, lp []float64) {
		s.gridCNF.LogProb(pts, lp, fm.RK4, fmGridSteps, nil)
	}) {
		return
	}
	s.gridStep = s.grid.step
	s.heldNLL = -mean(s.grid.extraLP())
	s.heldHist.add(float64(s.gridStep), s.heldNLL)
	s.staticDirty = true
}

// Status reports progress.
func (s *FMScene) Status() Status {
	return Status{Scene: s.cfg.Scene, Step: s.run.Trainer.Steps(), Loss: s.loss, StepsPerSec: s.rate.value,
		Playing: s.playing, Error: s.err, HeldOut: s.heldNLL, Entropy: s.entropy}
}

// HeldOutNLL is the model's mean negative log-likelihood (exact, by the ODE)
// on held-out target samples at the last complete grid, and the target's
// entropy (NaN when unknown).
func (s *FMScene) HeldOutNLL() (nll, entropy float64) { return s.heldNLL, s.entropy }

// timeShown is the flow time the particles and arrows show: fixed by the
// config, or running 0 → 1 with rests at both ends.
func (s *FMScene) timeShown(now time.Time) float64 {
	if s.cfg.T >= 0 {
		return s.cfg.T
	}
	p := math.Mod(now.Sub(s.clock).Seconds(), fmRestSeconds+fmFlowSeconds+fmHoldSeconds)
	return min(1, max(0, (p-fmRestSeconds)/fmFlowSeconds))
}

// particlesAt writes the particles at time t into s.pts: linear between the
// solver's steps, which is what the solver itself assumes within a step.
func (s *FMScene) particlesAt(t float64) []float64 {
	u := t * float64(len(s.traj)-1)
	k := min(int(u), len(s.traj)-2)
	w := u - float64(k)
	a, b := s.traj[k], s.traj[k+1]
	s.pts = s.pts[:0]
	for i := range a {
		s.pts = append(s.pts, (1-w)*a[i]+w*b[i])
	}
	return s.pts
}

// fmColors are the flow panel's trajectories, particles and arrows in
// each theme: on the light panel the particles are dark and the paths and
// arrows deeper, so they keep their contrast.
var fmColors = map[string]struct{ traj, particle, arrow color.RGBA }{
	"dark":  {color.RGBA{70, 110, 170, 110}, color.RGBA{255, 255, 255, 210}, color.RGBA{255, 176, 70, 230}},
	"light": {color.RGBA{50, 90, 160, 90}, color.RGBA{20, 20, 40, 220}, color.RGBA{215, 100, 0, 230}},
}

// fmLayout places the three panels and two charts in b.
type fmLayout struct {
	left, mid, right, lossChart, nllChart image.Rectangle
	ok                                    bool
}

func layoutFM(b image.Rectangle, lk look) fmLayout {
	pad, label := lk.px(12), lk.px(18)
	chartH := max(b.Dy()/4, lk.px(120))
	side := min((b.Dx()-4*pad)/3, b.Dy()-chartH-2*pad-label)
	if side < lk.px(16) {
		return fmLayout{}
	}
	var l fmLayout
	l.left = image.Rect(b.Min.X+pad, b.Min.Y+pad+label, b.Min.X+pad+side, b.Min.Y+pad+label+side)
	l.mid = l.left.Add(image.Pt(side+pad, 0))
	l.right = l.mid.Add(image.Pt(side+pad, 0))
	charts := image.Rect(b.Min.X+pad, l.left.Max.Y+pad, b.Max.X-pad, b.Max.Y-pad)
	half := (charts.Dx() - pad) / 2
	l.lossChart = image.Rect(charts.Min.X, charts.Min.Y, charts.Min.X+half, charts.Max.Y)
	l.nllChart = image.Rect(charts.Max.X-half, charts.Min.Y, charts.Max.X, charts.Max.Y)
	l.ok = true
	return l
}

// Draw renders target | flow at time t | model density above the loss and
// NLL charts. The still parts are cached and redrawn at most every
// fmStaticEvery; the flow panel is redrawn whenever the time shown moves.
func (s *FMScene) Draw(dst *image.RGBA) bool {
	b := dst.Bounds()
	now := time.Now()
	t := s.timeShown(now)
	resized := b != s.lastDst
	redrawStatic := resized || s.static == nil ||
		(s.staticDirty && now.Sub(s.staticAt) >= fmStaticEvery) || (s.staticDirty && t == s.lastT)
	if !redrawStatic && t == s.lastT {
		return false
	}
	s.lastDst = b
	l := layoutFM(b, s.look)
	if redrawStatic {
		if s.static == nil || s.static.Bounds() != b {
			s.static = image.NewRGBA(b)
		}
		s.drawStatic(s.static, l)
		s.staticDirty, s.staticAt = false, now
	}
	draw.Draw(dst, b, s.static, b.Min, draw.Src)
	s.lastT = t
	if l.ok {
		s.drawFlow(dst, l.mid, t)
	}
	return true
}

// drawStatic draws everything but the flow panel.
func (s *FMScene) drawStatic(dst *image.RGBA, l fmLayout) {
	lk, th := s.look, s.look.theme
	fill(dst, th.Background)
	if !l.ok {
		return
	}
	above := lk.px(16)
	lk.density(dst.SubImage(l.left).(*image.RGBA), s.targetGrid)
	lk.text(dst, l.left.Min.X, l.left.Min.Y-above, s.targetLabel)
	if s.grid.have {
		md := dst.SubImage(l.right).(*image.RGBA)
		lk.density(md, s.grid.Grid)
		if s.haveView {
			render.Scatter(md, s.view, s.traj[len(s.traj)-1], th.Dots, lk.pxf(1.3))
		}
		lk.text(dst, l.right.Min.X, l.right.Min.Y-above, fmt.Sprintf("model density (exact)  step %d", s.gridStep))
	} else {
		fillRect(dst, l.right, th.Panel)
		lk.text(dst, l.right.Min.X+lk.px(8), l.right.Min.Y+lk.px(8), "computing the exact density...")
		lk.text(dst, l.right.Min.X, l.right.Min.Y-above, "model density")
	}
	if l.lossChart.Dy() > lk.px(40) {
		render.LineChart(dst, l.lossChart, []render.Series{
			{Name: "CFM loss (training)", X: s.trainHist.x, Y: s.trainHist.y, Color: lk.curve(0)},
		}, lk.chart("flow-matching loss |v(psi, t) - (x1 - x0)|^2"))
		lk.nllChart(dst, l.nllChart, "held-out NLL (nats, exact)", s.entropy,
			render.Series{Name: "held-out NLL", X: s.heldHist.x, Y: s.heldHist.y, Color: lk.curve(1)})
	}
}

// drawFlow draws the flow panel at time t: trajectories, arrows, particles.
func (s *FMScene) drawFlow(dst *image.RGBA, r image.Rectangle, t float64) {
	lk := s.look
	col := fmColors[lk.theme.Name]
	fillRect(dst, r, lk.theme.Panel)
	p := dst.SubImage(r).(*image.RGBA)
	kind := "CFM"
	if s.run.Spec.OT {
		kind = "OT-CFM"
	}
	at := fmt.Sprintf("t = %.2f", t)
	if s.cfg.T >= 0 && !s.noKeyHints {
		at += " (<- ->)" // fixed: the arrow keys move it
	}
	lk.text(dst, r.Min.X, r.Min.Y-lk.px(16), lk.fit(r.Dx(), []string{
		fmt.Sprintf("%s   %s: %d steps, %d NFE   %s", at, s.method, s.steps, s.steps*s.method.Stages(), kind),
		fmt.Sprintf("%s   %s, %d NFE", at, s.method, s.steps*s.method.Stages()),
		at,
	}))
	if !s.haveView {
		return
	}
	path := make([]float64, 0, 2*len(s.traj))
	for i := 0; i < fmTrajShown; i++ {
		path = path[:0]
		for _, st := range s.traj {
			path = append(path, st[2*i], st[2*i+1])
		}
		render.Polyline(p, s.view, path, col.traj, lk.pxf(1))
	}
	if k := slot(t); len(s.arrows[k]) > 0 {
		render.Quiver(p, s.view, s.arrowPts, s.arrows[k], s.arrowScale[k], col.arrow, lk.pxf(1.1))
	}
	render.Scatter(p, s.view, s.particlesAt(t), col.particle, lk.pxf(1.4))
}

// fillRect fills r of dst with c.
func fillRect(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Src)
}
