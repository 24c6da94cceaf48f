package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"

	"likelab/core/data"
	"likelab/core/lab"
	"likelab/core/train"
	"likelab/render"
)

func init() {
	commands = append(commands, command{"render", "draw a trained model as a PNG, as the page shows it (flow, fm, is, vae)", runRender})
}

// renderTestImages test images are shown and scored in a VAE's picture: the
// page's vae scene keeps as many (lab's vaeTestImages), so the CLI draws
// what the page draws.
const renderTestImages = 256

func runRender(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("render", "render --model DIR --out FILE.png [--view VIEW] [--theme dark|light] [--scale 1|2] [--layer K] [--t T] [--data DATA]", stderr)
	dir := fs.String("model", "", "trained model directory (required)")
	out := fs.String("out", "", "PNG file to write (required)")
	view := fs.String("view", "", "what to draw; flow: density (default), layers, scene (is scene for a reverse-KL flow); "+
		"fm: density (default) or scene; vae: scene (default), recon, samples, latent, manifold (latent 2)")
	layer := fs.Int("layer", -1, "flow layers view: show the base after K layers beside the target; -1 draws every layer side by side")
	t := fs.Float64("t", 1, "fm: flow time of the particles, 0 (base) … 1 (data)")
	dataArg := fs.String("data", "", "data to draw the model with (default: what it was trained on, if it can be found): "+
		"a 2D target NAME|points.csv, or a VAE's images as for train vae --data")
	theme := fs.String("theme", "dark", "colours: dark or light")
	scale := fs.Int("scale", 1, "device pixels per layout pixel: 2 draws the same picture twice as large and sharp (HiDPI, print)")
	width := fs.Int("width", 1200, "picture width in layout pixels (a VAE's single panel: 600)")
	height := fs.Int("height", 0, "picture height in layout pixels (default: to suit the view)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		return usagef("--model DIR and --out FILE.png are required")
	}
	if *theme != "dark" && *theme != "light" {
		return usagef("--theme %q is not dark or light", *theme)
	}
	for _, err := range []error{intIn("scale", *scale, 1, lab.MaxScale), intIn("width", *width, 64, 8192), floatIn("t", *t, 0, 1)} {
		if err != nil {
			return err
		}
	}
	if err := intIn("height", *height, 64, 8192); err != nil && heightSet(fs) {
		return err
	}
	config, err := os.ReadFile(filepath.Join(*dir, lab.ConfigFile))
	if err != nil {
		return usageError{err.Error()}
	}
	weights, err := os.ReadFile(filepath.Join(*dir, lab.WeightsFile))
	if err != nil {
		return usageError{err.Error()}
	}
	mc, err := lab.ReadModelConfig(config)
	if err != nil {
		return usageError{err.Error()}
	}
	views, only := renderViews(mc)
	if *view == "" {
		*view = views[0]
	}
	if !slices.Contains(views, *view) {
		return usagef("--view %q is not one of %v for %s", *view, views, familyNoun[mc.Family])
	}
	for name, family := range only {
		if flagSet(fs, name) && mc.Family != family {
			return usagef("--%s is for %s; this model is %s", name, familyNoun[family], familyNoun[mc.Family])
		}
	}

	c := lab.Default()
	c.Autoplay, c.Theme = false, *theme
	r := renderer{view: *view, width: *width, height: *height}
	if mc.Family == "vae" && *view != "scene" && !flagSet(fs, "width") {
		r.width = 600 // a single panel: a figure's size, its text legible when scaled down to a column
	}
	switch {
	case mc.Family == "vae":
		err = r.vae(c, *dataArg, mc, config, weights, *dir)
	case mc.Family == "flow" && (*view != "scene" || mc.Train.Objective != "reverse-kl"):
		if *view == "scene" {
			*view, r.view = "density", "density"
		}
		c.View, c.Layer = *view, max(*layer, -1)
		err = r.flow(c, *dataArg, *layer, heightSet(fs), mc, config, weights, *dir, stderr)
	case mc.Family == "flow":
		err = r.scene(lab.Load(c, config, weights))
	case mc.Family == "fm":
		target, terr := renderTarget(*dataArg, mc, stderr)
		if terr != nil {
			return terr
		}
		c.T = *t
		err = r.scene(lab.LoadOn(c, target, config, weights))
	default:
		return usagef("%s describes a %q model, which render does not draw", lab.ConfigFile, mc.Family)
	}
	if err != nil {
		return err
	}
	if steps, losses, err := readMetrics(filepath.Join(*dir, lab.MetricsFile), mc.Family == "vae"); err == nil {
		if h, ok := r.s.(interface{ SetTrainingHistory(steps, losses []float64) }); ok {
			h.SetTrainingHistory(steps, losses)
		}
	}
	if lk, ok := r.s.(lab.Looker); ok {
		lk.SetLook(*scale, *theme)
	}
	if fm, ok := r.s.(*lab.FMScene); ok {
		fm.SetKeyHints(false)
	}
	r.s.(interface{ Settle() }).Settle()
	r.height = min(r.height, 8192)
	img := image.NewRGBA(image.Rect(0, 0, r.width**scale, r.height**scale))
	r.draw(img)
	var buf bytes.Buffer
	if err := render.EncodePNG(&buf, img); err != nil {
		return err
	}
	return train.WriteFileAtomic(*out, buf.Bytes())
}

// renderViews returns the views of a model's family, its default first,
// and which flags belong to one family only.
func renderViews(mc lab.ModelConfig) (views []string, only map[string]string) {
	only = map[string]string{"layer": "flow", "t": "fm"}
	switch mc.Family {
	case "flow":
		return []string{"density", "layers", "scene"}, only
	case "fm":
		return []string{"density", "scene"}, only
	case "vae":
		latent := 0
		if mc.VAE != nil {
			latent = mc.VAE.Latent
		}
		return append([]string{"scene"}, lab.VAEPanels(latent)...), only
	}
	return []string{"scene"}, only
}

// familyNoun names a model of each family in a message.
var familyNoun = map[string]string{"flow": "a flow", "fm": "a flow-matching model", "vae": "a VAE"}

// renderer is a scene on its way to a picture: the view drawn and the
// picture's size in layout pixels.
type renderer struct {
	s             lab.Scene
	view          string
	width, height int
	layers        bool // the flow's layers side by side (DrawLayers)
}

// scene takes a scene from lab.Load or LoadOn, a bad model as bad input.
func (r *renderer) scene(s lab.Scene, _ lab.Config, err error) error {
	if err != nil {
		return usageError{err.Error()}
	}
	r.s = s
	if r.height == 0 {
		r.height = r.width * 5 / 9
	}
	return nil
}

// flow builds the flow scene around a 2D flow, however it was trained.
func (r *renderer) flow(c lab.Config, dataArg string, layer int, heightSet bool, mc lab.ModelConfig, config, weights []byte, dir string, stderr io.Writer) error {
	target, err := renderTarget(dataArg, mc, stderr)
	if err != nil {
		return err
	}
	fsc, _, err := lab.LoadFlowScene(c, target, config, weights)
	if err != nil {
		return usagef("--model %s: %v", dir, err)
	}
	if err := intIn("layer", layer, -1, fsc.Run().Spec.Layers); err != nil {
		return err
	}
	r.s = fsc
	r.layers = r.view == "layers" && layer < 0
	switch {
	case r.layers && !heightSet:
		// one row of square panels, one per layer and the base
		n := fsc.Run().Spec.Layers + 1
		r.height = max(64, (r.width-8*(n+1))/n+2*8+18)
	case r.height == 0:
		r.height = r.width * 5 / 9
	}
	return nil
}

// renderTarget is the 2D target a flow or fm model is drawn beside: --data,
// else the one it was trained on, else (with a note) the talk's.
func renderTarget(dataArg string, mc lab.ModelConfig, stderr io.Writer) (data.Target, error) {
	name := dataArg
	if name == "" {
		name = mc.Train.Data
	}
	target, err := loadTarget(name)
	if err != nil {
		if dataArg != "" {
			return nil, usageError{err.Error()}
		}
		// the training data is gone (a CSV elsewhere): draw beside the talk's target
		fmt.Fprintf(stderr, "note: %v; drawing beside double-gaussian (use --data)\n", err)
		target, _ = data.Lookup("double-gaussian")
	}
	return target, nil
}

// vae builds the vae scene around a saved VAE on its own images: the page's
// (fruits, MNIST's first test images) where it trained on those, else read
// as `likelab train vae --data` reads them. Unlike the page's Load, any VAE
// is drawn, whatever its hidden layers.
func (r *renderer) vae(c lab.Config, dataArg string, mc lab.ModelConfig, config, weights []byte, dir string) error {
	v, mc, err := lab.VAEFile.Decode(config, weights)
	if err != nil {
		return usagef("--model %s: %v", dir, err)
	}
	arg := dataArg
	if arg == "" {
		arg = mc.Train.Data
	}
	sp := v.Spec
	c.Scene, c.Latent, c.Posterior, c.Hidden = "vae", sp.Latent, sp.Posterior, sp.Hidden[0]
	var trainSet, testSet *data.Images
	if arg == "fruits" {
		trainSet, testSet, err = lab.VAEData(arg, sp.Width, c.Seed)
	} else {
		trainSet, testSet, err = loadVAEData(arg, sp.Width, testFruits, c.Seed)
		if err == nil && testSet.N() > renderTestImages {
			testSet = testSet.Subset(seqN(renderTestImages))
		}
		if err == nil && sp.Likelihood == "bernoulli" {
			testSet = testSet.Binarized(testBinarizeSeed) // as train vae and eval test it
		}
	}
	if err != nil {
		return usagef("the VAE's images %q cannot be read (%v); name them with --data as for train vae", arg, err)
	}
	run, err := lab.NewVAERun(c, v, trainSet, testSet, arg)
	if err != nil {
		if errors.Is(err, lab.ErrModel) {
			return usagef("--model %s: %v", dir, err)
		}
		return err
	}
	run.Trainer.Resume(mc.Train.Steps)
	if b := mc.Train.Batch; b > 0 && b <= trainSet.N() {
		// the picture's epoch counts the model's own batches (the page caps
		// its batch at 64); render takes no training step with it
		run.Objective.Batch = b
	}
	r.s = lab.NewVAESceneOn(c, run)
	if r.height == 0 {
		r.height = r.width * 5 / 9
		if r.view != "scene" {
			r.height = r.width + 18 // a square panel under its title
		}
	}
	return nil
}

// draw renders the view into img.
func (r *renderer) draw(img *image.RGBA) {
	switch s := r.s.(type) {
	case *lab.FlowScene:
		if r.layers {
			s.DrawLayers(img)
			return
		}
	case *lab.VAEScene:
		if r.view != "scene" {
			s.DrawPanel(img, r.view)
			return
		}
	}
	r.s.Draw(img)
}

func seqN(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func heightSet(fs *flag.FlagSet) bool { return flagSet(fs, "height") }

// flagSet reports whether the named flag was given.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// readMetrics reads the step and loss of each line of metrics.jsonl; for a
// VAE (negELBO) the loss is the −ELBO at full KL weight, rec + kl, which
// the vae scene's curve shows, rather than the warm-up's weighted loss.
func readMetrics(path string, negELBO bool) (steps, losses []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, 64<<20))
	for {
		var m struct {
			train.Metrics
			Rec *float64 `json:"rec"`
			KL  *float64 `json:"kl"`
		}
		if err := dec.Decode(&m); err != nil {
			if err == io.EOF {
				return steps, losses, nil
			}
			return steps, losses, err
		}
		loss := m.Loss
		if negELBO && m.Rec != nil && m.KL != nil {
			loss = *m.Rec + *m.KL
		}
		steps = append(steps, float64(m.Step))
		losses = append(losses, loss)
	}
}
