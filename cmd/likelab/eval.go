package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"likelab/core/lab"
	"likelab/core/nn"
	"likelab/core/vae"
)

// evalResult is what `likelab eval` prints: the test ELBO and its parts, and
// the importance-weighted estimate of the negative log-likelihood, all in
// nats per image, averaged over TestImages held-out images.
type evalResult struct {
	Model      string  `json:"model"`
	Data       string  `json:"data"`
	TestImages int     `json:"test_images"`
	ELBO       float64 `json:"elbo"`
	Rec        float64 `json:"rec"`
	KL         float64 `json:"kl"`
	K          int     `json:"iw_k"`
	IWAEBound  float64 `json:"iwae_bound"`
	IWAENLL    float64 `json:"iwae_nll"`
	// IWAEStdErr is the standard error of the mean bound over the images.
	IWAEStdErr float64 `json:"iwae_stderr"`
	Seconds    float64 `json:"seconds"`
}

func runEval(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "eval --model DIR [--iw K] [--n N] [--scores FILE]", stderr)
	modelDir := fs.String("model", "", "model directory written by likelab train vae, or by train flow on an energy (required)")
	k := fs.Int("iw", 100, "importance samples per image of the IWAE bound (the issue's figure uses 5000)")
	n := fs.Int("n", 0, "VAE: evaluate the first N test images only (0: all); flow trained on an energy: importance draws (0: 10000)")
	seed := fs.Uint64("seed", 1, "seed of the evaluation noise")
	scores := fs.String("scores", "", "also write each test image's IWAE log-likelihood estimate to this CSV file (index,class,log_p): an anomaly score")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := intIn("iw", *k, 1, 1_000_000); err != nil {
		return err
	}
	if err := intIn("n", *n, 0, 1<<30); err != nil {
		return err
	}
	if *modelDir == "" {
		return usagef("--model DIR is required")
	}
	if mc, err := readModelConfig(*modelDir); err == nil && mc.Family == "flow" {
		return evalFlow(*modelDir, mc, *n, *seed, stdout)
	}
	model, mc, err := lab.VAEFile.Load(*modelDir)
	if err != nil {
		return usageError{err.Error()}
	}
	// the held-out images the training run set aside, by the same rules
	_, testSet, err := loadVAEData(mc.Train.Data, model.Spec.Width, 10, mc.Train.Seed)
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v", mc.Train.Data, err)}
	}
	if testSet.W != model.Spec.Width || testSet.H != model.Spec.Height || testSet.C != model.Spec.Channels {
		return usagef("the test images are %d×%d×%d, the model takes %d×%d×%d", testSet.W, testSet.H, testSet.C,
			model.Spec.Width, model.Spec.Height, model.Spec.Channels)
	}
	if model.Spec.Likelihood == "bernoulli" {
		testSet = testSet.Binarized(testBinarizeSeed)
	}
	if *n > 0 && *n < testSet.N() {
		idx := make([]int, *n)
		for i := range idx {
			idx[i] = i
		}
		testSet = testSet.Subset(idx)
	}
	start := time.Now()
	res := evaluate(model, testSet.Pix, *k, *seed)
	res.Model, res.Data, res.Seconds = *modelDir, mc.Train.Data, time.Since(start).Seconds()
	if *scores != "" {
		if err := writeScores(*scores, testSet.Labels, testSet.Classes, res.perImage); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(res.evalResult)
	fmt.Fprintf(stdout, "%s\n", b)
	return nil
}

type evaluation struct {
	evalResult
	perImage []float64
}

// evaluate computes the test ELBO (one sample per image) and the IWAE bound
// with k samples per image.
func evaluate(v *vae.VAE, x []float64, k int, seed uint64) evaluation {
	n := len(x) / v.Spec.Input()
	rec, kl := meanELBO(v, x, seed)
	bound := make([]float64, n)
	v.EvalIWAE(x, k, nn.NewRNG(seed, evalStream+1), bound)
	mean, sq := 0.0, 0.0
	for _, b := range bound {
		mean += b / float64(n)
	}
	for _, b := range bound {
		sq += (b - mean) * (b - mean)
	}
	se := math.Sqrt(sq / float64(max(n-1, 1)) / float64(n))
	return evaluation{evalResult{TestImages: n, ELBO: -(rec + kl), Rec: rec, KL: kl, K: k,
		IWAEBound: mean, IWAENLL: -mean, IWAEStdErr: se}, bound}
}

func writeScores(path string, labels []int, classes []string, logp []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"index", "class", "log_p"})
	for i, lp := range logp {
		class := ""
		if labels != nil {
			class = classes[labels[i]]
		}
		w.Write([]string{strconv.Itoa(i), class, strconv.FormatFloat(lp, 'g', 10, 64)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
