package fm

import (
	"fmt"
	"math"

	"likelab/core/nn"
)

// Spec is everything needed to rebuild a velocity network and to sample from
// it the way it was meant to be; with the weights it is a saved model. It is
// what config.json records under "fm".
type Spec struct {
	Dim    int `json:"dim"`
	Hidden int `json:"hidden"`
	// Layers is the number of hidden layers of the MLP.
	Layers int `json:"layers"`
	// Activation between layers: one of nn's names (relu, tanh, softplus,
	// sigmoid).
	Activation string `json:"activation"`
	// TimeFreqs is the number of sinusoidal time features pairs: the network
	// sees t and sin(π·2^k·t), cos(π·2^k·t) for k < TimeFreqs.
	TimeFreqs int `json:"time_freqs"`
	// SpaceFreqs adds Fourier features of the point: sin and cos of
	// ω_k·x_d for each coordinate and k < SpaceFreqs, ω_k = 2^k·π/4 (periods
	// 8, 4, 2, …). They let an MLP draw sharp patterns — a QR code's modules
	// — that plain coordinates make it learn slowly (Tancik et al., 2020).
	SpaceFreqs int `json:"space_freqs,omitempty"`
	// TimeSkew draws training times as t = 1 − (1−u)^(1+TimeSkew), u ~ U(0, 1),
	// instead of uniformly: more of them near t = 1, where the field must
	// draw the data's fine detail. Any such density with full support has
	// the same minimiser pointwise in t, so the learned field's target is
	// unchanged; 0 is the talk's uniform t.
	TimeSkew float64 `json:"time_skew,omitempty"`
	// Std is the base distribution's standard deviation: x0 ~ N(0, Std²·I).
	Std float64 `json:"std"`
	// OT selects OT-CFM: minibatch pairs re-matched by optimal transport.
	OT bool `json:"ot"`
	// Solver and NFE are the default sampler: a Method name and a budget of
	// velocity evaluations per sample.
	Solver string `json:"solver"`
	NFE    int    `json:"nfe"`
}

// Limits of a Spec, so that a config file cannot ask for an absurd model.
const (
	MaxDim       = 4096
	MaxLayers    = 16
	MaxHidden    = 4096
	MaxTimeFreqs = 16
	// MaxSpaceFreqs reaches periods of 8/2^11 ≈ 0.004, finer than any
	// picture a 2D model is drawn at.
	MaxSpaceFreqs = 12
	MaxNFE        = 4096
	// MinStd and MaxStd bound the base standard deviation: a few orders of
	// magnitude either side of the unit scale the 2D targets live at.
	MaxTimeSkew = 10
	MinStd      = 1e-3
	MaxStd      = 1e3
)

// DefaultSpec is the 2D velocity network used unless told otherwise: three
// hidden layers of 128 units, four time-frequency pairs, a standard normal
// base and the talk's sampler, Euler, with 32 steps.
func DefaultSpec() Spec {
	return Spec{Dim: 2, Hidden: 128, Layers: 3, Activation: "softplus", TimeFreqs: 4, Std: 1,
		Solver: "euler", NFE: 32}
}

// Validate reports the first thing wrong with s, in words for a person.
func (s Spec) Validate() error {
	if _, err := nn.ParseActivation(s.Activation); err != nil {
		return err
	}
	if _, err := ParseMethod(s.Solver); err != nil {
		return err
	}
	switch {
	case s.Dim < 1 || s.Dim > MaxDim:
		return fmt.Errorf("fm dimension %d is outside 1…%d", s.Dim, MaxDim)
	case s.Layers < 1 || s.Layers > MaxLayers:
		return fmt.Errorf("fm hidden layers %d is outside 1…%d", s.Layers, MaxLayers)
	case s.Hidden < 1 || s.Hidden > MaxHidden:
		return fmt.Errorf("fm hidden width %d is outside 1…%d", s.Hidden, MaxHidden)
	case s.TimeFreqs < 0 || s.TimeFreqs > MaxTimeFreqs:
		return fmt.Errorf("fm time frequencies %d is outside 0…%d", s.TimeFreqs, MaxTimeFreqs)
	case s.SpaceFreqs < 0 || s.SpaceFreqs > MaxSpaceFreqs:
		return fmt.Errorf("fm space frequencies %d is outside 0…%d", s.SpaceFreqs, MaxSpaceFreqs)
	case !(s.TimeSkew >= 0 && s.TimeSkew <= MaxTimeSkew):
		return fmt.Errorf("fm time skew %v is outside 0…%d", s.TimeSkew, MaxTimeSkew)
	case !(s.Std >= MinStd && s.Std <= MaxStd):
		return fmt.Errorf("fm base std %v is outside %g…%g", s.Std, MinStd, MaxStd)
	case s.NFE < 1 || s.NFE > MaxNFE:
		return fmt.Errorf("fm NFE %d is outside 1…%d", s.NFE, MaxNFE)
	}
	return nil
}

// Activations lists the activation names a Spec may use.
var Activations = []string{"relu", "tanh", "softplus", "sigmoid"}

// features is the width of the time embedding: t, then a sine and a cosine
// per frequency.
func (s Spec) features() int { return 1 + 2*s.TimeFreqs }

// inputs is the width of the network's input: the point, its Fourier
// features and the time embedding.
func (s Spec) inputs() int { return s.Dim*(1+2*s.SpaceFreqs) + s.features() }

// spaceBase is ω_0 of the Fourier features: a period of 8, wider than the
// box of any 2D target (about ±4), so the lowest pair is never ambiguous.
const spaceBase = math.Pi / 4

// timeFeatures writes the embedding of t into dst (length s.features()).
func (s Spec) timeFeatures(dst []float64, t float64) {
	dst[0] = t
	f := math.Pi
	for k := 0; k < s.TimeFreqs; k++ {
		sn, cs := math.Sincos(f * t)
		dst[1+2*k], dst[2+2*k] = sn, cs
		f *= 2
	}
}
