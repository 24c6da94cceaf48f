package lab

import (
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/fm"
	"likelab/core/vae"
)

// The model files of the families. Each says where config.json keeps its
// spec, how a spec read from a file is checked and the model built, and a
// lower bound on the parameters, so that files which do not agree are
// refused before anything is built.
var (
	// FlowFile holds a normalizing flow (`likelab train flow`, the flow
	// and is scenes).
	FlowFile = ModelFile[flow.Spec, *flow.Flow]{
		family: "flow", noun: "a flow",
		spec:     func(mc *ModelConfig) **flow.Spec { return &mc.Flow },
		validate: flow.Spec.Validate,
		// conditioner networks hold at least hidden² weights per layer
		minParams: func(s flow.Spec) int {
			switch s.Model {
			case "realnvp", "nsf", "maf", "iaf":
				return s.Layers * s.Hidden * s.Hidden
			}
			return 0
		},
		build: flow.New,
	}
	// FMFile holds a flow-matching velocity network (`likelab train fm`,
	// the fm scene).
	FMFile = ModelFile[fm.Spec, *fm.Model]{
		family: "fm", noun: "a flow-matching model",
		spec:     func(mc *ModelConfig) **fm.Spec { return &mc.FM },
		validate: fm.Spec.Validate,
		// the velocity MLP's first layer sees at least the point and its
		// Fourier features; the hidden layers are hidden² each; the last
		// maps back to the point
		minParams: func(s fm.Spec) int {
			return s.Dim*(1+2*s.SpaceFreqs)*s.Hidden + (s.Layers-1)*s.Hidden*s.Hidden + s.Hidden*s.Dim
		},
		build: fm.New,
	}
	// VAEFile holds a VAE (`likelab train vae`, the vae and morph scenes).
	VAEFile = ModelFile[vae.Spec, *vae.VAE]{
		family: "vae", noun: "a VAE",
		spec: func(mc *ModelConfig) **vae.Spec { return &mc.VAE },
		// vae.New fills in the defaults an older file may leave out
		validate: func(s vae.Spec) error { return s.WithDefaults().Validate() },
		// the encoder's first layer and the decoder's last join the image
		// to the first hidden layer
		minParams: func(s vae.Spec) int { return 2 * s.Input() * s.Hidden[0] },
		build:     vae.New,
	}
)

// A family is what the rest of lab does with a model file, by config.json's
// "family": the scene the page shows it in, and (for densities on the
// plane) the Model2D that `likelab sample` and `logprob` use.
type family struct {
	// scene builds the page's scene for the model: see LoadOn. target is
	// the page's data, nil for the one c names.
	scene func(c Config, target data.Target, config, weights []byte) (Scene, Config, error)
	// model2D rebuilds the model as a Model2D; nil for families that are
	// not densities on the plane.
	model2D func(config, weights []byte) (Model2D, error)
}

// families lists every family a model file may name. It is filled in init:
// its loaders reach the scenes, and those reach Load again (shipped models).
var families map[string]family

func init() {
	families = map[string]family{
		"flow": {scene: loadFlow, model2D: flowModel2D},
		"fm":   {scene: loadFM, model2D: fmModel2D},
		"vae":  {scene: loadVAE},
	}
}
