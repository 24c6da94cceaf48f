package lab

import (
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/fm"
	"likelab/core/vae"
)

// The model families a model file holds. Each says where config.json keeps
// its spec, how a spec read from a file is checked and the model built, and
// a lower bound on the parameters, so modelFile can refuse files that do not
// agree before building anything.
var (
	flowFile = modelFile[flow.Spec, *flow.Flow]{
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
	fmFile = modelFile[fm.Spec, *fm.Model]{
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
	vaeFile = modelFile[vae.Spec, *vae.VAE]{
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

// EncodeFlowModel returns config.json and model.safetensors of a flow.
func EncodeFlowModel(spec flow.Spec, f *flow.Flow, info TrainInfo) (config, weights []byte, err error) {
	return flowFile.encode(spec, f, info)
}

// DecodeFlowModel rebuilds a flow from config.json and model.safetensors.
// Nothing is returned unless both files are whole and agree.
func DecodeFlowModel(config, weights []byte) (*flow.Flow, ModelConfig, error) {
	return flowFile.decode(config, weights)
}

// SaveFlowModel writes a flow's config.json and model.safetensors into dir,
// each atomically, creating dir if needed.
func SaveFlowModel(dir string, spec flow.Spec, f *flow.Flow, info TrainInfo) error {
	return flowFile.save(dir, spec, f, info)
}

// LoadFlowModel reads a model directory written by SaveFlowModel.
func LoadFlowModel(dir string) (*flow.Flow, ModelConfig, error) { return flowFile.load(dir) }

// EncodeFMModel returns config.json and model.safetensors of a velocity
// network.
func EncodeFMModel(m *fm.Model, info TrainInfo) (config, weights []byte, err error) {
	return fmFile.encode(m.Spec, m, info)
}

// DecodeFMModel rebuilds a velocity network from config.json and
// model.safetensors. Nothing is returned unless both files are whole and
// agree.
func DecodeFMModel(config, weights []byte) (*fm.Model, ModelConfig, error) {
	return fmFile.decode(config, weights)
}

// SaveFMModel writes a velocity network's config.json and model.safetensors
// into dir, each atomically, creating dir if needed.
func SaveFMModel(dir string, m *fm.Model, info TrainInfo) error {
	return fmFile.save(dir, m.Spec, m, info)
}

// LoadFMModel reads a model directory written by SaveFMModel.
func LoadFMModel(dir string) (*fm.Model, ModelConfig, error) { return fmFile.load(dir) }

// EncodeVAEModel returns config.json and model.safetensors of a VAE.
func EncodeVAEModel(v *vae.VAE, info TrainInfo) (config, weights []byte, err error) {
	return vaeFile.encode(v.Spec, v, info)
}

// DecodeVAEModel rebuilds a VAE from config.json and model.safetensors.
// Nothing is returned unless both files are whole and agree.
func DecodeVAEModel(config, weights []byte) (*vae.VAE, ModelConfig, error) {
	return vaeFile.decode(config, weights)
}

// SaveVAEModel writes a VAE's config.json and model.safetensors into dir,
// each atomically, creating dir if needed.
func SaveVAEModel(dir string, v *vae.VAE, info TrainInfo) error {
	return vaeFile.save(dir, v.Spec, v, info)
}

// LoadVAEModel reads a model directory written by SaveVAEModel.
func LoadVAEModel(dir string) (*vae.VAE, ModelConfig, error) { return vaeFile.load(dir) }
