package lab

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
)

// Preset is a ready-made link for a figure of the talk.
type Preset struct {
	Name  string // short name, e.g. "talk"
	Title string // what it shows, for a menu
	Hash  string // the settings; pretrained=1 where a model ships for them
	// Steps of training the shipped model had (make presets); 0 when the
	// preset starts from scratch.
	Steps int
}

// Presets are the talk's figures as links. Those with Steps > 0 start from
// a model trained in advance by `make presets` (cmd/mkpresets), so a
// lecture can begin from a trained model at once.
var Presets = []Preset{
	{"talk", "The talk's flow: 8 affine couplings learn the double Gaussian", "scene=flow&pretrained=1", 3000},
	{"moons", "RealNVP on two moons", "scene=flow&data=moons&hidden=64&pretrained=1", 3000},
	{"layers", "Composing flows: the base deforms into two moons, layer by layer", "scene=flow&data=moons&hidden=64&pretrained=1&view=layers", 0},
	{"rings", "A harder shape: concentric rings", "scene=flow&data=rings&hidden=64", 0},
	{"morph", "Apple → banana: a VAE on fruits, decoded along a latent flow's straight line", "scene=morph&hidden=64&pretrained=1", 4000},
	{"vae", "A VAE learning fruits: reconstructions, samples, codes, least likely images", "scene=vae&hidden=64", 0},
}

// PretrainedFS holds the models trained in advance, one folder per run
// (PretrainedDir); a shell that ships them sets it (the training worker and
// the CLI do, see core/lab/pretrained). Nil means none ship.
var PretrainedFS fs.FS

// PretrainedDir is the folder of the model trained in advance for c's run:
// a digest of the run's settings, so views of the same run share it.
func PretrainedDir(c Config) string {
	d, v := Default(), c
	v.Pretrained = false
	v.View, v.Layer, v.Speed, v.Embed, v.Autoplay = d.View, d.Layer, d.Speed, d.Embed, d.Autoplay
	for name := range viewOnly { // reset every view-only setting, scenes' included
		if p, ok := Lookup(name); ok {
			p.set(&v, p.Default)
		}
	}
	sum := sha256.Sum256([]byte(v.Hash()))
	return hex.EncodeToString(sum[:8])
}

// pretrainedFiles returns the model files shipped for c's run.
func pretrainedFiles(c Config) (config, weights []byte, ok bool) {
	if PretrainedFS == nil {
		return nil, nil, false
	}
	dir := PretrainedDir(c)
	config, err1 := fs.ReadFile(PretrainedFS, path.Join(dir, ConfigFile))
	weights, err2 := fs.ReadFile(PretrainedFS, path.Join(dir, WeightsFile))
	return config, weights, err1 == nil && err2 == nil
}

// noPretrained is what a scene says when pretrained=1 finds no model.
const noPretrained = "No model trained in advance ships for these settings; training from scratch."

// pretrainedFlowScene starts the flow scene from the model shipped for c's
// run, or from scratch with a message when none ships.
func pretrainedFlowScene(c Config) (Scene, error) {
	if config, weights, ok := pretrainedFiles(c); ok {
		s, _, err := Load(c, config, weights)
		return s, err
	}
	s, err := NewFlowScene(c)
	if err == nil {
		s.err = noPretrained
	}
	return s, err
}
