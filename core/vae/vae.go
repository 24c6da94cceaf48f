package vae

import (
	"fmt"
	"math"
	"math/rand/v2"

	"likelab/core/ad"
	"likelab/core/nn"
)

// VAE is an MLP encoder with μ and log σ² heads, an optional flow on the
// posterior sample, and an MLP decoder.
type VAE struct {
	Spec Spec
	// Enc maps an image to the last hidden layer (the activation follows
	// its last layer too, see Features).
	Enc        *nn.MLP
	Mu, LogVar *nn.Linear
	// Dec maps a code to the likelihood's parameters, one per pixel value:
	// Bernoulli logits, or Gaussian means before a sigmoid.
	Dec *nn.MLP
	// LogSigma2 is the learned log σ² of a Gaussian likelihood (1×1); nil
	// for a Bernoulli likelihood or a fixed σ.
	LogSigma2 *nn.Param
	// Flow reshapes the posterior sample; nil for a Gaussian posterior.
	Flow PosteriorFlow

	act nn.Activation
	// logSigma2 holds log σ² of a fixed-σ Gaussian likelihood, for Const.
	logSigma2 []float64
}

// initLogSigma2 is where a learned Gaussian likelihood starts: σ = 0.1, about
// the spread of pixel values around a blurry first reconstruction, so the
// first steps neither ignore the pixels (large σ) nor blow up (tiny σ).
var initLogSigma2 = math.Log(0.1 * 0.1)

// New builds the VAE s describes, initialised from rng. Zero fields of s
// take their defaults first (Spec.WithDefaults).
func New(s Spec, rng *rand.Rand) (*VAE, error) {
	s = s.WithDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	act, _ := nn.ParseActivation(s.Activation)
	v := &VAE{Spec: s, act: act}
	last := s.Hidden[len(s.Hidden)-1]
	v.Enc = nn.NewMLP("enc", append([]int{s.Input()}, s.Hidden...), act, false, rng)
	if act == nn.ReLU { // NewMLP keeps Glorot on its last layer; here it is followed by a ReLU too
		nn.HeNormal(v.Enc.Layers[len(v.Enc.Layers)-1].W, rng)
	}
	v.Mu = nn.NewLinear("enc.mu", last, s.Latent, rng)
	v.LogVar = nn.NewLinear("enc.logvar", last, s.Latent, rng)
	dec := []int{s.Latent}
	for i := len(s.Hidden) - 1; i >= 0; i-- {
		dec = append(dec, s.Hidden[i])
	}
	v.Dec = nn.NewMLP("dec", append(dec, s.Input()), act, false, rng)
	if s.Likelihood == "gaussian" {
		if s.Sigma == 0 {
			v.LogSigma2 = nn.NewParam("lik.logsigma2", 1, 1)
			v.LogSigma2.Val[0] = initLogSigma2
		} else {
			v.logSigma2 = []float64{2 * math.Log(s.Sigma)}
		}
	}
	switch s.Posterior {
	case "planar":
		v.Flow = newPlanarFlow("post.planar", last, s.Latent, s.FlowLayers, rng)
	case "iaf":
		v.Flow = newIAF("post.iaf", last, s.Latent, s.FlowLayers, s.FlowHidden, act, rng)
	case "realnvp":
		v.Flow = newRealNVP("post.realnvp", last, s.Latent, s.FlowLayers, s.FlowHidden, act, rng)
	}
	return v, nil
}

// Params returns every trainable parameter, in a fixed order.
func (v *VAE) Params() []*nn.Param {
	ps := append(v.Enc.Params(), v.Mu.Params()...)
	ps = append(ps, v.LogVar.Params()...)
	ps = append(ps, v.Dec.Params()...)
	if v.LogSigma2 != nil {
		ps = append(ps, v.LogSigma2)
	}
	if v.Flow != nil {
		ps = append(ps, v.Flow.Params()...)
	}
	return ps
}

// Encoding is what the encoder says about each input row: the base
// Gaussian's mean and log-variance, and the flow's conditioning (nil for a
// Gaussian posterior).
type Encoding struct {
	Mu, LogVar, Cond *ad.Node
}

// Features records the encoder's last hidden layer for the rows of x.
func (v *VAE) Features(t *ad.Tape, x *ad.Node) *ad.Node {
	v.checkInput(x)
	return v.act.Apply(t, v.Enc.Forward(t, x))
}

// Encode records the encoding of the rows of x (n×Input).
func (v *VAE) Encode(t *ad.Tape, x *ad.Node) Encoding {
	h := v.Features(t, x)
	e := Encoding{Mu: v.Mu.Forward(t, h), LogVar: v.LogVar.Forward(t, h)}
	if v.Flow != nil {
		e.Cond = v.Flow.Cond(t, h)
	}
	return e
}

// SamplePosterior records k draws z ~ q(z|x) for each encoded input, input
// by input (rows i·k … i·k+k−1 belong to input i), and log q(z|x) of each:
// z0 = μ + σ·ε with ε ~ N(0, I) drawn from rng, then the flow if any, so
//
//	log q(z|x) = log N(ε; 0, I) − Σ_j log σ_j − Σ_flow log|det ∂z/∂z0|.
func (v *VAE) SamplePosterior(t *ad.Tape, e Encoding, k int, rng *rand.Rand) (z, logq *ad.Node) {
	n, d := e.Mu.R, e.Mu.C
	eps := t.Input(n*k, d)
	for i := range eps.Val {
		eps.Val[i] = rng.NormFloat64()
	}
	return v.posteriorAt(t, e, k, eps)
}

// posteriorAt is SamplePosterior at given noise eps ((n·k)×Latent).
func (v *VAE) posteriorAt(t *ad.Tape, e Encoding, k int, eps *ad.Node) (z, logq *ad.Node) {
	mu, lv, cond := e.Mu, e.LogVar, e.Cond
	if k > 1 {
		mu, lv = t.RepeatRows(mu, k), t.RepeatRows(lv, k)
		if cond != nil {
			cond = t.RepeatRows(cond, k)
		}
	}
	z = t.Add(mu, t.Mul(t.Exp(t.Scale(lv, 0.5)), eps))
	logq = t.Sub(t.GaussianLogProbEachRow(eps, nil, nil), t.Scale(t.SumEachRow(lv), 0.5))
	if v.Flow != nil {
		var ld *ad.Node
		z, ld = v.Flow.Apply(t, z, cond)
		logq = t.Sub(logq, ld)
	}
	return z, logq
}

// Decode records the decoder's output for the codes z: Bernoulli logits, or
// the Gaussian means before their sigmoid.
func (v *VAE) Decode(t *ad.Tape, z *ad.Node) *ad.Node {
	if z.C != v.Spec.Latent {
		panic(fmt.Sprintf("vae: Decode of %d columns, the latent size is %d", z.C, v.Spec.Latent))
	}
	return v.Dec.Forward(t, z)
}

// Mean records the image means E[x|z] from the decoder's output: the sigmoid
// of the logits (Bernoulli) or of the pre-sigmoid means (Gaussian).
func (v *VAE) Mean(t *ad.Tape, out *ad.Node) *ad.Node { return t.Sigmoid(out) }

// LogLikelihood records log p(x|z) (R×1) of the rows of x under the decoder
// output out of the same shape.
func (v *VAE) LogLikelihood(t *ad.Tape, x, out *ad.Node) *ad.Node {
	if v.Spec.Likelihood == "bernoulli" {
		return t.Neg(t.BCEWithLogitsEachRow(out, x))
	}
	var lv *ad.Node
	if v.LogSigma2 != nil {
		lv = v.LogSigma2.Node(t)
	} else {
		lv = t.Const(1, 1, v.logSigma2)
	}
	return t.GaussianLogProbEachRow(x, t.Sigmoid(out), lv)
}

// SetOutputBias sets the decoder's output bias so that a decoder whose last
// weights were zero would give the pixel means mean (len Input, values in
// [0, 1], clamped away from 0 and 1): a start near the data's average image
// saves the first epochs of learning it.
func (v *VAE) SetOutputBias(mean []float64) {
	b := v.Dec.Layers[len(v.Dec.Layers)-1].B
	if len(mean) != len(b.Val) {
		panic(fmt.Sprintf("vae: SetOutputBias with %d means for %d outputs", len(mean), len(b.Val)))
	}
	// 1e-3 keeps the logit within ±6.9, where the sigmoid still has slope.
	const eps = 1e-3
	for i, m := range mean {
		m = min(max(m, eps), 1-eps)
		b.Val[i] = math.Log(m / (1 - m))
	}
}

func (v *VAE) checkInput(x *ad.Node) {
	if x.C != v.Spec.Input() {
		panic(fmt.Sprintf("vae: input of %d columns, the model takes %d", x.C, v.Spec.Input()))
	}
}
