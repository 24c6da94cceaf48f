package lab

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"likelab/core/nn"
	"likelab/core/vae"
)

func TestVAEModelRoundTrip(t *testing.T) {
	t.Parallel()
	for i, post := range vae.Posteriors {
		v, err := vae.New(vae.Spec{Width: 4, Height: 3, Channels: 3, Latent: 2, Hidden: []int{5}, Likelihood: "gaussian", Posterior: post}, nn.NewRNG(uint64(i)+1, 0))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		info := TrainInfo{Data: "fruits", Steps: 10, Batch: 4, LR: 1e-3, Seed: 3}
		if err := SaveVAEModel(dir, v, info); err != nil {
			t.Fatal(err)
		}
		got, mc, err := LoadVAEModel(dir)
		if err != nil {
			t.Fatalf("test %d (%s): %v", i, post, err)
		}
		if mc.Family != "vae" || mc.Train != info || got.Spec.Posterior != post {
			t.Errorf("test %d: got family %q, train %+v, posterior %q", i, mc.Family, mc.Train, got.Spec.Posterior)
		}
		want, have := v.Params(), got.Params()
		for k := range want {
			if want[k].Name != have[k].Name || !slices.Equal(want[k].Val, have[k].Val) {
				t.Errorf("test %d: parameter %s differs after a round trip", i, want[k].Name)
			}
		}
		// a flow model directory is not a VAE
		if _, _, err := DecodeFlowModel(mustRead(t, filepath.Join(dir, ConfigFile)), mustRead(t, filepath.Join(dir, WeightsFile))); err == nil {
			t.Errorf("test %d: a VAE decoded as a flow", i)
		}
	}
}

func TestVAEModelRejectsMismatch(t *testing.T) {
	t.Parallel()
	v, _ := vae.New(vae.Spec{Width: 2, Height: 2, Channels: 1, Latent: 2, Hidden: []int{3}, Likelihood: "bernoulli"}, nn.NewRNG(1, 0))
	config, weights, err := EncodeVAEModel(v, TrainInfo{})
	if err != nil {
		t.Fatal(err)
	}
	bigger := strings.Replace(string(config), `"latent": 2`, `"latent": 3`, 1)
	if _, _, err := DecodeVAEModel([]byte(bigger), weights); !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), WeightsFile) {
		t.Errorf("latent size changed: got %v, want a bad-model error naming %s", err, WeightsFile)
	}
	bad := strings.Replace(string(config), `"bernoulli"`, `"poisson"`, 1)
	if _, _, err := DecodeVAEModel([]byte(bad), weights); !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), "likelihood") {
		t.Errorf("unknown likelihood: got %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
