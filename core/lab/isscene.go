package lab

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"time"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/is"
	"likelab/core/nn"
	"likelab/render"
)

// EnergyNames lists the energies the is scene may name (data.EnergyNames).
var EnergyNames = data.EnergyNames

// Sizes of the is scene's estimates and pictures.
const (
	// isBatch draws from each proposal are added to the estimates per
	// refresh: 1000 give a flow with ESS 90% a standard error near 0.01,
	// at a quarter of the cost of the 64×64 density grid.
	isBatch = 1000
	// isMax bounds the draws one estimate accumulates while the flow does
	// not change (paused): beyond it the error bars shrink too slowly to
	// see.
	isMax = 200_000
	// isShown draws of each proposal are drawn as dots sized by weight.
	isShown = 400
	// isGridN is the flow density grid's side. The energies are thinner
	// than the flow scene's targets (the banana is 0.1 wide in a box of 7):
	// 64 points missed its ridge between grid lines; 96 resolve it at 2.25×
	// the flow scene's cost per picture.
	isGridN = 96
)

// ISScene trains a flow by reverse KL to an energy and uses it as an
// importance-sampling proposal for the energy's log Z, beside the
// moment-matched Gaussian: the target, each proposal's density with its
// draws drawn by importance weight, and the estimates with their error bars
// and effective sample sizes converging, against the true value.
type ISScene struct {
	sceneBase
	run  *ISRun
	loss float64
	err  string
	rate rate
	// steps taken in this scene, including the ones rolled back
	stepsSeen int

	view       render.View
	trueLogZ   float64
	targetGrid render.Grid
	gaussGrid  render.Grid
	logp       is.LogDensity
	gauss      is.Dist

	evalTape *ad.Tape
	grid     *densityGrid
	gridStep int // trainer step of the grid shown

	flowQ             *is.Flow
	flowRNG, gaussRNG *rand.Rand
	flowEst, gaussEst is.Estimator
	estStep           int // trainer step of the flow the estimates' draws came from
	flowPts, gaussPts []float64
	flowLW, gaussLW   []float64
	flowRes, gaussRes is.Result

	elboHist                 history
	flowZ, flowLo, flowHi    history
	gaussZ, gaussLo, gaussHi history
	flowESS, gaussESS        history
	lastDst                  image.Rectangle
}

// NewISScene builds the importance-sampling scene c describes.
func NewISScene(c Config) (*ISScene, error) {
	e, err := data.LookupEnergy(c.Energy)
	if err != nil {
		return nil, err
	}
	spec := flow.Spec{Model: c.Model, Dim: 2, Layers: c.Layers, Hidden: c.Hidden}
	run, err := NewISRun(spec, e, c.LR, c.Batch, c.Seed)
	if err != nil {
		return nil, err
	}
	gauss, err := MomentGaussian(e)
	if err != nil {
		return nil, err
	}
	x0, x1, y0, y1 := e.Bounds()
	s := &ISScene{sceneBase: newSceneBase(c), run: run, loss: math.NaN(), evalTape: ad.NewTape(),
		view: render.View{X0: x0, X1: x1, Y0: y0, Y1: y1}, trueLogZ: e.LogZ(), logp: EnergyDensity(e), gauss: gauss,
		flowQ: is.NewFlow(run.Flow), flowRNG: nn.NewRNG(c.Seed, streamIS), gaussRNG: nn.NewRNG(c.Seed, streamIS+1),
		estStep: -1}
	s.grid = newDensityGrid(isGridN, x0, x1, y0, y1, nil, isGridN, chunkRows*isGridN)
	s.targetGrid = render.NewGrid(targetGridN, targetGridN, x0, x1, y0, y1)
	s.gaussGrid = render.NewGrid(targetGridN, targetGridN, x0, x1, y0, y1)
	pt := make([]float64, 2)
	for j := 0; j < targetGridN; j++ {
		for i := 0; i < targetGridN; i++ {
			pt[0], pt[1] = s.targetGrid.Point(i, j)
			s.targetGrid.V[j*targetGridN+i] = math.Exp(e.LogProb(pt[0], pt[1]))
			s.gaussGrid.V[j*targetGridN+i] = math.Exp(gauss.D.LogProb(pt))
		}
	}
	s.flowPts, s.gaussPts = make([]float64, 2*isBatch), make([]float64, 2*isBatch)
	s.flowLW, s.gaussLW = make([]float64, isBatch), make([]float64, isBatch)
	nan := math.NaN()
	s.flowRes = is.Result{LogZ: nan, StdErr: nan, ESS: nan, ESSFraction: nan}
	s.gaussRes = s.flowRes
	return s, nil
}

// Run is the training run behind the scene.
func (s *ISScene) Run() *ISRun { return s.run }

// SetView changes how the scene is shown without touching the run.
func (s *ISScene) SetView(c Config) {
	s.setView(c)
	s.dirty = true
}

// Step takes one reverse-KL step; a divergence is rolled back by the
// trainer and reported in Status().Error.
func (s *ISScene) Step() {
	m, err := s.run.Trainer.Step()
	s.stepsSeen++
	if err != nil {
		s.err = err.Error()
		return
	}
	s.loss = m.Loss
	// −loss is the ELBO E_q[log p̃ − log q] ≤ log Z
	s.elboHist.add(float64(m.Step), -m.Loss)
}

// Work trains for budget when playing, then refreshes the pictures and the
// estimates for up to half that long (at least 2 ms).
func (s *ISScene) Work(budget time.Duration) {
	now := s.train(budget, s.Step)
	s.rate.observe(now, s.stepsSeen)
	s.refresh(now.Add(max(budget/2, 2*time.Millisecond)))
}

// SetTrainingHistory replaces the ELBO curve with the training losses
// (reverse KL, from a model's metrics.jsonl, say) negated, so a picture of
// a loaded model shows how it trained.
func (s *ISScene) SetTrainingHistory(steps, losses []float64) {
	s.elboHist = history{}
	for i := range steps {
		s.elboHist.add(steps[i], -losses[i])
	}
	s.dirty = true
}

// Settle brings the density grid and the estimates up to the current
// parameters now, for pictures rendered once.
func (s *ISScene) Settle() {
	for !s.grid.current(s.run.Trainer.Steps()) || s.estStep != s.gridStep {
		s.refresh(time.Now().Add(time.Hour))
	}
}

// refresh evaluates density grid rows until the deadline; once the grid
// shows the current parameters it draws a batch from each proposal into
// the estimates (while the flow stays the same they accumulate, up to
// isMax draws).
func (s *ISScene) refresh(deadline time.Time) {
	step := s.run.Trainer.Steps()
	if !s.grid.current(step) {
		if !s.grid.refresh(step, deadline, nil, func(pts, lp []float64) {
			s.run.Flow.EvalLogProb(s.evalTape, pts, lp, len(lp))
		}) {
			return
		}
		s.gridStep = s.grid.step
		s.dirty = true
	}
	if s.estStep == s.gridStep && s.flowEst.N() >= isMax {
		return
	}
	if !time.Now().Before(deadline) && s.estStep == s.gridStep {
		return // estimates of this flow exist; more draws can wait
	}
	s.estimate()
}

// estimate adds a batch of draws from each proposal to the estimates,
// starting them afresh when the flow changed, and records the result.
func (s *ISScene) estimate() {
	fresh := s.estStep != s.gridStep
	if fresh {
		s.flowEst.Reset()
		s.gaussEst.Reset()
		s.estStep = s.gridStep
	}
	is.Weigh(s.flowRNG, s.flowQ, s.logp, s.flowPts, s.flowLW)
	is.Weigh(s.gaussRNG, s.gauss, s.logp, s.gaussPts, s.gaussLW)
	s.flowEst.AddAll(s.flowLW)
	s.gaussEst.AddAll(s.gaussLW)
	s.flowRes, s.gaussRes = s.flowEst.Result(), s.gaussEst.Result()
	// A flow's point is added with its first batch and then follows the
	// estimate as draws accumulate, so the charts agree with the captions
	// (a first batch of heavy-tailed weights often misses the rare large
	// weight that later sets the ESS).
	put := (*history).update
	if fresh {
		put = (*history).add
	}
	x := float64(s.estStep)
	// two standard errors either side: a 95% interval
	put(&s.flowZ, x, s.flowRes.LogZ)
	put(&s.flowLo, x, s.flowRes.LogZ-2*s.flowRes.StdErr)
	put(&s.flowHi, x, s.flowRes.LogZ+2*s.flowRes.StdErr)
	put(&s.gaussZ, x, s.gaussRes.LogZ)
	put(&s.gaussLo, x, s.gaussRes.LogZ-2*s.gaussRes.StdErr)
	put(&s.gaussHi, x, s.gaussRes.LogZ+2*s.gaussRes.StdErr)
	put(&s.flowESS, x, s.flowRes.ESSFraction)
	put(&s.gaussESS, x, s.gaussRes.ESSFraction)
	s.dirty = true
}

// Estimates returns the current importance-sampling estimates of log Z with
// the flow and with the moment-matched Gaussian as proposals, over the same
// number of draws, and the true value.
func (s *ISScene) Estimates() (flowRes, gaussRes is.Result, trueLogZ float64) {
	return s.flowRes, s.gaussRes, s.trueLogZ
}

// Status reports progress. The loss is the reverse KL objective, whose
// floor is −log Z.
func (s *ISScene) Status() Status {
	nan := math.NaN()
	return Status{Scene: s.cfg.Scene, Step: s.run.Trainer.Steps(), Loss: s.loss, StepsPerSec: s.rate.value,
		Playing: s.playing, Error: s.err, HeldOut: nan, Entropy: nan}
}

// Save returns the scene's model files, the same as `likelab train flow
// --objective reverse-kl --target energy:NAME` writes.
func (s *ISScene) Save() (config, weights []byte, err error) {
	name := s.run.Energy.Name()
	info := TrainInfo{Data: name, Steps: s.run.Trainer.Steps(), Batch: s.cfg.Batch, LR: s.cfg.LR, Seed: s.cfg.Seed,
		Objective: "reverse-kl", Energy: name}
	return FlowFile.Encode(s.run.Spec, s.run.Flow, info)
}

// faint returns c halfway to the background, for error-bar lines.
func faint(c, bg color.RGBA) color.RGBA {
	return color.RGBA{uint8((int(c.R) + int(bg.R)) / 2), uint8((int(c.G) + int(bg.G)) / 2), uint8((int(c.B) + int(bg.B)) / 2), 255}
}

// Draw renders target | flow | Gaussian above the log Z and ESS charts.
func (s *ISScene) Draw(dst *image.RGBA) bool {
	b := dst.Bounds()
	if !s.dirty && b == s.lastDst {
		return false
	}
	s.dirty, s.lastDst = false, b
	l, th := s.look, s.look.theme
	fill(dst, th.Background)
	pad, label := l.px(12), l.px(18)
	flowColor, gaussColor, elboColor := l.curve(0), l.curve(1), l.curve(2)
	// three square panels, each with two lines of text above, over two
	// charts side by side
	chartH := max(b.Dy()/3, l.px(140))
	side := min((b.Dx()-4*pad)/3, b.Dy()-chartH-2*pad-2*label)
	if side < l.px(16) {
		return true
	}
	panel := func(k int) image.Rectangle {
		x := b.Min.X + pad + k*(side+pad)
		return image.Rect(x, b.Min.Y+pad+2*label, x+side, b.Min.Y+pad+2*label+side)
	}
	p0, p1, p2 := panel(0), panel(1), panel(2)
	caption := func(r image.Rectangle, line1, line2 []string, c color.RGBA) {
		f := l.font()
		f.Draw(dst, r.Min.X, r.Min.Y-label-l.px(5), l.fit(side, line1), c)
		f.Draw(dst, r.Min.X, r.Min.Y-l.px(5), l.fit(side, line2), c)
	}

	l.density(dst.SubImage(p0).(*image.RGBA), s.targetGrid)
	caption(p0, []string{"target p = exp(-U)/Z: " + s.run.Energy.Name(), "target " + s.run.Energy.Name(), "target"},
		[]string{fmt.Sprintf("true log Z = %.4f", s.trueLogZ), fmt.Sprintf("log Z %.4f", s.trueLogZ)}, th.Text)

	if s.grid.have {
		m := dst.SubImage(p1).(*image.RGBA)
		l.density(m, s.grid.Grid)
		weightedDots(m, s.view, s.flowPts, s.flowLW, flowColor, l)
	}
	caption(p1, []string{fmt.Sprintf("flow q (reverse KL), step %d", s.gridStep), "flow q", "flow"},
		estimateText(s.flowRes), flowColor)

	g := dst.SubImage(p2).(*image.RGBA)
	l.density(g, s.gaussGrid)
	if s.grid.have {
		weightedDots(g, s.view, s.gaussPts, s.gaussLW, gaussColor, l)
	}
	caption(p2, []string{"moment-matched Gaussian q", "Gaussian q", "Gauss"}, estimateText(s.gaussRes), gaussColor)

	top := p0.Max.Y + pad
	if b.Max.Y-pad-top < l.px(40) {
		return true
	}
	mid := b.Min.X + b.Dx()*3/5
	left := image.Rect(b.Min.X+pad, top, mid-pad/2, b.Max.Y-pad)
	right := image.Rect(mid+pad/2, top, b.Max.X-pad, b.Max.Y-pad)
	opts := l.chart("log Z: importance-sampling estimates and the ELBO")
	opts.RefLines = []render.RefLine{{Y: s.trueLogZ, Name: "true log Z", Color: th.Ref}}
	// The ELBO starts far below log Z; a window around the truth keeps the
	// estimates readable (lines leaving it are clipped).
	opts.YMin, opts.YMax = s.trueLogZ-1, s.trueLogZ+0.5
	render.LineChart(dst, left, []render.Series{
		{Name: "ELBO = -loss", X: s.elboHist.x, Y: s.elboHist.y, Color: elboColor},
		{X: s.gaussLo.x, Y: s.gaussLo.y, Color: faint(gaussColor, th.Background)},
		{X: s.gaussHi.x, Y: s.gaussHi.y, Color: faint(gaussColor, th.Background)},
		{Name: "Gaussian IS +/- 2 s.e.", X: s.gaussZ.x, Y: s.gaussZ.y, Color: gaussColor},
		{X: s.flowLo.x, Y: s.flowLo.y, Color: faint(flowColor, th.Background)},
		{X: s.flowHi.x, Y: s.flowHi.y, Color: faint(flowColor, th.Background)},
		{Name: "flow IS +/- 2 s.e.", X: s.flowZ.x, Y: s.flowZ.y, Color: flowColor},
	}, opts)
	ess := l.chart("ESS / N")
	ess.LogY, ess.YMin, ess.YMax = true, 1e-3, 1
	render.LineChart(dst, right, []render.Series{
		{Name: "Gaussian", X: s.gaussESS.x, Y: s.gaussESS.y, Color: gaussColor},
		{Name: "flow", X: s.flowESS.x, Y: s.flowESS.y, Color: flowColor},
	}, ess)
	return true
}

// estimateText is a proposal's estimate in three lengths. The picture's
// font is ASCII and Latin-1 only (render.Text), hence "+/-".
func estimateText(r is.Result) []string {
	if math.IsNaN(r.ESS) {
		return []string{"log Z: no draws yet", "..."}
	}
	return []string{
		fmt.Sprintf("log Z = %.4f +/- %.4f, ESS %.1f%% of %d", r.LogZ, r.StdErr, 100*r.ESSFraction, r.N),
		fmt.Sprintf("log Z %.3f +/- %.3f, ESS %.0f%% of %d", r.LogZ, r.StdErr, 100*r.ESSFraction, r.N),
		fmt.Sprintf("log Z %.3f +/- %.3f, ESS %.0f%%", r.LogZ, r.StdErr, 100*r.ESSFraction),
		fmt.Sprintf("%.2f, ESS %.0f%%", r.LogZ, 100*r.ESSFraction),
	}
}

// weightedDots draws up to isShown of the draws pts with dot areas
// proportional to their importance weights relative to the batch's mean
// weight: a good proposal shows even dots, a poor one a few large dots among
// specks.
func weightedDots(dst *image.RGBA, v render.View, pts, logw []float64, c color.RGBA, l look) {
	n := min(isShown, len(logw))
	top := math.Inf(-1)
	for _, lw := range logw[:n] {
		top = max(top, lw)
	}
	if math.IsInf(top, -1) || math.IsNaN(top) {
		return
	}
	mean := 0.0
	for _, lw := range logw[:n] {
		mean += math.Exp(lw-top) / float64(n)
	}
	c.A = 180
	for i := 0; i < n; i++ {
		rel := math.Exp(logw[i]-top) / mean
		// radius 2 px at the mean weight; area ∝ weight; 0.6 to 9 px
		r := min(max(2*math.Sqrt(rel), 0.6), 9)
		render.Scatter(dst, v, pts[2*i:2*i+2], c, l.pxf(r))
	}
}
