package lab

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/vae"
	"likelab/render"
)

// Sizes of the VAE scene's pictures and estimates.
const (
	vaeShow    = 8  // test inputs shown beside their reconstructions
	vaeSamples = 16 // images decoded from prior draws
	// vaeManifold is the side of the decoded latent grid when the latent
	// size is 2.
	vaeManifold = 12
	// vaeChunk test images are encoded (test ELBO, latent means) per slice
	// of picture work: small enough to stay within a frame's spare time in
	// wasm.
	vaeChunk = 32
	// vaeIWK importance samples per image score the test images: enough to
	// rank images, whose scores differ by tens to hundreds of nats, while
	// each refresh decodes only (256 + 8)·16 codes.
	vaeIWK = 16
	// vaeIWChunk images are scored per slice (vaeIWChunk·vaeIWK decodes).
	vaeIWChunk = 4
	// vaeOdd planted anomalies (colour negatives of test images) join the
	// scored test images, so the least-likely panel shows what a likelihood
	// is good for.
	vaeOdd = 8
	// vaeWorst least likely images are shown.
	vaeWorst = 8
)

// VAEScene trains a VAE live on images and shows test inputs beside their
// reconstructions, images decoded from prior draws (or, with a 2D latent,
// the decoded latent grid), the ELBO and its parts as curves, the test
// images' codes coloured by class, and the least likely test images by the
// importance-weighted bound.
type VAEScene struct {
	sceneBase
	run  *VAERun
	loss float64
	err  string
	rate rate
	seen int

	// picture state
	inputs, recon []float64
	priorZ        []float64
	samples       []float64
	manifold      []float64
	scored        *data.Images // test images, then the planted anomalies
	odd           int          // index of the first planted anomaly in scored
	pictureRNG    *rand.Rand
	// the refresh in progress: phase, cursor, and its results
	phase, cursor       int
	cycleStep           int
	rec, kl, scores     []float64
	codes               []float64
	testRec, testKL     float64
	shownCodes          []float64 // 2D points of the last complete cycle
	shownView           render.View
	worst, best         []int
	worstLP, bestLP     []float64
	haveCodes, haveIW   bool
	trainHist, testHist history
	recHist, klHist     history
	lastDst             image.Rectangle
}

// NewVAEScene builds the VAE scene c describes, on c.Dataset.
func NewVAEScene(c Config) (*VAEScene, error) {
	trainSet, testSet, err := VAEData(c.Dataset, vaeFruitSize, c.Seed)
	if err != nil {
		return nil, err
	}
	run, err := NewVAERun(c, nil, trainSet, testSet, c.Dataset)
	if err != nil {
		return nil, err
	}
	return newVAESceneOn(c, run), nil
}

// NewVAESceneOn builds the vae scene around run: a loaded model on images
// its host read itself (likelab render reads a model's own images, which
// the page may not have).
func NewVAESceneOn(c Config, run *VAERun) *VAEScene { return newVAESceneOn(c, run) }

func newVAESceneOn(c Config, run *VAERun) *VAEScene {
	s := &VAEScene{sceneBase: newSceneBase(c), run: run, loss: math.NaN(), testRec: math.NaN(), testKL: math.NaN(),
		pictureRNG: nn.NewRNG(c.Seed, streamVAEPicture)}
	v, test := run.Model, run.Test
	in, d := v.Spec.Input(), v.Spec.Latent
	s.inputs = slices.Clone(test.Pix[:min(vaeShow, test.N())*in])
	s.recon = make([]float64, len(s.inputs))
	s.priorZ = make([]float64, vaeSamples*d)
	for i := range s.priorZ {
		s.priorZ[i] = s.pictureRNG.NormFloat64()
	}
	s.samples = make([]float64, vaeSamples*in)
	if d == 2 {
		s.manifold = make([]float64, vaeManifold*vaeManifold*in)
	}
	s.scored = test.Subset(seq(test.N()))
	s.odd = s.scored.N()
	s.scored.Append(oddImages(test, vaeOdd))
	n := s.scored.N()
	s.rec, s.kl, s.scores = make([]float64, s.odd), make([]float64, s.odd), make([]float64, n)
	s.codes = make([]float64, s.odd*d)
	s.cycleStep = -1
	return s
}

// oddImages returns n planted anomalies: colour negatives of the first test
// images (for binary images, the negative of a digit, white on black turned
// black on white), labelled "negative".
func oddImages(test *data.Images, n int) *data.Images {
	n = min(n, test.N())
	out := test.Subset(seq(n))
	for i := range out.Pix {
		out.Pix[i] = 1 - out.Pix[i]
	}
	for i := range out.Labels {
		out.Labels[i] = 0
	}
	out.Classes = []string{"negative"}
	return out
}

// Run is the training run behind the scene.
func (s *VAEScene) Run() *VAERun { return s.run }

// SetView takes the view-only settings of c (speed, embed, …).
func (s *VAEScene) SetView(c Config) {
	s.setView(c)
	s.dirty = true
}

// Save returns the model files of the VAE, as `likelab train vae` writes.
func (s *VAEScene) Save() (config, weights []byte, err error) { return s.run.Save(s.cfg) }

// Step takes one training step; a divergence is rolled back by the trainer
// and reported in Status().Error.
func (s *VAEScene) Step() {
	s.seen++
	m, err := s.run.Trainer.Step()
	if err != nil {
		s.err = err.Error()
		return
	}
	s.loss = m.Loss
	o := s.run.Objective.Last
	// the −ELBO curve is Rec + KL at full weight, not the warm-up loss
	s.trainHist.add(float64(m.Step), o.Rec+o.KL)
}

// Work trains for about budget when playing, then refreshes the pictures
// for up to half that long (at least 2 ms, so a paused scene catches up).
func (s *VAEScene) Work(budget time.Duration) {
	now := s.train(budget, s.Step)
	s.rate.observe(now, s.seen)
	s.refresh(now.Add(max(budget/2, 2*time.Millisecond)))
}

// SetTrainingHistory replaces the training −ELBO curve (from a model's
// metrics.jsonl, say), so a picture of a loaded model shows how it trained.
func (s *VAEScene) SetTrainingHistory(steps, negELBO []float64) {
	s.trainHist = history{}
	for i := range steps {
		s.trainHist.add(steps[i], negELBO[i])
	}
	s.dirty = true
}

// Settle completes a refresh of every picture for the current parameters,
// for pictures rendered once (tests, the CLI).
func (s *VAEScene) Settle() {
	for s.cycleStep != s.run.Trainer.Steps() || s.phase != 0 {
		s.refresh(time.Now().Add(time.Hour))
	}
}

// refresh advances the picture work until the deadline. A cycle has three
// phases: the cheap pictures (reconstructions, samples, manifold) at once;
// the test images' ELBO and codes, vaeChunk at a time; their IWAE scores,
// vaeIWChunk at a time. Each phase's results are shown when it completes.
func (s *VAEScene) refresh(deadline time.Time) {
	v := s.run.Model
	in, d := v.Spec.Input(), v.Spec.Latent
	for {
		switch s.phase {
		case 0:
			step := s.run.Trainer.Steps()
			if s.cycleStep == step {
				return // the pictures show the current parameters
			}
			s.cycleStep = step
			v.Reconstruct(s.inputs, s.recon)
			v.DecodeMeans(s.priorZ, s.samples)
			if s.manifold != nil {
				v.DecodeMeans(manifoldCodes(vaeManifold), s.manifold)
			}
			s.phase, s.cursor, s.dirty = 1, 0, true
		case 1:
			i0 := s.cursor
			i1 := min(s.odd, i0+vaeChunk)
			x := s.scored.Pix[i0*in : i1*in]
			v.EvalELBO(x, s.pictureRNG, s.rec[i0:i1], s.kl[i0:i1])
			v.EncodeMeans(x, s.codes[i0*d:i1*d])
			s.cursor = i1
			if i1 == s.odd {
				s.testRec, s.testKL = mean(s.rec), mean(s.kl)
				s.testHist.add(float64(s.cycleStep), s.testRec+s.testKL)
				s.recHist.add(float64(s.cycleStep), s.testRec)
				s.klHist.add(float64(s.cycleStep), s.testKL)
				p := fitProjection(s.codes, d)
				s.shownCodes = p.apply(s.codes)
				x0, x1, y0, y1 := pointsView(s.shownCodes)
				s.shownView = render.View{X0: x0, X1: x1, Y0: y0, Y1: y1}
				s.haveCodes = true
				s.phase, s.cursor, s.dirty = 2, 0, true
			}
		case 2:
			n := s.scored.N()
			i0 := s.cursor
			i1 := min(n, i0+vaeIWChunk)
			v.EvalIWAE(s.scored.Pix[i0*in:i1*in], vaeIWK, s.pictureRNG, s.scores[i0:i1])
			s.cursor = i1
			if i1 == n {
				s.rank()
				s.haveIW = true
				s.phase, s.cursor, s.dirty = 0, 0, true
			}
		}
		if !time.Now().Before(deadline) {
			return
		}
	}
}

// rank picks the least and most likely scored images.
func (s *VAEScene) rank() {
	idx := seq(len(s.scores))
	slices.SortFunc(idx, func(a, b int) int {
		return cmpFloat(s.scores[a], s.scores[b])
	})
	k := min(vaeWorst, len(idx))
	s.worst = slices.Clone(idx[:k])
	s.best = slices.Clone(idx[len(idx)-k:])
	slices.Reverse(s.best)
	s.worstLP, s.bestLP = s.worstLP[:0], s.bestLP[:0]
	for i := range s.worst {
		s.worstLP = append(s.worstLP, s.scores[s.worst[i]])
		s.bestLP = append(s.bestLP, s.scores[s.best[i]])
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b || (math.IsNaN(a) && !math.IsNaN(b)):
		return -1
	case a > b || (math.IsNaN(b) && !math.IsNaN(a)):
		return 1
	}
	return 0
}

// manifoldCodes returns the codes of a side×side grid over the prior's
// quantiles 5% … 95% in each of two dimensions (Kingma & Welling 2014,
// fig. 4), top row first with z₂ decreasing, as a plot's y axis runs.
func manifoldCodes(side int) []float64 {
	z := make([]float64, 0, 2*side*side)
	for r := 0; r < side; r++ {
		for c := 0; c < side; c++ {
			z = append(z, normalQuantile(0.05+0.9*float64(c)/float64(side-1)),
				normalQuantile(0.95-0.9*float64(r)/float64(side-1)))
		}
	}
	return z
}

func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// Status reports progress; HeldOut is the test −ELBO per image (nats).
func (s *VAEScene) Status() Status {
	return Status{Scene: s.cfg.Scene, Step: s.run.Trainer.Steps(), Loss: s.loss, StepsPerSec: s.rate.value,
		Playing: s.playing, Error: s.err, HeldOut: s.testRec + s.testKL, Entropy: math.NaN()}
}

// TestELBO returns the parts of the test −ELBO at the last complete refresh
// (NaN before the first).
func (s *VAEScene) TestELBO() (rec, kl float64) { return s.testRec, s.testKL }

// LeastLikely returns the indices (into Scored) and IWAE log-likelihood
// estimates of the least likely scored images at the last complete refresh.
func (s *VAEScene) LeastLikely() ([]int, []float64) { return s.worst, s.worstLP }

// Scored returns the images the scene scores: the test images, then the
// planted anomalies from index Odd on.
func (s *VAEScene) Scored() (im *data.Images, odd int) { return s.scored, s.odd }

var (
	oddFrame = color.RGBA{255, 80, 80, 255}
	// panelBack is the latent codes' panel in both themes: the classes'
	// colours (a lemon's pale yellow among them) need a dark ground.
	panelBack = color.RGBA{28, 28, 36, 255}
)

// classLegend lists the classes with their colours in the top-left corner
// of a dark codes panel (panelBack), in the dark theme's text colour.
func classLegend(dst *image.RGBA, classes []string, l look) {
	r := dst.Bounds()
	f := l.font()
	for k, name := range classes {
		y := r.Min.Y + l.px(4) + k*f.Height()
		fill(dst.SubImage(image.Rect(r.Min.X+l.px(4), y+l.px(3), r.Min.X+l.px(11), y+l.px(10))).(*image.RGBA), classColor(classes, k))
		f.Draw(dst, r.Min.X+l.px(14), y, name, render.Dark.Text)
	}
}

// Draw renders the panels: reconstructions, samples (or the manifold), the
// latent codes on top; the curves and the least likely images below.
func (s *VAEScene) Draw(dst *image.RGBA) bool {
	b := dst.Bounds()
	if !s.dirty && b == s.lastDst {
		return false
	}
	s.dirty, s.lastDst = false, b
	l := s.look
	fill(dst, l.theme.Background)
	pad, label := l.px(12), l.px(18)
	if b.Dx() < l.px(200) || b.Dy() < l.px(160) {
		return true
	}
	topH := (b.Dy() - 3*pad - 2*label) * 11 / 20
	colW := (b.Dx() - 4*pad) / 3
	top := b.Min.Y + pad + label
	// (a) inputs over their reconstructions
	a := image.Rect(b.Min.X+pad, top, b.Min.X+pad+colW, top+topH)
	l.text(dst, a.Min.X, a.Min.Y-label+l.px(2), l.fit(colW, s.panelTitle("recon")))
	s.drawPanel(dst, a, "recon")
	// (b) prior samples, or the decoded 2D manifold
	bx := image.Rect(a.Max.X+pad, top, a.Max.X+pad+colW, top+topH)
	second := "samples"
	if s.manifold != nil {
		second = "manifold"
	}
	l.text(dst, bx.Min.X, bx.Min.Y-label+l.px(2), l.fit(colW, s.panelTitle(second)))
	s.drawPanel(dst, bx, second)
	// (c) latent codes of the test images, coloured by class
	side := min(colW, topH)
	cx := image.Rect(bx.Max.X+pad, top, bx.Max.X+pad+side, top+side)
	l.text(dst, cx.Min.X, cx.Min.Y-label+l.px(2), l.fit(b.Max.X-cx.Min.X, s.panelTitle("latent")))
	s.drawPanel(dst, cx, "latent")
	// (d) the ELBO curves
	bottom := top + topH + pad + label
	chartW := (b.Dx() - 3*pad) * 5 / 9
	chart := image.Rect(b.Min.X+pad, bottom-label, b.Min.X+pad+chartW, b.Max.Y-pad)
	if chart.Dy() > l.px(60) {
		render.LineChart(dst, chart, []render.Series{
			{Name: "train -ELBO", X: s.trainHist.x, Y: s.trainHist.y, Color: l.curve(0)},
			{Name: "test -ELBO", X: s.testHist.x, Y: s.testHist.y, Color: l.curve(1)},
			{Name: "test reconstruction -log p(x|z)", X: s.recHist.x, Y: s.recHist.y, Color: l.curve(2)},
			{Name: "test KL(q(z|x) || p(z))", X: s.klHist.x, Y: s.klHist.y, Color: l.curve(3)},
		}, l.chart("-ELBO = reconstruction + KL (nats per image)"))
	}
	// (e) least and most likely test images by the IWAE bound
	e := image.Rect(chart.Max.X+pad, bottom, b.Max.X-pad, b.Max.Y-pad)
	l.text(dst, e.Min.X, e.Min.Y-label+l.px(2), l.fit(e.Dx(), []string{
		fmt.Sprintf("least likely by IWAE (K=%d); red: planted negatives", vaeIWK), "least likely (IWAE)"}))
	if s.haveIW && e.Dx() > l.px(40) {
		cell := min((e.Dx()-3*6)/4, (e.Dy()-4*label)/4)
		s.drawRanked(dst, e.Min.X, e.Min.Y, cell, s.worst, s.worstLP)
		y := e.Min.Y + 2*(cell+label) + label
		l.text(dst, e.Min.X, y-label+l.px(2), "most likely")
		s.drawRanked(dst, e.Min.X, y, cell, s.best, s.bestLP)
	}
	// epochs from the step count, so a loaded model's count goes on
	status := fmt.Sprintf("step %d  epoch %.1f", s.run.Trainer.Steps(), float64(s.run.Trainer.Steps())/float64(s.run.Objective.StepsPerEpoch()))
	if !math.IsNaN(s.testRec) {
		status += fmt.Sprintf("  test -ELBO %.1f = %.1f + %.1f", s.testRec+s.testKL, s.testRec, s.testKL)
	}
	l.font().Draw(dst, b.Max.X-pad-l.font().Width(status), b.Min.Y+l.px(3), status, l.theme.DimText)
	return true
}

// VAEPanels lists the single panels the vae scene draws (DrawPanel) for a
// VAE of the given latent size: "recon" (test images over their
// reconstructions), "samples" (images decoded from prior draws), "latent"
// (the test images' codes coloured by class) and, for a 2D latent,
// "manifold" (the decoded latent grid).
func VAEPanels(latent int) []string {
	if latent == 2 {
		return []string{"recon", "samples", "latent", "manifold"}
	}
	return []string{"recon", "samples", "latent"}
}

// DrawPanel draws one of VAEPanels, titled, filling dst: a figure for a
// paper or a slide, drawn as the scene's picture draws it. It reports
// false, and draws nothing, for a name not in VAEPanels.
func (s *VAEScene) DrawPanel(dst *image.RGBA, name string) bool {
	if !slices.Contains(VAEPanels(s.run.Model.Spec.Latent), name) {
		return false
	}
	l := s.look
	b := dst.Bounds()
	fill(dst, l.theme.Background)
	pad, label := l.px(12), l.px(18)
	r := image.Rect(b.Min.X+pad, b.Min.Y+pad+label, b.Max.X-pad, b.Max.Y-pad)
	if name == "latent" {
		side := min(r.Dx(), r.Dy())
		r = image.Rect(r.Min.X, r.Min.Y, r.Min.X+side, r.Min.Y+side)
	}
	l.text(dst, r.Min.X, r.Min.Y-label+l.px(2), l.fit(b.Dx()-2*pad, s.panelTitle(name)))
	if !r.Empty() {
		s.drawPanel(dst, r, name)
	}
	return true
}

// panelTitle is the title of a panel, longest first (for look.fit).
func (s *VAEScene) panelTitle(name string) []string {
	switch name {
	case "recon":
		return []string{"test images (odd rows), reconstructions (even)", "inputs / reconstructions"}
	case "samples":
		return []string{"samples: decoded z ~ N(0, I)", "samples"}
	case "manifold":
		return []string{"decoded latent grid (prior quantiles 5-95%)", "latent manifold"}
	}
	what := "codes"
	if s.run.Model.Spec.Latent > 2 {
		what = "codes, 2 principal axes"
	}
	return []string{"test " + what + fmt.Sprintf(" (latent %d)", s.run.Model.Spec.Latent), what}
}

// drawPanel draws the named panel's content into r of dst.
func (s *VAEScene) drawPanel(dst *image.RGBA, r image.Rectangle, name string) {
	v, l := s.run.Model, s.look
	w, h, ch := v.Spec.Width, v.Spec.Height, v.Spec.Channels
	switch name {
	case "recon":
		gap := l.px(4)
		cell := min((r.Dx()-3*gap)/4, (r.Dy()-6*l.px(1))/4)
		for k := 0; k < 2; k++ {
			y := r.Min.Y + k*(2*cell+l.px(6))
			imageRow(dst, r.Min.X, y, cell, gap, s.inputs[k*4*v.Spec.Input():], 4, w, h, ch)
			imageRow(dst, r.Min.X, y+cell+l.px(2), cell, gap, s.recon[k*4*v.Spec.Input():], 4, w, h, ch)
		}
	case "samples":
		imageGrid(dst, r, s.samples, 4, w, h, ch, l.px(4))
	case "manifold":
		imageGrid(dst, r, s.manifold, vaeManifold, w, h, ch, 0)
	case "latent":
		fill(dst.SubImage(r).(*image.RGBA), panelBack)
		if s.haveCodes {
			s.drawCodes(dst.SubImage(r).(*image.RGBA))
		}
	}
}

// drawRanked draws 8 scored images in two rows of four with their log p.
func (s *VAEScene) drawRanked(dst *image.RGBA, x, y, cell int, idx []int, lp []float64) {
	v := s.run.Model
	w, h, ch := v.Spec.Width, v.Spec.Height, v.Spec.Channels
	l := s.look
	gap := l.px(6)
	for i, k := range idx {
		p := image.Pt(x+(i%4)*(cell+gap), y+(i/4)*(cell+l.font().Height()+l.px(4)))
		r := image.Rectangle{Min: p, Max: p.Add(image.Pt(cell, cell))}
		drawPixels(dst, r, s.scored.Image(k), w, h, ch)
		if k >= s.odd {
			frame(dst, r, oddFrame, l.px(2))
		}
		l.font().Draw(dst, r.Min.X, r.Max.Y+l.px(1), fmt.Sprintf("%.0f", lp[i]), l.theme.DimText)
	}
}

// drawCodes scatters the test codes, a colour per class, with a legend.
func (s *VAEScene) drawCodes(dst *image.RGBA) {
	test := s.run.Test
	pts := make([]float64, 0, len(s.shownCodes))
	for k := range test.Classes {
		pts = pts[:0]
		for i := 0; i < s.odd; i++ {
			if test.Labels == nil || test.Labels[i] == k {
				pts = append(pts, s.shownCodes[2*i], s.shownCodes[2*i+1])
			}
		}
		render.Scatter(dst, s.shownView, pts, classColor(test.Classes, k), s.look.pxf(2))
	}
	classLegend(dst, test.Classes, s.look)
}

// vaeRunFromModel builds a run around a loaded model, on the images of
// dataset (fruits at the model's image size).
func vaeRunFromModel(c Config, v *vae.VAE, dataset string) (*VAERun, error) {
	size := vaeFruitSize
	if dataset == "fruits" {
		size = v.Spec.Width
	}
	trainSet, testSet, err := VAEData(dataset, size, c.Seed)
	if err != nil {
		return nil, err
	}
	return NewVAERun(c, v, trainSet, testSet, dataset)
}
