package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"likelab/core/data"
	"likelab/core/lab"
	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
)

func trainVAE(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train vae", "train vae --data fruits|mnist[:DIR]|npy:FILE[,FILE…]|DIR --out DIR [flags]", stderr)
	dataArg := fs.String("data", "fruits", "images: fruits (procedural), mnist or mnist:DIR (IDX files), npy:FILE[,FILE…] (Quick, Draw! bitmaps, one class per file), or a folder with one sub-folder of PNG/JPEG images per class")
	latent := fs.Int("latent", 20, "size of the latent code z")
	hidden := fs.String("hidden", "400", "encoder hidden layer sizes, comma-separated (the decoder mirrors them)")
	activation := fs.String("activation", "relu", "hidden activation: relu, tanh, softplus")
	posterior := fs.String("posterior", "gaussian", "posterior q(z|x): "+strings.Join(vae.Posteriors, ", "))
	flowLayers := fs.Int("flow-layers", 0, "flow steps of a flow posterior (0: 8 planar, 2 iaf, 4 realnvp)")
	flowHidden := fs.Int("flow-hidden", 0, "hidden width of the iaf or realnvp conditioners and of their context (0: 64)")
	likelihood := fs.String("likelihood", "auto", "p(x|z): bernoulli, gaussian, or auto (bernoulli for grey images, gaussian for colour)")
	sigma := fs.Float64("sigma", 0, "fixed σ of a gaussian likelihood (0 learns it)")
	epochs := fs.Float64("epochs", 10, "passes over the training images (fractions allowed)")
	maxTime := fs.Duration("max-time", 0, "stop after this much training time, e.g. 10m (0: no limit)")
	run := addRunFlags(fs, 0, 100, 1<<14, 50, "images")
	lrDecay := fs.Float64("lr-decay", 1, "learning rate factor applied after every epoch")
	beta := fs.Float64("beta", 1, "weight of the KL term (1: the ELBO)")
	warmup := fs.Float64("warmup", 0, "epochs over which the KL weight rises from 0 to --beta")
	size := fs.Int("size", 32, "image side for fruits and image folders (fruits: 32 or 64)")
	nFruits := fs.Int("n", 12000, "number of procedural fruit training images")
	if err := parse(fs, args); err != nil {
		return err
	}
	hs, err := parseSizes(*hidden)
	if err != nil {
		return err
	}
	for _, err := range []error{
		floatIn("lr-decay", *lrDecay, 0.01, 1), floatIn("epochs", *epochs, 0.001, 1e5), floatIn("beta", *beta, 0, 1e3),
		floatIn("warmup", *warmup, 0, 1e5), intIn("n", *nFruits, 10, 1_000_000), intIn("size", *size, 8, 256),
	} {
		if err != nil {
			return err
		}
	}
	if *maxTime < 0 {
		return usagef("--max-time %v is negative", *maxTime)
	}
	if err := run.check(); err != nil {
		return err
	}
	batch, lr, seed := run.batch, run.lr, run.seed
	spec := vae.Spec{Width: 1, Height: 1, Channels: 1, Latent: *latent, Hidden: hs,
		Activation: *activation, Likelihood: *likelihood, Sigma: *sigma, Posterior: *posterior,
		FlowLayers: *flowLayers, FlowHidden: *flowHidden}.WithDefaults()
	if spec.Likelihood == "auto" {
		spec.Likelihood = "bernoulli" // for now: the image decides below
	}
	// everything but the image shape is checked before the data is read
	if err := spec.Validate(); err != nil {
		return usageError{err.Error()}
	}
	trainSet, testSet, err := loadVAEData(*dataArg, *size, *nFruits, *seed)
	if err != nil {
		return usageError{err.Error()}
	}
	lik := *likelihood
	if lik == "auto" {
		lik = autoLikelihood(trainSet)
	}
	spec.Width, spec.Height, spec.Channels, spec.Likelihood = trainSet.W, trainSet.H, trainSet.C, lik
	if err := spec.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if *batch > trainSet.N() {
		return usagef("--batch %d is more than the %d training images", *batch, trainSet.N())
	}
	model, err := vae.New(spec, nn.NewRNG(*seed, 0))
	if err != nil {
		return usageError{err.Error()}
	}
	model.SetOutputBias(trainSet.Mean())
	obj := vae.NewObjective(model, trainSet.Pix, *batch, nn.NewRNG(*seed, 1))
	obj.Binarize = lik == "bernoulli"
	obj.Beta = *beta
	spe := obj.StepsPerEpoch()
	obj.WarmUp = int(math.Round(*warmup * float64(spe)))
	steps := max(1, int(math.Round(*epochs*float64(spe))))
	tr := train.New(model.Params(), obj.Loss, *lr)
	// The loss is a sum over pixels (hundreds of nats per image), so healthy
	// gradient norms reach the thousands early on; clip only blow-ups.
	tr.ClipNorm = 1e4
	testX := testSet.Pix
	if lik == "bernoulli" {
		testX = testSet.Binarized(testBinarizeSeed).Pix
	}
	// a slice of the test set, for the per-epoch curve; eval uses it all
	monitor := testX[:min(len(testX), monitorImages*testSet.Dim())]

	epoch := 0
	testELBO := math.NaN()
	start := time.Now()
	loop := trainLoop{out: *run.out, steps: steps, logEvery: *run.logEvery, trainer: tr, maxTime: *maxTime, interrupt: true,
		save: func() ([]byte, []byte, error) {
			return lab.VAEFile.Encode(model.Spec, model, run.info(*dataArg, tr.Steps()))
		},
		line: func(m train.Metrics, elapsed time.Duration) (any, bool) {
			rec := vaeMetrics{Metrics: m, Epoch: obj.Epoch(), Rec: obj.Last.Rec, KL: obj.Last.KL, Beta: obj.Last.Beta, Seconds: elapsed.Seconds()}
			e := m.Step / spe
			if e <= epoch && m.Step != steps {
				return rec, false
			}
			epoch = e
			tr.Opt.LR *= *lrDecay
			r, k := meanELBO(model, monitor, *seed)
			testELBO = -(r + k)
			rec.TestELBO, rec.TestRec, rec.TestKL = &testELBO, &r, &k
			return rec, true
		},
		label: func(m train.Metrics) string {
			return fmt.Sprintf("epoch %.1f −elbo %.2f (rec %.2f kl %.2f)", obj.Epoch(), m.Loss, obj.Last.Rec, obj.Last.KL)
		},
	}
	last, elapsed, err := loop.run(stderr)
	if err != nil {
		return err
	}
	if math.IsNaN(testELBO) {
		r, k := meanELBO(model, monitor, *seed)
		testELBO = -(r + k)
	}
	return printResult(stdout, *run.out, last, map[string]any{"epochs": obj.Epoch(), "train_seconds": elapsed.Seconds(),
		"seconds": time.Since(start).Seconds(), "test_elbo": testELBO, "test_images": len(monitor) / testSet.Dim()})
}

// vaeMetrics is one line of a VAE's metrics.jsonl: the trainer's metrics,
// the ELBO's parts on the batch, and at the end of each epoch the test ELBO
// on the first monitorImages test images.
type vaeMetrics struct {
	train.Metrics
	Epoch    float64  `json:"epoch"`
	Rec      float64  `json:"rec"`
	KL       float64  `json:"kl"`
	Beta     float64  `json:"beta"`
	Seconds  float64  `json:"seconds"`
	TestELBO *float64 `json:"test_elbo,omitempty"`
	TestRec  *float64 `json:"test_rec,omitempty"`
	TestKL   *float64 `json:"test_kl,omitempty"`
}

// monitorImages is how many test images the per-epoch test ELBO averages:
// enough for a standard error well under a nat, cheap next to an epoch.
const monitorImages = 2000

// meanELBO returns the mean reconstruction and KL terms of the negative
// ELBO over the images x, with noise from a generator seeded by seed.
func meanELBO(v *vae.VAE, x []float64, seed uint64) (rec, kl float64) {
	n := len(x) / v.Spec.Input()
	r, k := make([]float64, n), make([]float64, n)
	v.EvalELBO(x, nn.NewRNG(seed, evalStream), r, k)
	for i := range r {
		rec += r[i] / float64(n)
		kl += k[i] / float64(n)
	}
	return rec, kl
}

// Fixed seeds of the held-out data, the same for every run so that test
// numbers compare across runs: the test set's one binarisation (for a
// Bernoulli likelihood, as the MNIST literature does it), the split of
// loaded image sets, and the procedural test fruits.
const (
	testBinarizeSeed = 0x7e57
	testSplitSeed    = 0x5917
	testFruitSeed    = 1<<62 + 0xf
	// testFruits is the number of procedural test fruits (200 per kind).
	testFruits = 1200
	// evalStream is the generator stream of evaluation noise.
	evalStream = 7
)

// loadVAEData resolves --data to training and test images. MNIST comes with
// its own test set; the procedural fruits get a fixed set of their own; any
// other images are split, a tenth (at most 10 000) held out.
func loadVAEData(arg string, size, nFruits int, seed uint64) (trainSet, testSet *data.Images, err error) {
	kind, rest, _ := strings.Cut(arg, ":")
	switch {
	case arg == "fruits":
		trainSet, err = data.Fruits(nFruits, data.FruitOptions{Size: size, Seed: seed})
		if err == nil {
			testSet, err = data.Fruits(testFruits, data.FruitOptions{Size: size, Seed: testFruitSeed})
		}
		return trainSet, testSet, err
	case kind == "mnist":
		dir := rest
		if dir == "" {
			if dir, err = findGoMNIST(); err != nil {
				return nil, nil, err
			}
		}
		if trainSet, err = data.LoadMNIST(dir, "train"); err == nil {
			testSet, err = data.LoadMNIST(dir, "t10k")
		}
		return trainSet, testSet, err
	case kind == "npy":
		if rest == "" {
			return nil, nil, fmt.Errorf("--data npy:FILE[,FILE…] names no file")
		}
		var all *data.Images
		for _, file := range strings.Split(rest, ",") {
			im, err := readNPYFile(file)
			if err != nil {
				return nil, nil, err
			}
			if all == nil {
				all = im
			} else if im.W != all.W || im.H != all.H {
				return nil, nil, fmt.Errorf("%s: images of %d×%d, the other files' are %d×%d", file, im.W, im.H, all.W, all.H)
			} else {
				all.Append(im)
			}
		}
		return splitTest(all)
	}
	if fi, serr := os.Stat(arg); serr == nil && fi.IsDir() {
		all, err := data.LoadImageFolder(arg, size, size, 3)
		if err != nil {
			return nil, nil, err
		}
		return splitTest(all)
	}
	return nil, nil, fmt.Errorf("--data %q is not fruits, mnist[:DIR], npy:FILE or a folder of images", arg)
}

func splitTest(all *data.Images) (trainSet, testSet *data.Images, err error) {
	nTest := min(all.N()/10, 10000)
	if nTest < 1 {
		return nil, nil, fmt.Errorf("only %d images: too few to hold some out for testing", all.N())
	}
	trainSet, testSet = all.Split(nTest, testSplitSeed)
	return trainSet, testSet, nil
}

// readNPYFile reads a .npy file of bitmaps, its class named after the file:
// full_numpy_bitmap_apple.npy (Quick, Draw!'s naming) is "apple".
func readNPYFile(path string) (*data.Images, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	class := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	class = strings.TrimPrefix(class, "full_numpy_bitmap_")
	return data.ReadNPYImages(path, f, class)
}

// findGoMNIST finds MNIST in the module cache: where the environment says,
// else where `go env GOMODCACHE` says (a cache moved with go env -w).
func findGoMNIST() (string, error) {
	dir, err := data.FindGoMNIST("")
	if err == nil {
		return dir, nil
	}
	if b, gerr := exec.Command("go", "env", "GOMODCACHE").Output(); gerr == nil {
		if d, gerr := data.FindGoMNIST(strings.TrimSpace(string(b))); gerr == nil {
			return d, nil
		}
	}
	return "", err
}

func autoLikelihood(im *data.Images) string {
	if im.C == 1 {
		return "bernoulli"
	}
	return "gaussian"
}

// parseSizes parses "400" or "512,256" into layer sizes.
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > vae.MaxHidden {
			return nil, usagef("--hidden %q: want sizes 1…%d separated by commas", s, vae.MaxHidden)
		}
		out = append(out, n)
	}
	return out, nil
}
