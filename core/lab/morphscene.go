package lab

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"time"

	"likelab/core/ad"
	"likelab/core/flow"
	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
	"likelab/render"
)

// The morph's endpoints and path change only what is shown, not the VAE
// being trained.
func init() {
	for _, name := range []string{"from", "to", "path", "frames"} {
		viewOnly[name] = true
	}
}

// LatentFlow is a density model of the VAE's codes: a RealNVP fitted by
// maximum likelihood to the central codes of the training images (the
// aggregate posterior). A straight line in its base space, mapped back,
// is a latent path that stays where the codes lie (the `flow` path) rather
// than cutting through empty regions between classes.
type LatentFlow struct {
	Flow    *flow.Flow
	Trainer *train.Trainer
	codes   []float64
	d       int
	rng     *rand.Rand
	batch   []float64
	tape    *ad.Tape
}

// The latent flow's size: 6 affine couplings of 32 units model a handful of
// class clusters in a few dimensions, and 400 steps on batches of 128 codes
// are about 3 GFLOP, a second or two in wasm.
const (
	latentFlowLayers = 6
	latentFlowHidden = 32
	latentFlowBatch  = 128
	latentFlowLR     = 2e-3
	// LatentFlowSteps is how long a fresh latent flow trains before its
	// first path; later refreshes of a live scene add latentFlowMore.
	LatentFlowSteps = 400
	latentFlowMore  = 50
	// latentFlowSlice steps are taken between looks at the clock.
	latentFlowSlice = 10
)

// NewLatentFlow builds a latent flow for the n×d codes, initialised from
// seed (untrained: call Train).
func NewLatentFlow(codes []float64, d int, seed uint64) (*LatentFlow, error) {
	f, err := flow.New(flow.Spec{Model: "realnvp", Dim: d, Layers: latentFlowLayers, Hidden: latentFlowHidden},
		nn.NewRNG(seed, streamVAEPicture+1))
	if err != nil {
		return nil, err
	}
	lf := &LatentFlow{Flow: f, codes: codes, d: d, rng: nn.NewRNG(seed, streamVAEPicture+2),
		batch: make([]float64, latentFlowBatch*d), tape: ad.NewTape()}
	lf.Trainer = train.New(f.Params(), lf.loss, latentFlowLR)
	return lf, nil
}

// SetCodes replaces the codes the flow fits (the VAE moved on).
func (lf *LatentFlow) SetCodes(codes []float64) { lf.codes = codes }

func (lf *LatentFlow) loss(t *ad.Tape) *ad.Node {
	n := len(lf.codes) / lf.d
	for i := 0; i < latentFlowBatch; i++ {
		k := lf.rng.IntN(n)
		copy(lf.batch[i*lf.d:(i+1)*lf.d], lf.codes[k*lf.d:(k+1)*lf.d])
	}
	return lf.Flow.NLL(t, t.Const(latentFlowBatch, lf.d, lf.batch))
}

// Train takes steps training steps; divergences are rolled back by the
// trainer and skipped.
func (lf *LatentFlow) Train(steps int) {
	for i := 0; i < steps; i++ {
		lf.Trainer.Step()
	}
}

// Path writes frames codes of the straight line from f(a) to f(b) in the
// base space, mapped back by f⁻¹, into dst (frames×d): the ends are a and b
// (up to rounding).
func (lf *LatentFlow) Path(dst, a, b []float64, frames int) {
	d := lf.d
	t := lf.tape
	t.Reset()
	t.NoGrad = true
	ends := append(append([]float64(nil), a...), b...)
	u, _ := lf.Flow.T.Forward(t, t.Const(2, d, ends))
	line := make([]float64, frames*d)
	vae.LinearPath(line, u.Val[:d], u.Val[d:], frames)
	z, _ := lf.Flow.T.Inverse(t, t.Const(frames, d, line))
	copy(dst, z.Val)
}

// MorphCodes writes the codes of a latent path from a to b into dst
// (frames×len(a)): "linear", "slerp", or "flow" (straight in lf's base
// space; lf must not be nil then).
func MorphCodes(dst, a, b []float64, frames int, path string, lf *LatentFlow) {
	switch path {
	case "linear":
		vae.LinearPath(dst, a, b, frames)
	case "slerp":
		vae.SlerpPath(dst, a, b, frames)
	case "flow":
		if lf == nil {
			panic("lab: flow path without a latent flow")
		}
		lf.Path(dst, a, b, frames)
	default:
		panic(fmt.Sprintf("lab: unknown path %q", path))
	}
}

// Sizes of the morph scene's work.
const (
	// morphCodes training images per class are encoded for the class means,
	// the latent flow and the scatter (600 for the six fruits).
	morphCodes = 100
	// morphFrameTime is how long the animation shows each frame.
	morphFrameTime = 180 * time.Millisecond
	// morphEvery is how often a training model's morph is redone, so
	// training keeps most of the time: a redo (600 encodes, 50 latent-flow
	// steps, the frames) is a few hundred milliseconds of work in wasm.
	morphEvery = 3 * time.Second
)

// MorphScene is the apple → banana demo: a VAE trains on the images (or
// starts trained), and the path between two classes' typical codes
// (ClassEnds) is decoded
// frame by frame and animated, beside the path in a 2D projection of the
// latent space, the whole film strip and, for contrast, a pixel cross-fade.
type MorphScene struct {
	sceneBase
	run  *VAERun
	loss float64
	err  string
	rate rate
	seen int

	subset []int // training images encoded, morphCodes per class
	codes  []float64
	// the morph in progress (advance)
	cycling   bool
	cycleCfg  Config
	cycleStep int
	ends      [][]float64
	from, to  int
	lfTarget  int
	labels    []int
	lf        *LatentFlow
	pathCodes []float64
	frames    []float64 // decoded path, frames×Input
	fade      []float64 // pixel cross-fade of the end frames
	proj      projection
	pts, path []float64 // projected codes and path
	view      render.View
	shownStep int
	shownCfg  Config
	have      bool
	start     time.Time
	lastDst   image.Rectangle
	lastFrame int
}

// NewMorphScene builds the morph scene c describes: a fresh VAE on
// c.Dataset, trained live.
func NewMorphScene(c Config) (*MorphScene, error) {
	trainSet, testSet, err := VAEData(c.Dataset, vaeFruitSize, c.Seed)
	if err != nil {
		return nil, err
	}
	run, err := NewVAERun(c, nil, trainSet, testSet, c.Dataset)
	if err != nil {
		return nil, err
	}
	if _, err := classOf(trainSet, c.From); err != nil {
		return nil, fmt.Errorf("from: %v", err)
	}
	if _, err := classOf(trainSet, c.To); err != nil {
		return nil, fmt.Errorf("to: %v", err)
	}
	return newMorphSceneOn(c, run), nil
}

func newMorphSceneOn(c Config, run *VAERun) *MorphScene {
	s := &MorphScene{sceneBase: newSceneBase(c), run: run, loss: math.NaN(), shownStep: -1, start: time.Now()}
	im := run.Train
	count := make([]int, len(im.Classes))
	for i := 0; i < im.N(); i++ {
		k := 0
		if im.Labels != nil {
			k = im.Labels[i]
		}
		if count[k] < morphCodes {
			count[k]++
			s.subset = append(s.subset, i)
			s.labels = append(s.labels, k)
		}
	}
	return s
}

// Run is the training run behind the scene.
func (s *MorphScene) Run() *VAERun { return s.run }

// SetView takes the view-only settings of c: the endpoints, the path and
// the number of frames among them. Endpoints the images lack are refused
// with a message, keeping the old ones.
func (s *MorphScene) SetView(c Config) {
	for _, name := range []string{c.From, c.To} {
		if _, err := classOf(s.run.Train, name); err != nil {
			s.err = err.Error()
			c.From, c.To = s.cfg.From, s.cfg.To
		}
	}
	s.setView(c)
	s.cfg.From, s.cfg.To, s.cfg.Path, s.cfg.Frames = c.From, c.To, c.Path, c.Frames
	s.dirty = true
}

// Save returns the model files of the VAE.
func (s *MorphScene) Save() (config, weights []byte, err error) { return s.run.Save(s.cfg) }

// Step takes one training step of the VAE.
func (s *MorphScene) Step() {
	s.seen++
	m, err := s.run.Trainer.Step()
	if err != nil {
		s.err = err.Error()
		return
	}
	s.loss = m.Loss
}

// Work trains for about budget when playing, then, when the model or the
// path settings changed, works on the next morph for up to half that long.
func (s *MorphScene) Work(budget time.Duration) {
	now := s.train(budget, s.Step)
	s.rate.observe(now, s.seen)
	if s.cycling || s.stale() {
		s.advance(now.Add(max(budget/2, 2*time.Millisecond)))
	}
}

// stale reports whether the shown morph is out of date: new endpoints or
// path, or a model that trained on since (redone at most every morphEvery,
// so training keeps most of the time).
func (s *MorphScene) stale() bool {
	if !s.have {
		return true
	}
	if !sameMorph(s.cfg, s.shownCfg) {
		return true
	}
	return s.run.Trainer.Steps() != s.shownStep && time.Since(s.start) > morphEvery
}

// sameMorph reports whether a and b ask for the same path.
func sameMorph(a, b Config) bool {
	return a.From == b.From && a.To == b.To && a.Path == b.Path && a.Frames == b.Frames
}

// Settle computes the morph for the current model and settings now,
// dropping any morph in progress for an older model.
func (s *MorphScene) Settle() {
	s.cycling = false
	s.advance(time.Now().Add(time.Hour))
}

// advance works on the next morph until the deadline: a cycle encodes the
// training subset, then (flow path) trains the latent flow in slices that
// respect the deadline, then decodes the path. The old morph stays on show
// until the new one is complete.
func (s *MorphScene) advance(deadline time.Time) {
	v := s.run.Model
	d, in := v.Spec.Latent, v.Spec.Input()
	if s.cycling && !sameMorph(s.cfg, s.cycleCfg) {
		s.cycling = false // new endpoints or path: start over (the latent flow keeps what it learnt)
	}
	if !s.cycling {
		sub := s.run.Train.Subset(s.subset)
		var means [][]float64
		means, s.codes = ClassMeans(v, sub)
		s.ends = ClassEnds(means, s.codes, sub)
		s.from, s.to = sub.ClassIndex(s.cfg.From), sub.ClassIndex(s.cfg.To)
		s.cycleCfg, s.cycleStep, s.cycling = s.cfg, s.run.Trainer.Steps(), true
		if s.cfg.Path == "flow" {
			if s.lf == nil {
				lf, err := NewLatentFlow(s.codes, d, s.cfg.Seed)
				if err != nil {
					s.err, s.cycling = err.Error(), false
					return
				}
				s.lf, s.lfTarget = lf, LatentFlowSteps
			} else {
				s.lf.SetCodes(s.codes)
				s.lfTarget = max(LatentFlowSteps, s.lf.Trainer.Steps()+latentFlowMore)
			}
		}
	}
	if s.from < 0 || s.to < 0 {
		s.cycling = false
		return
	}
	c := s.cycleCfg
	if c.Path == "flow" {
		for s.lf.Trainer.Steps() < s.lfTarget {
			s.lf.Train(min(latentFlowSlice, s.lfTarget-s.lf.Trainer.Steps()))
			if !time.Now().Before(deadline) {
				return
			}
		}
	}
	n := c.Frames
	s.pathCodes = make([]float64, n*d)
	MorphCodes(s.pathCodes, s.ends[s.from], s.ends[s.to], n, c.Path, s.lf)
	s.frames = make([]float64, n*in)
	v.DecodeMeans(s.pathCodes, s.frames)
	s.fade = CrossFade(s.frames[:in], s.frames[(n-1)*in:], n)
	s.proj = fitProjection(s.codes, d)
	s.pts = s.proj.apply(s.codes)
	s.path = s.proj.apply(s.pathCodes)
	x0, x1, y0, y1 := pointsView(append(append([]float64(nil), s.pts...), s.path...))
	s.view = render.View{X0: x0, X1: x1, Y0: y0, Y1: y1}
	s.shownStep, s.shownCfg, s.have, s.start = s.cycleStep, c, true, time.Now()
	s.cycling, s.dirty = false, true
}

// CrossFade returns frames images blending a into b pixel by pixel, both
// ends included: what a morph is not.
func CrossFade(a, b []float64, frames int) []float64 {
	out := make([]float64, 0, frames*len(a))
	for f := 0; f < frames; f++ {
		s := 0.0
		if frames > 1 {
			s = float64(f) / float64(frames-1)
		}
		for j := range a {
			out = append(out, (1-s)*a[j]+s*b[j])
		}
	}
	return out
}

// Frames returns the decoded frames of the current morph (frames×Input)
// and their codes (frames×Latent); nil before the first Work or Settle.
func (s *MorphScene) Frames() (images, codes []float64) { return s.frames, s.pathCodes }

// Status reports progress.
func (s *MorphScene) Status() Status {
	return Status{Scene: s.cfg.Scene, Step: s.run.Trainer.Steps(), Loss: s.loss, StepsPerSec: s.rate.value,
		Playing: s.playing, Error: s.err, HeldOut: math.NaN(), Entropy: math.NaN()}
}

// frameAt is the animation's frame at time now: forwards, a pause on the
// last frame, backwards, a pause on the first.
func (s *MorphScene) frameAt(now time.Time) int {
	n := s.shownCfg.Frames
	if len(s.frames) == 0 || n < 2 {
		return 0
	}
	period := 2*n + 4 // two held frames at each end
	k := int(now.Sub(s.start)/morphFrameTime) % period
	switch {
	case k < n:
		return k
	case k < n+2:
		return n - 1
	case k < 2*n+2:
		return 2*n + 1 - k
	}
	return 0
}

// Draw renders the current frame large, the path in the latent
// projection, and the film strip over the cross-fade. The animation
// redraws whenever its frame changes.
func (s *MorphScene) Draw(dst *image.RGBA) bool {
	b := dst.Bounds()
	cur := s.frameAt(time.Now())
	fitting := !s.have && s.cycling // the fit's step count moves
	if !s.dirty && !fitting && b == s.lastDst && cur == s.lastFrame {
		return false
	}
	s.dirty, s.lastDst, s.lastFrame = false, b, cur
	l := s.look
	fill(dst, l.theme.Background)
	pad, label := l.px(12), l.px(18)
	if b.Dx() < l.px(200) || b.Dy() < l.px(160) || !s.have {
		msg := "encoding the training images..."
		if s.cycling && s.lf != nil {
			msg = fmt.Sprintf("fitting a flow to the latent codes for the flow path: step %d of %d", s.lf.Trainer.Steps(), s.lfTarget)
		}
		l.text(dst, b.Min.X+pad, b.Min.Y+pad, msg)
		return true
	}
	v := s.run.Model
	w, h, ch, in := v.Spec.Width, v.Spec.Height, v.Spec.Channels, v.Spec.Input()
	shown := s.shownCfg // the settings of the morph on show, which may lag s.cfg
	n := shown.Frames
	stripH := max((b.Dx()-2*pad)/n, l.px(8))
	stripH = min(stripH, l.px(96))
	stripH = min(stripH, (b.Dy()-4*pad)/5)
	side := min((b.Dx()-3*pad)/2, b.Dy()-2*pad-2*label-2*(stripH+label)-pad)
	if side < l.px(32) {
		side = max(l.px(32), b.Dy()/2)
	}
	top := b.Min.Y + pad + label
	// the two panels centred, the strips below them from the same left edge
	left := b.Min.X + pad + max(0, (b.Dx()-3*pad-2*side)/2)
	big := image.Rect(left, top, left+side, top+side)
	l.text(dst, big.Min.X, big.Min.Y-label+l.px(2), l.fit(side, []string{
		fmt.Sprintf("%s -> %s (%s path), frame %d of %d", shown.From, shown.To, shown.Path, cur+1, n),
		fmt.Sprintf("%s -> %s, frame %d", shown.From, shown.To, cur+1)}))
	drawPixels(dst, big, s.frames[cur*in:(cur+1)*in], w, h, ch)
	// the latent projection with the path
	lat := image.Rect(big.Max.X+pad, top, big.Max.X+pad+side, top+side)
	if lat.Max.X > b.Max.X-pad {
		lat.Max.X = b.Max.X - pad
	}
	lp := dst.SubImage(lat).(*image.RGBA)
	fill(lp, panelBack)
	classes := s.run.Train.Classes
	for k := range classes {
		var pts []float64
		for i, lb := range s.labels {
			if lb == k {
				pts = append(pts, s.pts[2*i], s.pts[2*i+1])
			}
		}
		c := classColor(classes, k)
		c.A = 150
		render.Scatter(lp, s.view, pts, c, l.pxf(1.8))
	}
	render.Polyline(lp, s.view, s.path, color.RGBA{255, 255, 255, 255}, l.pxf(2))
	render.Scatter(lp, s.view, s.path, color.RGBA{255, 255, 255, 255}, l.pxf(3))
	render.Scatter(lp, s.view, s.path[2*cur:2*cur+2], color.RGBA{255, 60, 60, 255}, l.pxf(6))
	classLegend(lp, classes, l)
	axes := "codes"
	if v.Spec.Latent > 2 {
		axes = "codes, principal axes"
	}
	l.text(dst, lat.Min.X, lat.Min.Y-label+l.px(2), l.fit(lat.Dx(), []string{
		"latent " + axes + "; white: the path", "latent " + axes, "latent space"}))
	// film strip and cross-fade
	y := big.Max.Y + pad + label
	left = b.Min.X + pad + max(0, (b.Dx()-2*pad-n*stripH)/2) // the strips centred
	l.text(dst, left, y-label+l.px(2), fmt.Sprintf("decoded along the latent path (VAE at step %d)", s.shownStep))
	rs := imageRow(dst, left, y, stripH-2, 2, s.frames, n, w, h, ch)
	if cur < len(rs) {
		frame(dst, rs[cur], color.RGBA{255, 60, 60, 255}, l.px(1))
	}
	y += stripH + label
	l.font().Draw(dst, left, y-label+l.px(2), "for contrast: a pixel cross-fade of the end frames", l.theme.DimText)
	imageRow(dst, left, y, stripH-2, 2, s.fade, n, w, h, ch)
	return true
}
