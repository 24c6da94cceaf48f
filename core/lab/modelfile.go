package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"likelab/core/flow"
	"likelab/core/fm"
	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
)

// The files of a saved model directory, the same for the CLI and the page.
const (
	WeightsFile = "model.safetensors"
	ConfigFile  = "config.json"
	MetricsFile = "metrics.jsonl"
	// modelFormat and modelVersion mark config.json so a foreign or future
	// file is recognised as such.
	modelFormat  = "likelab-model"
	modelVersion = 1
	// maxConfigBytes bounds config.json before it is parsed.
	maxConfigBytes = 1 << 20
)

// ModelConfig is config.json: what the model is (enough to rebuild it) and
// how it was trained.
type ModelConfig struct {
	Format  string     `json:"format"`
	Version int        `json:"version"`
	Family  string     `json:"family"`
	Flow    *flow.Spec `json:"flow,omitempty"`
	VAE     *vae.Spec  `json:"vae,omitempty"`
	FM      *fm.Spec   `json:"fm,omitempty"`
	Train   TrainInfo  `json:"train"`
}

// TrainInfo records how a model was trained.
type TrainInfo struct {
	Data  string  `json:"data"`
	Steps int     `json:"steps"`
	Batch int     `json:"batch"`
	LR    float64 `json:"lr"`
	Seed  uint64  `json:"seed"`
	// Objective is how a flow was trained: "ml" (maximum likelihood on
	// samples of Data; empty in older files) or "reverse-kl" (to Energy).
	Objective string `json:"objective,omitempty"`
	// Energy names the energy ("energy:NAME") a flow was trained to by
	// reverse KL, whose log Z `likelab eval` then estimates.
	Energy string `json:"energy,omitempty"`
}

// ErrModel wraps every problem with a saved model.
var ErrModel = errors.New("bad model")

// EncodeFlowModel returns config.json and model.safetensors of a flow.
func EncodeFlowModel(spec flow.Spec, f *flow.Flow, info TrainInfo) (config, weights []byte, err error) {
	mc := ModelConfig{Format: modelFormat, Version: modelVersion, Family: "flow", Flow: &spec, Train: info}
	if config, err = json.MarshalIndent(mc, "", "  "); err != nil {
		return nil, nil, err
	}
	weights, err = train.EncodeSafetensors(f.Params(), map[string]string{"format": modelFormat, "family": "flow"})
	return append(config, '\n'), weights, err
}

// DecodeFlowModel rebuilds a flow from config.json and model.safetensors.
// Nothing is returned unless both files are whole and agree.
func DecodeFlowModel(config, weights []byte) (*flow.Flow, ModelConfig, error) {
	mc, err := decodeHeader(config)
	if err != nil {
		return nil, mc, err
	}
	if mc.Family != "flow" || mc.Flow == nil {
		return nil, mc, fmt.Errorf("%w: %s describes a %q model, not a flow", ErrModel, ConfigFile, mc.Family)
	}
	if err := mc.Flow.Validate(); err != nil {
		return nil, mc, fmt.Errorf("%w: %s: %v", ErrModel, ConfigFile, err)
	}
	// The weights are read first: their size is bounded by the file's, while
	// the model config.json asks for is only bounded by Spec's limits. A
	// config asking for far more parameters than the file holds is refused
	// before anything that size is allocated.
	ts, _, err := train.ReadSafetensors(weights)
	if err != nil {
		return nil, mc, fmt.Errorf("%w: %s: %v", ErrModel, WeightsFile, err)
	}
	have := 0
	for _, t := range ts {
		have += len(t.Data)
	}
	if need := minParams(*mc.Flow); need > have {
		return nil, mc, fmt.Errorf("%w: %s describes a model of at least %d parameters; %s holds %d", ErrModel, ConfigFile, need, WeightsFile, have)
	}
	f, err := flow.New(*mc.Flow, nn.NewRNG(0, 0))
	if err != nil {
		return nil, mc, fmt.Errorf("%w: %s: %v", ErrModel, ConfigFile, err)
	}
	if err := train.LoadParams(f.Params(), ts); err != nil {
		return nil, mc, fmt.Errorf("%w: %s: %v", ErrModel, WeightsFile, err)
	}
	return f, mc, nil
}

// ReadModelConfig parses a model directory's config.json and checks that it
// is a likelab model of a version this build reads.
func ReadModelConfig(config []byte) (ModelConfig, error) { return decodeHeader(config) }

// decodeHeader parses config.json and checks that it is a likelab model of
// a version this build reads.
func decodeHeader(config []byte) (ModelConfig, error) {
	var mc ModelConfig
	if len(config) > maxConfigBytes {
		return mc, fmt.Errorf("%w: %s is over %d bytes", ErrModel, ConfigFile, maxConfigBytes)
	}
	if err := json.Unmarshal(config, &mc); err != nil {
		return mc, fmt.Errorf("%w: %s is not valid JSON: %v", ErrModel, ConfigFile, err)
	}
	if mc.Format != modelFormat {
		return mc, fmt.Errorf("%w: %s is not a likelab model (format %q)", ErrModel, ConfigFile, mc.Format)
	}
	if mc.Version != modelVersion {
		return mc, fmt.Errorf("%w: %s has version %d; this likelab reads version %d", ErrModel, ConfigFile, mc.Version, modelVersion)
	}
	return mc, nil
}

// minParams is a lower bound on the parameter count of the flow s
// describes: conditioner networks hold at least hidden² weights per layer.
func minParams(s flow.Spec) int {
	switch s.Model {
	case "realnvp", "nsf", "maf", "iaf":
		return s.Layers * s.Hidden * s.Hidden
	}
	return 0
}

// SaveFlowModel writes config.json and model.safetensors into dir, each
// atomically, creating dir if needed.
func SaveFlowModel(dir string, spec flow.Spec, f *flow.Flow, info TrainInfo) error {
	config, weights, err := EncodeFlowModel(spec, f, info)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := train.WriteFileAtomic(filepath.Join(dir, WeightsFile), weights); err != nil {
		return err
	}
	return train.WriteFileAtomic(filepath.Join(dir, ConfigFile), config)
}

// LoadFlowModel reads a model directory written by SaveFlowModel.
func LoadFlowModel(dir string) (*flow.Flow, ModelConfig, error) {
	config, err := readLimited(filepath.Join(dir, ConfigFile), maxConfigBytes)
	if err != nil {
		return nil, ModelConfig{}, err
	}
	weights, err := os.ReadFile(filepath.Join(dir, WeightsFile))
	if err != nil {
		return nil, ModelConfig{}, err
	}
	return DecodeFlowModel(config, weights)
}

func readLimited(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes, over the %d-byte limit", ErrModel, path, fi.Size(), limit)
	}
	return os.ReadFile(path)
}
