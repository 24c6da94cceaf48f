package vae

import (
	"fmt"
	"slices"

	"likelab/core/nn"
)

// Spec is everything needed to rebuild a VAE's architecture; with its
// weights it is a saved model. It is what config.json records.
type Spec struct {
	// Width, Height and Channels give the image shape; Input() is their
	// product, the length of one data row (pixels in row-major order,
	// channels interleaved: RGBRGB…).
	Width    int `json:"width"`
	Height   int `json:"height"`
	Channels int `json:"channels"`
	// Latent is the size of the code z.
	Latent int `json:"latent"`
	// Hidden are the encoder's hidden layer sizes, input side first; the
	// decoder uses them in reverse.
	Hidden []int `json:"hidden"`
	// Activation is the hidden layers' nonlinearity (see nn.ParseActivation).
	Activation string `json:"activation"`
	// Likelihood is "bernoulli" (binary or grey images) or "gaussian".
	Likelihood string `json:"likelihood"`
	// Sigma is the fixed standard deviation of a Gaussian likelihood; 0
	// learns one σ shared by every pixel.
	Sigma float64 `json:"sigma,omitempty"`
	// Posterior is "gaussian", "planar", "iaf" or "realnvp".
	Posterior string `json:"posterior"`
	// FlowLayers is the number of flow steps of a flow posterior.
	FlowLayers int `json:"flow_layers,omitempty"`
	// FlowHidden is the width of the hidden layers of an IAF's MADEs or a
	// RealNVP's conditioners, and of the encoder's context h that conditions
	// them.
	FlowHidden int `json:"flow_hidden,omitempty"`
}

// The values the string fields of a Spec take.
var (
	Likelihoods = []string{"bernoulli", "gaussian"}
	Posteriors  = []string{"gaussian", "planar", "iaf", "realnvp"}
)

// Limits of a Spec, so a config file cannot ask for an absurd model.
const (
	MaxSide       = 512
	MaxChannels   = 4
	MaxLatent     = 1024
	MaxHidden     = 8192
	MaxLayers     = 8
	MaxFlowLayers = 64
)

// Input is the length of one image row: Width·Height·Channels.
func (s Spec) Input() int { return s.Width * s.Height * s.Channels }

// WithDefaults fills the fields left zero with the defaults: ReLU hidden
// layers, and for flow posteriors 8 planar steps, or 2 IAF or 4 RealNVP
// steps of width 64 (small next to the 784-400-20 VAE, so the flow costs
// little).
func (s Spec) WithDefaults() Spec {
	if s.Activation == "" {
		s.Activation = "relu"
	}
	if s.Posterior == "" {
		s.Posterior = "gaussian"
	}
	if s.FlowLayers == 0 {
		switch s.Posterior {
		case "planar":
			s.FlowLayers = 8
		case "iaf":
			s.FlowLayers = 2
		case "realnvp":
			s.FlowLayers = 4
		}
	}
	if s.FlowHidden == 0 && (s.Posterior == "iaf" || s.Posterior == "realnvp") {
		s.FlowHidden = 64
	}
	return s
}

// Validate reports the first thing wrong with s, in words for a person.
func (s Spec) Validate() error {
	_, actErr := nn.ParseActivation(s.Activation)
	switch {
	case s.Width < 1 || s.Width > MaxSide || s.Height < 1 || s.Height > MaxSide:
		return fmt.Errorf("image size %d×%d is outside 1…%d on a side", s.Width, s.Height, MaxSide)
	case s.Channels < 1 || s.Channels > MaxChannels:
		return fmt.Errorf("channels %d is outside 1…%d", s.Channels, MaxChannels)
	case s.Latent < 1 || s.Latent > MaxLatent:
		return fmt.Errorf("latent size %d is outside 1…%d", s.Latent, MaxLatent)
	case len(s.Hidden) < 1 || len(s.Hidden) > MaxLayers:
		return fmt.Errorf("%d hidden layers; want 1…%d", len(s.Hidden), MaxLayers)
	case actErr != nil:
		return actErr
	case !slices.Contains(Likelihoods, s.Likelihood):
		return fmt.Errorf("unknown likelihood %q (want one of %v)", s.Likelihood, Likelihoods)
	case !(s.Sigma >= 0 && s.Sigma <= 1e3): // also rejects NaN
		return fmt.Errorf("likelihood σ %v is outside 0…1000 (0 learns it)", s.Sigma)
	case !slices.Contains(Posteriors, s.Posterior):
		return fmt.Errorf("unknown posterior %q (want one of %v)", s.Posterior, Posteriors)
	case s.Posterior != "gaussian" && (s.FlowLayers < 1 || s.FlowLayers > MaxFlowLayers):
		return fmt.Errorf("flow layers %d is outside 1…%d", s.FlowLayers, MaxFlowLayers)
	case (s.Posterior == "iaf" || s.Posterior == "realnvp") && (s.FlowHidden < 1 || s.FlowHidden > MaxHidden):
		return fmt.Errorf("flow hidden width %d is outside 1…%d", s.FlowHidden, MaxHidden)
	}
	for _, h := range s.Hidden {
		if h < 1 || h > MaxHidden {
			return fmt.Errorf("hidden size %d is outside 1…%d", h, MaxHidden)
		}
	}
	return nil
}
