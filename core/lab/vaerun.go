package lab

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"likelab/core/data"
	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
)

// The vae and morph scenes' choices, for the property table.
var (
	// PosteriorNames are the VAE posteriors (vae.Posteriors).
	PosteriorNames = slices.Clone(vae.Posteriors)
	// DatasetNames are the image sets the VAE scenes learn: the procedural
	// fruits, MNIST where its files can be found (natively, in the Go
	// module cache; see data.FindGoMNIST), or the user's own files
	// (FilesDataset, see NewOn).
	DatasetNames = []string{"fruits", "mnist", FilesDataset}
	// PathNames are the morph scene's latent paths.
	PathNames = []string{"linear", "slerp", "flow"}
	// ClassNames are the classes a morph can start or end at: the fruits,
	// then MNIST's digits.
	ClassNames = append(slices.Clone(data.FruitKinds), "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
)

func init() { SceneNames = append(SceneNames, "vae", "morph") }

// Sizes of the VAE scenes' data. 3000 training fruits (500 of each kind)
// draw in well under a second natively and a few in wasm, and are enough
// for a VAE of the scene's size not to overfit in a live session; 256 test
// images give the test ELBO to about a nat and a half (standard error of
// the mean of per-image −ELBO on the fruits).
const (
	vaeFruits     = 3000
	vaeTestImages = 256
	// vaeMaxBatch caps the minibatch: 64 images is a VAE's usual batch, and
	// the page's default of 256 (sized for 2D flows) would make each step of
	// a 3072-pixel VAE four times slower for little gain.
	vaeMaxBatch  = 64
	vaeFruitSize = 32
	// vaeWarmUp steps of KL warm-up let the decoder use the code before
	// the KL term pulls it to the prior (the CLI's --warmup, here fixed).
	vaeWarmUp = 200
	// vaeClipNorm clips only blow-ups: the loss is a sum over thousands of
	// pixel values, so healthy gradient norms reach the thousands (as in
	// `likelab train vae`).
	vaeClipNorm = 1e4
)

// Fixed seeds of held-out data, so test numbers compare across runs.
const (
	vaeTestSeed      = 1<<62 + 0xf // the CLI's test fruits (cmd/likelab testFruitSeed)
	vaeBinarizeSeed  = 0x7e57      // the CLI's test binarisation
	streamVAEPicture = streamHeldOut + 16
)

// VAERun wires a VAE, its images and a trainer together: the vae and morph
// scenes both train through it.
type VAERun struct {
	Model     *vae.VAE
	Train     *data.Images
	Test      *data.Images
	Objective *vae.Objective
	Trainer   *train.Trainer
	// Dataset names the images ("fruits", "mnist").
	Dataset string
}

// VAEData returns the training and test images of a dataset name, fruits
// drawn at side size. MNIST is read from the Go module cache, so it is
// found natively only; its first vaeTestImages test images are kept.
func VAEData(name string, size int, seed uint64) (trainSet, testSet *data.Images, err error) {
	switch name {
	case "fruits":
		if trainSet, err = data.Fruits(vaeFruits, data.FruitOptions{Size: size, Seed: seed}); err != nil {
			return nil, nil, err
		}
		testSet, err = data.Fruits(vaeTestImages, data.FruitOptions{Size: size, Seed: vaeTestSeed})
		return trainSet, testSet, err
	case "mnist":
		dir, err := data.FindGoMNIST("")
		if err != nil {
			return nil, nil, fmt.Errorf("MNIST is not available here (%v); use the fruits, or train natively with likelab train vae --data mnist", err)
		}
		if trainSet, err = data.LoadMNIST(dir, "train"); err != nil {
			return nil, nil, err
		}
		all, err := data.LoadMNIST(dir, "t10k")
		if err != nil {
			return nil, nil, err
		}
		testSet = all.Subset(seq(vaeTestImages)).Binarized(vaeBinarizeSeed)
		return trainSet, testSet, nil
	case FilesDataset:
		return nil, nil, ErrNeedFiles
	}
	return nil, nil, fmt.Errorf("dataset %q is not one of %v", name, DatasetNames)
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// vaeSpec is the VAE a Config describes for images of the given shape: one
// hidden layer of c.Hidden units, a Bernoulli likelihood for grey images
// and a Gaussian one with a learned σ for colour.
func vaeSpec(c Config, w, h, ch int) vae.Spec {
	lik := "gaussian"
	if ch == 1 {
		lik = "bernoulli"
	}
	return vae.Spec{Width: w, Height: h, Channels: ch, Latent: c.Latent, Hidden: []int{c.Hidden},
		Likelihood: lik, Posterior: c.Posterior}.WithDefaults()
}

// NewVAERun builds the VAE c describes on the images, initialised from
// c.Seed, or around model when it is not nil (a loaded model).
func NewVAERun(c Config, model *vae.VAE, trainSet, testSet *data.Images, dataset string) (*VAERun, error) {
	if model == nil {
		var err error
		if model, err = vae.New(vaeSpec(c, trainSet.W, trainSet.H, trainSet.C), nn.NewRNG(c.Seed, streamInit)); err != nil {
			return nil, err
		}
		model.SetOutputBias(trainSet.Mean())
	}
	if s := model.Spec; s.Width != trainSet.W || s.Height != trainSet.H || s.Channels != trainSet.C {
		return nil, fmt.Errorf("%w: the model takes %d×%d×%d images, %s are %d×%d×%d", ErrModel,
			s.Width, s.Height, s.Channels, dataset, trainSet.W, trainSet.H, trainSet.C)
	}
	batch := min(c.Batch, vaeMaxBatch, trainSet.N())
	obj := vae.NewObjective(model, trainSet.Pix, batch, nn.NewRNG(c.Seed, streamData))
	obj.Binarize = model.Spec.Likelihood == "bernoulli"
	obj.WarmUp = vaeWarmUp
	tr := train.New(model.Params(), obj.Loss, c.LR)
	tr.ClipNorm = vaeClipNorm
	return &VAERun{Model: model, Train: trainSet, Test: testSet, Objective: obj, Trainer: tr, Dataset: dataset}, nil
}

// Save returns the run's model files, as `likelab train vae` writes them.
func (r *VAERun) Save(c Config) (config, weights []byte, err error) {
	info := TrainInfo{Data: r.Dataset, Steps: r.Trainer.Steps(), Batch: r.Objective.Batch, LR: c.LR, Seed: c.Seed}
	return VAEFile.Encode(r.Model.Spec, r.Model, info)
}

// ClassMeans returns the mean code of each class of im (EncodeMeans
// averaged over its images), classes in im.Classes order, and the codes of
// every image.
func ClassMeans(v *vae.VAE, im *data.Images) (means [][]float64, codes []float64) {
	d := v.Spec.Latent
	codes = make([]float64, im.N()*d)
	v.EncodeMeans(im.Pix, codes)
	means = make([][]float64, len(im.Classes))
	counts := make([]int, len(im.Classes))
	for k := range means {
		means[k] = make([]float64, d)
	}
	for i := 0; i < im.N(); i++ {
		k := 0
		if im.Labels != nil {
			k = im.Labels[i]
		}
		counts[k]++
		for j := 0; j < d; j++ {
			means[k][j] += codes[i*d+j]
		}
	}
	for k := range means {
		for j := range means[k] {
			means[k][j] /= float64(max(counts[k], 1))
		}
	}
	return means, codes
}

// ClassEnds returns a morph's end code for each class of im: the code of
// the class's most typical image, the one whose code lies nearest the
// class's mean code. The mean itself can decode to a blur of the class's
// poses (the average banana code is no banana); its nearest member is a
// typical fruit drawn sharply. codes are im's codes (from ClassMeans).
func ClassEnds(means [][]float64, codes []float64, im *data.Images) [][]float64 {
	d := len(codes) / max(im.N(), 1)
	ends := make([][]float64, len(means))
	best := make([]float64, len(means))
	for k := range best {
		best[k] = math.Inf(1)
	}
	for i := 0; i < im.N(); i++ {
		k := 0
		if im.Labels != nil {
			k = im.Labels[i]
		}
		z := codes[i*d : (i+1)*d]
		s := 0.0
		for j, v := range z {
			s += (v - means[k][j]) * (v - means[k][j])
		}
		if s < best[k] {
			best[k], ends[k] = s, z
		}
	}
	for k := range ends {
		if ends[k] == nil {
			ends[k] = means[k]
		}
	}
	return ends
}

// classOf returns the index of a class name in im, with a message naming the
// classes there when it is missing.
func classOf(im *data.Images, name string) (int, error) {
	if k := im.ClassIndex(name); k >= 0 {
		return k, nil
	}
	return -1, fmt.Errorf("no class %s in these images (they have %v)", strconv.Quote(name), im.Classes)
}

// LoadVAE builds the vae scene (or, when c names it, the morph scene) from
// saved VAE model files, keeping c's page settings and taking the
// architecture from the model; the returned Config describes the new scene.
// Nothing is built unless the files are whole and the page can show the
// model.
func LoadVAE(c Config, config, weights []byte) (Scene, Config, error) {
	v, mc, err := VAEFile.Decode(config, weights)
	if err != nil {
		return nil, c, err
	}
	sp := v.Spec
	if c, err = vaeConfig(c, sp); err != nil {
		return nil, c, err
	}
	switch {
	case slices.Contains(DatasetNames, mc.Train.Data):
		c.Dataset = mc.Train.Data
	case sp.Channels == 1:
		c.Dataset = "mnist"
	default:
		c.Dataset = "fruits"
	}
	if c.Dataset == "fruits" && (sp.Channels != 3 || sp.Width != sp.Height) {
		return nil, c, fmt.Errorf("%w: a fruit model takes square colour images; this one takes %d×%d×%d", ErrModel, sp.Width, sp.Height, sp.Channels)
	}
	if err := c.Validate(); err != nil {
		return nil, c, fmt.Errorf("%w: the page cannot show this model: %v", ErrModel, err)
	}
	run, err := vaeRunFromModel(c, v, c.Dataset)
	if err != nil {
		return nil, c, err
	}
	run.Trainer.Resume(mc.Train.Steps)
	if c.Scene == "morph" {
		return newMorphSceneOn(c, run), c, nil
	}
	return newVAESceneOn(c, run), c, nil
}

// vaeConfig is c for the vae scene (or the morph scene, when c names it)
// with the architecture of a loaded VAE of spec sp.
func vaeConfig(c Config, sp vae.Spec) (Config, error) {
	if c.Scene != "morph" {
		c.Scene = "vae"
	}
	c.Latent, c.Posterior = sp.Latent, sp.Posterior
	if len(sp.Hidden) != 1 {
		return c, fmt.Errorf("%w: the page shows VAEs of one hidden layer; this one has %d", ErrModel, len(sp.Hidden))
	}
	c.Hidden = sp.Hidden[0]
	return c, nil
}

// pretrainedVAEScene starts the vae or morph scene from the model shipped
// for c's run, or from scratch with a message when none ships.
func pretrainedVAEScene(c Config) (Scene, error) {
	if config, weights, ok := pretrainedFiles(c); ok {
		s, _, err := LoadVAE(c, config, weights)
		return s, err
	}
	if c.Scene == "morph" {
		s, err := NewMorphScene(c)
		if err == nil {
			s.err = noPretrained
		}
		return s, err
	}
	s, err := NewVAEScene(c)
	if err == nil {
		s.err = noPretrained
	}
	return s, err
}
