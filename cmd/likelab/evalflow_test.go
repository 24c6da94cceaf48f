package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"likelab/core/data"
	"likelab/core/lab"
)

func TestReverseKLBadInputExitsTwo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mlDir := filepath.Join(dir, "ml")
	trainCLI(t, "flow", "--data", "moons", "--layers", "2", "--hidden", "4", "--steps", "5", "--out", mlDir)
	checkUsage(t, dir,
		"train flow --objective rkl --out DIR | not one of ml, reverse-kl",
		"train flow --objective reverse-kl --out DIR | needs --target",
		"train flow --objective reverse-kl --target moons --out DIR | not an energy",
		"train flow --target energy:u1 --out DIR | --target is for --objective reverse-kl",
		"eval --model DIR/ml | not an energy",
	)
}

// TestTrainReverseKLAndEval trains a small flow to an energy from the CLI,
// reads what config.json records and what eval prints, and checks that eval
// is reproducible and its Gaussian baseline right.
func TestTrainReverseKLAndEval(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "banana")
	trainCLI(t, "flow", "--objective", "reverse-kl", "--target", "energy:banana",
		"--layers", "2", "--hidden", "16", "--steps", "200", "--lr", "3e-3", "--out", dir)
	mc, err := readModelConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mc.Train.Objective != "reverse-kl" || mc.Train.Energy != "energy:banana" || mc.Train.Steps != 200 {
		t.Errorf("config.json train: %+v", mc.Train)
	}
	var outs [2]string
	for k := range outs {
		var code int
		var stderr string
		code, outs[k], stderr = likelab(t, "", "eval", "--model", dir, "--n", "4000", "--seed", "3")
		if code != 0 {
			t.Fatalf("eval: exit %d: %s", code, stderr)
		}
	}
	var res [2]map[string]any
	for k := range outs {
		if err := json.Unmarshal([]byte(outs[k]), &res[k]); err != nil {
			t.Fatalf("eval printed %q: %v", outs[k], err)
		}
		delete(res[k], "seconds")
	}
	for _, key := range []string{"logZ", "stderr", "ess", "ess_fraction", "true_logZ", "gaussian", "n", "energy", "objective"} {
		if _, ok := res[0][key]; !ok {
			t.Errorf("eval output lacks %q: %s", key, outs[0])
		}
	}
	a, _ := json.Marshal(res[0])
	b, _ := json.Marshal(res[1])
	if string(a) != string(b) {
		t.Errorf("eval with the same seed differs:\n%s\n%s", a, b)
	}
	e, _ := data.LookupEnergy("banana")
	if got := res[0]["true_logZ"].(float64); got != e.LogZ() {
		t.Errorf("true_logZ %v want %v", got, e.LogZ())
	}
	g := res[0]["gaussian"].(map[string]any)
	// The moment-matched Gaussian's estimate is unbiased: within 5 of its
	// standard errors of the truth.
	if gz, gse := g["logZ"].(float64), g["stderr"].(float64); math.Abs(gz-e.LogZ()) > 5*gse || g["n"].(float64) != 4000 {
		t.Errorf("Gaussian estimate %v ± %v (n %v), true %v", gz, gse, g["n"], e.LogZ())
	}
	// The flow's ESS fraction is between 0 and 1 and agrees with ESS/n.
	if f, ess := res[0]["ess_fraction"].(float64), res[0]["ess"].(float64); !(f > 0 && f <= 1) || math.Abs(ess/4000-f) > 1e-12 {
		t.Errorf("flow ESS %v, fraction %v", ess, f)
	}
	// render draws it beside its energy
	if code, _, stderr := likelab(t, "", "render", "--model", dir, "--out", filepath.Join(dir, "banana.png")); code != 0 {
		t.Errorf("render: exit %d: %s", code, stderr)
	}
	// sample and logprob read the model too (it is an ordinary flow)
	if code, out, stderr := likelab(t, "", "sample", "--model", dir, "--n", "3"); code != 0 || strings.Count(out, "\n") != 3 {
		t.Errorf("sample: exit %d, %q, %s", code, out, stderr)
	}
	if _, _, err := lab.FlowFile.Load(dir); err != nil {
		t.Error(err)
	}
}
