package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"likelab/core/nn"
	"likelab/core/train"
	"likelab/core/vae"
)

// EncodeVAEModel returns config.json and model.safetensors of a VAE.
func EncodeVAEModel(v *vae.VAE, info TrainInfo) (config, weights []byte, err error) {
	spec := v.Spec
	mc := ModelConfig{Format: modelFormat, Version: modelVersion, Family: "vae", VAE: &spec, Train: info}
	if config, err = json.MarshalIndent(mc, "", "  "); err != nil {
		return nil, nil, err
	}
	weights, err = train.EncodeSafetensors(v.Params(), map[string]string{"format": modelFormat, "family": "vae"})
	return append(config, '\n'), weights, err
}

// DecodeVAEModel rebuilds a VAE from config.json and model.safetensors.
// Nothing is returned unless both files are whole and agree.
func DecodeVAEModel(config, weights []byte) (*vae.VAE, ModelConfig, error) {
	mc, err := decodeHeader(config)
	if err != nil {
		return nil, mc, err
	}
	if mc.Family != "vae" || mc.VAE == nil {
		return nil, mc, fmt.Errorf("%w: %s describes a %q model, not a VAE", ErrModel, ConfigFile, mc.Family)
	}
	v, err := vae.New(*mc.VAE, nn.NewRNG(0, 0))
	if err != nil {
		return nil, mc, fmt.Errorf("%w: %s: %v", ErrModel, ConfigFile, err)
	}
	ts, _, err := train.ReadSafetensors(weights)
	if err == nil {
		err = train.LoadParams(v.Params(), ts)
	}
	if err != nil {
		return nil, mc, fmt.Errorf("%w: %s: %v", ErrModel, WeightsFile, err)
	}
	return v, mc, nil
}

// SaveVAEModel writes config.json and model.safetensors into dir, each
// atomically, creating dir if needed.
func SaveVAEModel(dir string, v *vae.VAE, info TrainInfo) error {
	config, weights, err := EncodeVAEModel(v, info)
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

// LoadVAEModel reads a model directory written by SaveVAEModel.
func LoadVAEModel(dir string) (*vae.VAE, ModelConfig, error) {
	config, err := readLimited(filepath.Join(dir, ConfigFile), maxConfigBytes)
	if err != nil {
		return nil, ModelConfig{}, err
	}
	weights, err := readLimited(filepath.Join(dir, WeightsFile), maxVAEWeightsBytes)
	if err != nil {
		return nil, ModelConfig{}, err
	}
	return DecodeVAEModel(config, weights)
}

// maxVAEWeightsBytes bounds model.safetensors before it is read: a VAE of the
// largest hidden layers vae.Spec allows on 64×64 colour images stays below
// 1 GiB in float64.
const maxVAEWeightsBytes = 1 << 30
