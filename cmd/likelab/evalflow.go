package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"likelab/core/data"
	"likelab/core/is"
	"likelab/core/lab"
)

// defaultISDraws is `likelab eval`'s number of importance draws for a flow
// on an energy: issue 3's acceptance figure.
const defaultISDraws = 10_000

// checkObjective validates train flow's --objective and --target and
// returns the energy to train to by reverse KL (nil for maximum likelihood).
func checkObjective(objective, target string) (*data.Energy, error) {
	if !slices.Contains(lab.Objectives, objective) {
		return nil, usagef("--objective %q is not one of %s", objective, strings.Join(lab.Objectives, ", "))
	}
	if objective == "ml" {
		if target != "" {
			return nil, usagef("--target is for --objective reverse-kl; maximum likelihood learns --data")
		}
		return nil, nil
	}
	if target == "" {
		return nil, usagef("--objective reverse-kl needs --target energy:NAME (NAME one of %s)", strings.Join(lab.EnergyNames, ", "))
	}
	e, err := data.LookupEnergy(target)
	if err != nil {
		return nil, usagef("--target %q is not an energy (want energy:NAME, NAME one of %s)", target, strings.Join(lab.EnergyNames, ", "))
	}
	return e, nil
}

// readModelConfig reads a model directory's config.json, if it is one.
func readModelConfig(dir string) (lab.ModelConfig, error) {
	path := filepath.Join(dir, lab.ConfigFile)
	fi, err := os.Stat(path)
	if err != nil {
		return lab.ModelConfig{}, err
	}
	if fi.Size() > 1<<20 {
		return lab.ModelConfig{}, fmt.Errorf("%s is %d bytes, too large for a model config", path, fi.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return lab.ModelConfig{}, err
	}
	return lab.ReadModelConfig(b)
}

// isJSON is an is.Result as eval prints it: numbers that are not finite
// (an estimate from weights that are all zero, say) become null.
type isJSON struct {
	LogZ        *float64 `json:"logZ"`
	StdErr      *float64 `json:"stderr"`
	ESS         *float64 `json:"ess"`
	ESSFraction *float64 `json:"ess_fraction"`
	N           int      `json:"n"`
}

func toJSON(r is.Result) isJSON {
	return isJSON{LogZ: finiteOrNil(r.LogZ), StdErr: finiteOrNil(r.StdErr), ESS: finiteOrNil(r.ESS),
		ESSFraction: finiteOrNil(r.ESSFraction), N: r.N}
}

func finiteOrNil(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// evalFlowResult is what `likelab eval` prints for a flow trained on an
// energy: the importance-sampling estimate of log Z with the flow as the
// proposal (top level) and with the moment-matched Gaussian, from the same
// number of draws, and the true value.
type evalFlowResult struct {
	Model     string `json:"model"`
	Energy    string `json:"energy"`
	Objective string `json:"objective"`
	isJSON
	TrueLogZ float64 `json:"true_logZ"`
	Gaussian isJSON  `json:"gaussian"`
	Seconds  float64 `json:"seconds"`
}

// evalFlow estimates log Z of the energy the flow in dir was trained on,
// with n draws (0: defaultISDraws) from the random streams of seed.
func evalFlow(dir string, mc lab.ModelConfig, n int, seed uint64, stdout io.Writer) error {
	name := mc.Train.Energy
	if name == "" && strings.HasPrefix(mc.Train.Data, "energy:") {
		name = mc.Train.Data // trained by maximum likelihood on an energy's samples
	}
	if name == "" {
		return usagef("%s: the flow learnt %q, which is not an energy; eval of a flow estimates an energy's log Z (train with --objective reverse-kl --target energy:NAME)", dir, mc.Train.Data)
	}
	e, err := data.LookupEnergy(name)
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v", dir, err)}
	}
	if n == 0 {
		n = defaultISDraws
	}
	if n < 2 {
		return usagef("--n %d: a standard error needs at least 2 draws", n)
	}
	f, _, err := lab.FlowFile.Load(dir)
	if err != nil {
		return usageError{err.Error()}
	}
	if f.Dim() != 2 {
		return usagef("%s: the flow is %d-dimensional; the energies are 2D", dir, f.Dim())
	}
	start := time.Now()
	rep, err := lab.EvaluateIS(f, e, n, seed)
	if err != nil {
		return err
	}
	objective := mc.Train.Objective
	if objective == "" {
		objective = "ml"
	}
	res := evalFlowResult{Model: dir, Energy: e.Name(), Objective: objective, isJSON: toJSON(rep.Result),
		TrueLogZ: rep.TrueLogZ, Gaussian: toJSON(rep.Gaussian), Seconds: time.Since(start).Seconds()}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", b)
	return nil
}
