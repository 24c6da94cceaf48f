package lab

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"likelab/core/flow"
	"likelab/core/fm"
	"likelab/core/nn"
	"likelab/core/vae"
)

// fileCase is a freshly initialised model of one family and its model
// file.
type fileCase struct {
	name   string
	family string
	params []*nn.Param
	save   func(dir string, info TrainInfo) error
	load   func(dir string) ([]*nn.Param, ModelConfig, error)
	// grow edits config.json to describe a model the weights do not fit;
	// huge, one whose least parameter count is far beyond them (none when
	// the family has no such bound).
	grow, huge [2]string
}

// caseOf makes a fileCase of the model m, which spec describes.
func caseOf[S any, M interface{ Params() []*nn.Param }](name string, file ModelFile[S, M], spec S, m M, grow, huge [2]string) fileCase {
	return fileCase{name: name, family: file.family, params: m.Params(), grow: grow, huge: huge,
		save: func(dir string, info TrainInfo) error { return file.Save(dir, spec, m, info) },
		load: func(dir string) ([]*nn.Param, ModelConfig, error) {
			got, mc, err := file.Load(dir)
			if err != nil {
				return nil, mc, err
			}
			return got.Params(), mc, nil
		}}
}

// fileCases is one model of each family (and each VAE posterior), with
// weights from seeds other than the decoder's, so a round trip that loses
// them shows.
func fileCases(t *testing.T) []fileCase {
	t.Helper()
	var cases []fileCase
	for i, fc := range []struct {
		spec       flow.Spec
		grow, huge [2]string
	}{
		{flow.Spec{Model: "realnvp", Dim: 2, Layers: 2, Hidden: 8}, [2]string{`"layers": 2`, `"layers": 3`}, [2]string{`"hidden": 8`, `"hidden": 4096`}},
		{flow.Spec{Model: "nsf", Dim: 3, Layers: 2, Hidden: 8, Bins: 4, Bound: 2}, [2]string{`"bins": 4`, `"bins": 5`}, [2]string{`"hidden": 8`, `"hidden": 4096`}},
		// planar layers have no conditioner, so no lower bound beyond the file
		{flow.Spec{Model: "planar", Dim: 2, Layers: 3, Hidden: 4}, [2]string{`"layers": 3`, `"layers": 4`}, [2]string{}},
	} {
		f, err := flow.New(fc.spec, nn.NewRNG(uint64(i)+1, 7))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, caseOf("flow "+fc.spec.Model, FlowFile, fc.spec, f, fc.grow, fc.huge))
	}
	fs := fm.DefaultSpec()
	fs.Hidden, fs.Layers, fs.SpaceFreqs = 8, 2, 1
	m, err := fm.New(fs, nn.NewRNG(5, 7))
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, caseOf("fm", FMFile, m.Spec, m, [2]string{`"hidden": 8`, `"hidden": 9`}, [2]string{`"hidden": 8`, `"hidden": 4096`}))
	for i, post := range vae.Posteriors {
		v, err := vae.New(vae.Spec{Width: 4, Height: 3, Channels: 3, Latent: 2, Hidden: []int{5}, Likelihood: "gaussian", Posterior: post},
			nn.NewRNG(uint64(i)+1, 0))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, caseOf("vae "+post, VAEFile, v.Spec, v, [2]string{`"latent": 2`, `"latent": 3`}, [2]string{`"width": 4`, `"width": 512`}))
	}
	return cases
}

// decoders decode a model file as each family, for checking that a family
// refuses the others' files.
var decoders = map[string]func(config, weights []byte) error{
	"flow": func(c, w []byte) error { _, _, err := FlowFile.Decode(c, w); return err },
	"fm":   func(c, w []byte) error { _, _, err := FMFile.Decode(c, w); return err },
	"vae":  func(c, w []byte) error { _, _, err := VAEFile.Decode(c, w); return err },
}

// TestModelFilesRoundTrip saves a model of every family and reads it back:
// the same parameters, family and training record, and only its own
// family's decoder accepts it.
func TestModelFilesRoundTrip(t *testing.T) {
	t.Parallel()
	for i, tc := range fileCases(t) {
		dir := t.TempDir()
		info := TrainInfo{Data: "moons", Steps: 10 + i, Batch: 4, LR: 1e-3, Seed: 3, Objective: "ml"}
		if err := tc.save(dir, info); err != nil {
			t.Fatalf("test %d (%s): save: %v", i, tc.name, err)
		}
		got, mc, err := tc.load(dir)
		if err != nil {
			t.Fatalf("test %d (%s): load: %v", i, tc.name, err)
		}
		if mc.Family != tc.family || mc.Train != info {
			t.Errorf("test %d (%s): got family %q, train %+v; want %q, %+v", i, tc.name, mc.Family, mc.Train, tc.family, info)
		}
		if len(got) != len(tc.params) {
			t.Fatalf("test %d (%s): got %d parameters want %d", i, tc.name, len(got), len(tc.params))
		}
		for k, p := range tc.params {
			if got[k].Name != p.Name || !slices.Equal(got[k].Val, p.Val) {
				t.Errorf("test %d (%s): parameter %s differs after a round trip", i, tc.name, p.Name)
			}
		}
		config, weights := mustRead(t, filepath.Join(dir, ConfigFile)), mustRead(t, filepath.Join(dir, WeightsFile))
		for fam, decode := range decoders {
			if err := decode(config, weights); (fam == tc.family) != (err == nil) {
				t.Errorf("test %d (%s): decoded as a %s model: %v", i, tc.name, fam, err)
			}
		}
		if err := WriteModel(dir, config, weights); err != nil {
			t.Errorf("test %d (%s): WriteModel: %v", i, tc.name, err)
		}
		if _, _, err := tc.load(dir); err != nil {
			t.Errorf("test %d (%s): load after WriteModel: %v", i, tc.name, err)
		}
	}
}

// TestModelFilesRefuseMismatch damages each family's files: every damage is
// refused as a bad model, and the message names the file at fault.
func TestModelFilesRefuseMismatch(t *testing.T) {
	t.Parallel()
	for i, tc := range fileCases(t) {
		dir := t.TempDir()
		if err := tc.save(dir, TrainInfo{}); err != nil {
			t.Fatal(err)
		}
		config, weights := string(mustRead(t, filepath.Join(dir, ConfigFile))), mustRead(t, filepath.Join(dir, WeightsFile))
		for j, d := range []struct {
			config  string
			weights []byte
			want    string // in the message
		}{
			{config, weights[:len(weights)-8], WeightsFile},
			{strings.Replace(config, tc.grow[0], tc.grow[1], 1), weights, WeightsFile},
			{strings.Replace(config, tc.huge[0], tc.huge[1], 1), weights, "at least"},
			{strings.Replace(config, `"likelab-model"`, `"other-model"`, 1), weights, "not a likelab model"},
			{strings.Replace(config, `"version": 1`, `"version": 2`, 1), weights, "version 2"},
			{strings.Replace(config, `"family": "`+tc.family+`"`, `"family": "gan"`, 1), weights, `"gan"`},
			{config[:len(config)/2], weights, "not valid JSON"},
		} {
			if j == 2 && tc.huge[0] == "" {
				continue
			}
			if d.config == config && j > 0 {
				t.Fatalf("test %d (%s) damage %d: the edit did not apply", i, tc.name, j)
			}
			err := decoders[tc.family]([]byte(d.config), d.weights)
			if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), d.want) {
				t.Errorf("test %d (%s) damage %d: got %v, want a bad-model error saying %q", i, tc.name, j, err, d.want)
			}
		}
	}
	// a spec its family's validation refuses is named
	v, _ := vae.New(vae.Spec{Width: 2, Height: 2, Channels: 1, Latent: 2, Hidden: []int{3}, Likelihood: "bernoulli"}, nn.NewRNG(1, 0))
	config, weights, err := VAEFile.Encode(v.Spec, v, TrainInfo{})
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(config), `"bernoulli"`, `"poisson"`, 1)
	if _, _, err := VAEFile.Decode([]byte(bad), weights); !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), "likelihood") {
		t.Errorf("unknown likelihood: got %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
