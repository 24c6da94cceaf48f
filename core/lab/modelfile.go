package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
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
	// maxWeightsBytes bounds model.safetensors before it is read from a
	// directory: a VAE of the largest hidden layers vae.Spec allows on 64×64
	// colour images stays below 1 GiB in float64, and every 2D model the
	// page or the CLI trains is far smaller.
	maxWeightsBytes = 1 << 30
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

// ModelFile is the model file of one family — FlowFile, FMFile and VAEFile
// (family.go) — the same for the CLI and the page: config.json names the
// family and holds its spec S, model.safetensors the parameters of the model
// M the spec describes. Encoding, decoding, limits and atomic saving are
// shared by every family.
type ModelFile[S any, M interface{ Params() []*nn.Param }] struct {
	family string // config.json's "family"
	noun   string // the model in a message: "a flow"
	// spec is where config.json keeps the family's spec.
	spec func(*ModelConfig) **S
	// validate reports what is wrong with a spec read from a file.
	validate func(S) error
	// minParams is a lower bound on the parameter count of the model a
	// valid spec describes, so that a config.json asking for far more
	// parameters than model.safetensors holds is refused before anything
	// that size is allocated.
	minParams func(S) int
	// build makes the model a valid spec describes, initialised from rng.
	build func(S, *rand.Rand) (M, error)
}

// Encode returns config.json and model.safetensors of m, which spec
// describes, trained as info says.
func (f ModelFile[S, M]) Encode(spec S, m M, info TrainInfo) (config, weights []byte, err error) {
	mc := ModelConfig{Format: modelFormat, Version: modelVersion, Family: f.family, Train: info}
	*f.spec(&mc) = &spec
	if config, err = json.MarshalIndent(mc, "", "  "); err != nil {
		return nil, nil, err
	}
	weights, err = train.EncodeSafetensors(m.Params(), map[string]string{"format": modelFormat, "family": f.family})
	return append(config, '\n'), weights, err
}

// Decode rebuilds the model from config.json and model.safetensors.
// Nothing is returned unless both files are whole and agree.
func (f ModelFile[S, M]) Decode(config, weights []byte) (M, ModelConfig, error) {
	var none M
	mc, err := decodeHeader(config)
	if err != nil {
		return none, mc, err
	}
	sp := *f.spec(&mc)
	if mc.Family != f.family || sp == nil {
		return none, mc, fmt.Errorf("%w: %s describes a %q model, not %s", ErrModel, ConfigFile, mc.Family, f.noun)
	}
	if err := f.validate(*sp); err != nil {
		return none, mc, fmt.Errorf("%w: %s: %v", ErrModel, ConfigFile, err)
	}
	// The weights are read first: their size is bounded by the file's, while
	// the model config.json asks for is only bounded by the spec's limits.
	ts, _, err := train.ReadSafetensors(weights)
	if err != nil {
		return none, mc, fmt.Errorf("%w: %s: %v", ErrModel, WeightsFile, err)
	}
	have := 0
	for _, t := range ts {
		have += len(t.Data)
	}
	if need := f.minParams(*sp); need > have {
		return none, mc, fmt.Errorf("%w: %s describes a model of at least %d parameters; %s holds %d", ErrModel, ConfigFile, need, WeightsFile, have)
	}
	m, err := f.build(*sp, nn.NewRNG(0, 0))
	if err != nil {
		return none, mc, fmt.Errorf("%w: %s: %v", ErrModel, ConfigFile, err)
	}
	if err := train.LoadParams(m.Params(), ts); err != nil {
		return none, mc, fmt.Errorf("%w: %s: %v", ErrModel, WeightsFile, err)
	}
	return m, mc, nil
}

// Save writes config.json and model.safetensors into dir, each atomically,
// creating dir if needed.
func (f ModelFile[S, M]) Save(dir string, spec S, m M, info TrainInfo) error {
	config, weights, err := f.Encode(spec, m, info)
	if err != nil {
		return err
	}
	return WriteModel(dir, config, weights)
}

// Load reads a model directory written by Save (or by WriteModel).
func (f ModelFile[S, M]) Load(dir string) (M, ModelConfig, error) {
	var none M
	config, weights, err := readModel(dir)
	if err != nil {
		return none, ModelConfig{}, err
	}
	return f.Decode(config, weights)
}

// WriteModel writes a model's config.json and model.safetensors (as Encode
// or a scene's Save returns them) into dir, each atomically, creating dir if
// needed. The weights go first: a reader that finds the new config.json
// finds weights at least as new.
func WriteModel(dir string, config, weights []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := train.WriteFileAtomic(filepath.Join(dir, WeightsFile), weights); err != nil {
		return err
	}
	return train.WriteFileAtomic(filepath.Join(dir, ConfigFile), config)
}

// readModel reads a model directory's two files, each within its limit.
func readModel(dir string) (config, weights []byte, err error) {
	if config, err = readLimited(filepath.Join(dir, ConfigFile), maxConfigBytes); err != nil {
		return nil, nil, err
	}
	if weights, err = readLimited(filepath.Join(dir, WeightsFile), maxWeightsBytes); err != nil {
		return nil, nil, err
	}
	return config, weights, nil
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
