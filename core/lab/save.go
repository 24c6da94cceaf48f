package lab

import (
	"fmt"

	"likelab/core/data"

	"likelab/core/nn"
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
	return EncodeFlowModel(s.run.Spec, s.run.Flow, info)
}

// Load builds a scene from saved model files (from the page or the CLI),
// keeping c's data and page settings and taking the architecture from the
// model. The returned Config describes the new scene. Nothing is built
// unless the files are whole, agree with each other and fit the page's
// settings, so a bad file never replaces a working scene.
func Load(c Config, config, weights []byte) (Scene, Config, error) {
	if isVAEModel(config) {
		return LoadVAE(c, config, weights)
	}
	target, err := data.Lookup(c.Data)
	if err != nil {
		return nil, c, err
	}
	return LoadOn(c, target, config, weights)
}

// LoadOn is Load on a given target (points from a file, say) instead of the
// one c names.
func LoadOn(c Config, target data.Target, config, weights []byte) (Scene, Config, error) {
	if isVAEModel(config) {
		return LoadVAE(c, config, weights)
	}
	f, mc, err := DecodeFlowModel(config, weights)
	if err != nil {
		return nil, c, err
	}
	if mc.Flow.Dim != 2 {
		return nil, c, fmt.Errorf("%w: the flow is %d-dimensional; the flow scene shows 2D models", ErrModel, mc.Flow.Dim)
	}
	c.Scene, c.Model, c.Layers, c.Hidden = "flow", mc.Flow.Model, mc.Flow.Layers, mc.Flow.Hidden
	if err := c.Validate(); err != nil {
		return nil, c, fmt.Errorf("%w: the page cannot show this model: %v", ErrModel, err)
	}
	s, err := NewFlowSceneOn(c, target)
	if err != nil {
		return nil, c, err
	}
	nn.CopyValues(s.run.Flow.Params(), f.Params())
	s.run.Trainer.Resume(mc.Train.Steps)
	s.dirty = true
	return s, c, nil
}
