package lab

import (
	"errors"
	"fmt"
	"strings"

	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
)

// Saver is a scene whose model can be saved as the CLI's model files.
type Saver interface {
	// Save returns config.json and model.safetensors of the current model.
	Save() (config, weights []byte, err error)
}

// Save returns the flow scene's model files, the same as `likelab train
// flow` writes.
func (s *FlowScene) Save() (config, weights []byte, err error) {
	info := TrainInfo{Data: s.cfg.Data, Steps: s.run.Trainer.Steps(), Batch: s.cfg.Batch, LR: s.cfg.LR, Seed: s.cfg.Seed}
	return FlowFile.Encode(s.run.Spec, s.run.Flow, info)
}

// Load builds a scene from saved model files (from the page or the CLI),
// keeping c's data and page settings and taking the architecture from the
// model: a 2D flow trained by maximum likelihood opens the flow scene, one
// trained by reverse KL to an energy the is scene, a flow-matching model
// the fm scene and a VAE the vae scene (or the morph scene when c shows
// it) on the images it was trained on, when they are here (see LoadWith
// for a page holding a user's images). The returned Config describes the
// new scene, and training resumes
// from the saved step. Nothing is built unless the files are whole, agree
// with each other and fit the page's settings, so a bad file never replaces
// a working scene.
func Load(c Config, config, weights []byte) (Scene, Config, error) {
	return LoadOn(c, nil, config, weights)
}

// LoadOn is Load on a given target (points from a file, say) instead of the
// one c names; a nil target means c's.
func LoadOn(c Config, target data.Target, config, weights []byte) (Scene, Config, error) {
	mc, err := decodeHeader(config)
	if err != nil {
		return nil, c, err
	}
	fam, ok := families[mc.Family]
	if !ok {
		return nil, c, fmt.Errorf("%w: %s describes a %q model, which no scene shows", ErrModel, ConfigFile, mc.Family)
	}
	return fam.scene(c, target, config, weights)
}

// loadFlow builds the flow scene, or the is scene for a flow trained by
// reverse KL, around a saved 2D flow.
func loadFlow(c Config, target data.Target, config, weights []byte) (Scene, Config, error) {
	f, mc, err := FlowFile.Decode(config, weights)
	if err != nil {
		return nil, c, err
	}
	if mc.Train.Objective != "reverse-kl" {
		s, c, err := flowSceneOf(c, target, f, mc)
		if err != nil {
			return nil, c, err
		}
		return s, c, nil
	}
	if err := flat(mc.Flow.Dim); err != nil {
		return nil, c, err
	}
	c.Scene, c.Energy = "is", strings.TrimPrefix(mc.Train.Energy, "energy:")
	c.Model, c.Layers, c.Hidden = mc.Flow.Model, mc.Flow.Layers, mc.Flow.Hidden
	if err := pageShows(c); err != nil {
		return nil, c, err
	}
	s, err := NewISScene(c)
	if err != nil {
		return nil, c, err
	}
	return adopted(s, c, s.run.Trainer, f.Params(), mc.Train.Steps)
}

// LoadFlowScene builds the flow scene on target (nil for the one c names)
// around a saved 2D flow, however it was trained: `likelab render` draws a
// flow trained by reverse KL beside its energy this way. Otherwise it is
// Load for flows.
func LoadFlowScene(c Config, target data.Target, config, weights []byte) (*FlowScene, Config, error) {
	f, mc, err := FlowFile.Decode(config, weights)
	if err != nil {
		return nil, c, err
	}
	return flowSceneOf(c, target, f, mc)
}

// flowSceneOf builds the flow scene around the decoded flow f.
func flowSceneOf(c Config, target data.Target, f *flow.Flow, mc ModelConfig) (*FlowScene, Config, error) {
	if err := flat(mc.Flow.Dim); err != nil {
		return nil, c, err
	}
	c.Scene, c.Model, c.Layers, c.Hidden = "flow", mc.Flow.Model, mc.Flow.Layers, mc.Flow.Hidden
	if err := pageShows(c); err != nil {
		return nil, c, err
	}
	target, err := pageTarget(c, target)
	if err != nil {
		return nil, c, err
	}
	s, err := NewFlowSceneOn(c, target)
	if err != nil {
		return nil, c, err
	}
	if _, _, err := adopted(s, c, s.run.Trainer, f.Params(), mc.Train.Steps); err != nil {
		return nil, c, err
	}
	return s, c, nil
}

// loadFM builds the fm scene around a saved 2D velocity network. The scene
// takes the network's whole spec: activation, Fourier features and time
// skew have no page setting.
func loadFM(c Config, target data.Target, config, weights []byte) (Scene, Config, error) {
	m, mc, err := FMFile.Decode(config, weights)
	if err != nil {
		return nil, c, err
	}
	sp := m.Spec
	if err := flat(sp.Dim); err != nil {
		return nil, c, err
	}
	c.Scene, c.Hidden, c.Depth, c.Std, c.OT, c.Solver, c.NFE = "fm", sp.Hidden, sp.Layers, sp.Std, sp.OT, sp.Solver, sp.NFE
	if err := pageShows(c); err != nil {
		return nil, c, err
	}
	if target, err = pageTarget(c, target); err != nil {
		return nil, c, err
	}
	s, err := newFMScene(c, sp, target)
	if err != nil {
		return nil, c, err
	}
	return adopted(s, c, s.run.Trainer, m.Params(), mc.Train.Steps)
}

// loadVAE is a family's scene loader for VAEs: the images come from the
// model's data, not the page's 2D target (see LoadWith).
func loadVAE(c Config, _ data.Target, config, weights []byte) (Scene, Config, error) {
	return vaeOn(c, nil, config, weights)
}

// ErrNeedImages is the error of loading a VAE whose images the page does not
// have: MNIST in a browser, .npy files, a folder of pictures, a user's files.
var ErrNeedImages = errors.New("pick its images together with config.json and model.safetensors, or pick the images first")

// LoadWith is Load on a page that holds a user's image set (nil when it
// holds none; see NewOn). A VAE is shown on the images it was trained on
// when the page has them — the fruits, or MNIST natively — else on set when
// set's images have the model's shape. A VAE whose images are not here is
// refused with ErrNeedImages, in a message that says which images it takes.
func LoadWith(c Config, set *ImageSet, config, weights []byte) (Scene, Config, error) {
	if mc, err := decodeHeader(config); err == nil && mc.Family == VAEFile.family {
		return vaeOn(c, set, config, weights)
	}
	return Load(c, config, weights)
}

// vaeOn builds the vae or morph scene around a saved VAE, on its own images
// when the page has them, else on set (nil for none) when it fits.
func vaeOn(c Config, set *ImageSet, config, weights []byte) (Scene, Config, error) {
	v, mc, err := VAEFile.Decode(config, weights)
	if err != nil {
		return nil, c, err
	}
	sp := v.Spec
	switch {
	case ownImages(mc.Train.Data, sp):
		return LoadVAE(c, config, weights)
	case set != nil && fits(sp, set.Train):
		return LoadOnImages(c, set, config, weights)
	}
	trained := "this VAE was trained on " + imagesOf(sp.Width, sp.Height, sp.Channels)
	if d := shortData(mc.Train.Data); d != "" {
		trained += " (" + d + ")"
	}
	if set != nil {
		trained += fmt.Sprintf(", and the images you gave (%s) are %s", set.Source, imagesOf(set.Train.W, set.Train.H, set.Train.C))
	}
	switch {
	case sp.Channels == 1 && max(sp.Width, sp.Height) > MaxImageSetSide:
		return nil, c, fmt.Errorf("%s; the page learns images of up to %d×%d: show it with likelab render", trained, MaxImageSetSide, MaxImageSetSide)
	case sp.Channels != 1 && (sp.Width != ImageSetSide || sp.Height != ImageSetSide):
		return nil, c, fmt.Errorf("%s; the page reads pictures at %d×%d: show it with likelab render", trained, ImageSetSide, ImageSetSide)
	}
	return nil, c, fmt.Errorf("%s: %w", trained, ErrNeedImages)
}

// LoadOnImages builds the vae scene (or the morph scene, when c names it)
// on a user's image set around a saved VAE, resuming from the saved step;
// the returned Config describes the new scene (dataset FilesDataset, as
// NewSceneOnImages). Nothing is built unless the files hold a VAE whose
// images have the set's shape.
func LoadOnImages(c Config, set *ImageSet, config, weights []byte) (Scene, Config, error) {
	if set == nil {
		panic("lab: LoadOnImages without an image set")
	}
	if mc, err := decodeHeader(config); err == nil && mc.Family != VAEFile.family {
		return nil, c, fmt.Errorf("%w: %s describes a %q model; images go with a VAE", ErrModel, ConfigFile, mc.Family)
	}
	v, mc, err := VAEFile.Decode(config, weights)
	if err != nil {
		return nil, c, err
	}
	sp := v.Spec
	if !fits(sp, set.Train) {
		return nil, c, fmt.Errorf("%w: this VAE takes %s; %s are %s", ErrModel,
			imagesOf(sp.Width, sp.Height, sp.Channels), set.Source, imagesOf(set.Train.W, set.Train.H, set.Train.C))
	}
	if c, err = vaeConfig(c, sp); err != nil {
		return nil, c, err
	}
	if c, err = onImages(c, set); err != nil {
		return nil, c, err
	}
	s, err := sceneOnImages(c, set, v, mc.Train.Steps)
	if err != nil {
		return nil, c, err
	}
	return s, c, nil
}

// ownImages reports whether the page has the images a VAE of spec sp was
// trained on, by the data its file records (as LoadVAE reads them): the
// fruits, or MNIST where its files are found (natively, never in a
// browser). A file that records no data is taken for a fruit model in
// colour and an MNIST one in grey, as LoadVAE takes it.
func ownImages(name string, sp vae.Spec) bool {
	mnist := func() bool {
		_, err := data.FindGoMNIST("")
		return sp.Channels == 1 && err == nil
	}
	switch {
	case name == "fruits":
		return true
	case name == "":
		return sp.Channels == 3 || mnist()
	case name == "mnist" || strings.HasPrefix(name, "mnist:"):
		return mnist()
	}
	return false
}

// fits reports whether a VAE of spec sp takes the images of im.
func fits(sp vae.Spec, im *data.Images) bool {
	return sp.Width == im.W && sp.Height == im.H && sp.Channels == im.C
}

// imagesOf describes images of a shape for a message: "28×28 grey images".
func imagesOf(w, h, ch int) string {
	switch ch {
	case 1:
		return fmt.Sprintf("%d×%d grey images", w, h)
	case 3:
		return fmt.Sprintf("%d×%d colour images", w, h)
	}
	return fmt.Sprintf("%d×%d images of %d channels", w, h, ch)
}

// shortData is a model's recorded data for a message, a long path cut to
// its last part (npy:/home/me/quickdraw/cat.npy is npy:…/cat.npy).
func shortData(name string) string {
	const long = 40 // characters: a message stays one line
	if len(name) <= long {
		return name
	}
	if i := strings.LastIndexAny(name, "/\\"); i >= 0 {
		head := name[:strings.IndexByte(name, ':')+1]
		return head + "…" + name[i:]
	}
	return name[:long] + "…"
}

// flat reports, as a bad-model error, a model of other than 2D points: the
// 2D scenes draw densities on the plane.
func flat(dim int) error {
	if dim != 2 {
		return fmt.Errorf("%w: the model is %d-dimensional; the page shows 2D models", ErrModel, dim)
	}
	return nil
}

// pageShows reports, as a bad-model error, why the page cannot show the
// scene c describes.
func pageShows(c Config) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w: the page cannot show this model: %v", ErrModel, err)
	}
	return nil
}

// pageTarget returns target, or the one c names when it is nil.
func pageTarget(c Config, target data.Target) (data.Target, error) {
	if target != nil {
		return target, nil
	}
	return data.Lookup(c.Data)
}

// adopted gives the new scene s (whose trainer is tr) the loaded parameters
// src and resumes its step count. s was built from the file's spec, so the
// shapes agree unless a spec field has no page setting (an nsf flow's bins,
// say): that is refused rather than half-copied, and nothing is returned.
func adopted(s Scene, c Config, tr *train.Trainer, src []*nn.Param, steps int) (Scene, Config, error) {
	dst := tr.Params
	if len(dst) != len(src) {
		return nil, c, fmt.Errorf("%w: the page's model has %d parameter tensors, the file's %d", ErrModel, len(dst), len(src))
	}
	for i := range dst {
		if dst[i].Name != src[i].Name || len(dst[i].Val) != len(src[i].Val) {
			return nil, c, fmt.Errorf("%w: the page builds %s of %d values where the file has %s of %d", ErrModel,
				dst[i].Name, len(dst[i].Val), src[i].Name, len(src[i].Val))
		}
	}
	nn.CopyValues(dst, src)
	tr.Resume(steps)
	return s, c, nil
}
