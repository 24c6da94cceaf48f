package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"likelab/core/data"
	"likelab/core/dist"
	"likelab/core/lab"
	"likelab/core/nn"
)

var (
	fmHidden = envOr("FMH", "64")
	fmSteps  = envOr("FMS", "3000")
	fmLR     = envOr("FMLR", "2e-3")
	fmBatch  = envOr("FMB", "256")
	fmOT     = envOr("FMOT", "false")
)

func envOr(k, d string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return d
}

func TestTrainFMBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, args := range [][]string{
		{"train", "fm"},
		{"train", "fm", "--layers", "0", "--out", dir},
		{"train", "fm", "--hidden", "lots", "--out", dir},
		{"train", "fm", "--solver", "heun", "--out", dir},
		{"train", "fm", "--nfe", "0", "--out", dir},
		{"train", "fm", "--std", "0", "--out", dir},
		{"train", "fm", "--activation", "gelu", "--out", dir},
		{"train", "fm", "--data", "qr:", "--out", dir},
		{"train", "fm", "--data", "qr:" + strings.Repeat("x", 65), "--out", dir},
		{"train", "fm", "--data", "nonsense", "--out", dir},
		{"train", "fm", "--ot=maybe", "--out", dir},
		{"train", "fm", "--lr-schedule", "linear", "--out", dir},
		{"train", "fm", "--space-freqs", "13", "--out", dir},
		{"train", "fm", "--out", dir, "extra"},
	} {
		code, _, stderr := likelab(t, "", args...)
		if code != 2 {
			t.Errorf("test %d %v: got exit %d want 2 (stderr %q)", i, args, code, stderr)
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("test %d %v: message is not one line: %q", i, args, stderr)
		}
	}
	if code, _, stderr := likelab(t, "", "train", "fm", "--help"); code != 0 || !strings.Contains(stderr, "-ot") {
		t.Errorf("--help: exit %d, stderr %q", code, stderr)
	}
}

// TestTrainFMSampleLogProb trains a small flow-matching model from the CLI
// and reads it back with sample and logprob.
func TestTrainFMSampleLogProb(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, stderr := likelab(t, "", "train", "fm", "--data", "moons", "--hidden", "16", "--layers", "2",
		"--steps", "100", "--batch", "64", "--ot", "--space-freqs", "2", "--solver", "midpoint", "--nfe", "8", "--seed", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"steps":100`) {
		t.Errorf("train output %q", out)
	}
	var mc lab.ModelConfig
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &mc); err != nil || mc.Family != "fm" || mc.FM == nil ||
		!mc.FM.OT || mc.FM.Solver != "midpoint" || mc.FM.NFE != 8 || mc.FM.Hidden != 16 || mc.FM.SpaceFreqs != 2 || mc.Train.Data != "moons" {
		t.Errorf("config.json: %v %s", err, b)
	}
	metrics, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if n := strings.Count(string(metrics), "\n"); n != 10 {
		t.Errorf("metrics.jsonl has %d lines, want 10", n)
	}
	code, samples, stderr := likelab(t, "", "sample", "--model", dir, "--n", "300", "--seed", "9")
	if code != 0 || strings.Count(samples, "\n") != 300 {
		t.Fatalf("sample: exit %d, %d lines: %s", code, strings.Count(samples, "\n"), stderr)
	}
	if _, again, _ := likelab(t, "", "sample", "--model", dir, "--n", "300", "--seed", "9"); again != samples {
		t.Errorf("sample is not reproducible for a fixed seed")
	}
	code, lps, stderr := likelab(t, samples, "logprob", "--model", dir)
	if code != 0 {
		t.Fatalf("logprob: exit %d: %s", code, stderr)
	}
	lines := strings.Fields(lps)
	if len(lines) != 300 {
		t.Fatalf("logprob printed %d values for 300 rows", len(lines))
	}
	for i, l := range lines {
		if v, err := strconv.ParseFloat(l, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("row %d: log-density %q", i, l)
		}
	}
}

// TestFMLearnsUnseenMixtureFromCSV is the likelihood check for flow
// matching: a velocity network trained from the CLI on 20 000 samples of a
// Gaussian mixture it has never seen (the same draw as the flow test's) must
// reach a forward KL of at most 0.06 nats, from the exact ODE log-densities
// `logprob` prints for held-out samples: KL(p‖q) = E_p[log p(x) − log q(x)].
func TestFMLearnsUnseenMixtureFromCSV(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for thousands of steps; skipped with -short")
	}
	t.Parallel()
	dir := t.TempDir()
	rng := nn.NewRNG(2026, 0)
	mix := dist.RandomMixture(rng, 5, 2, -3, 3)
	trainPts := make([]float64, 2*20000)
	mix.Sample(rng, trainPts)
	var csv bytes.Buffer
	csv.WriteString("x,y\n")
	if err := data.WriteCSV(&csv, trainPts); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "points.csv")
	if err := os.WriteFile(csvPath, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "model")
	code, _, stderr := likelab(t, "", "train", "fm", "--data", csvPath, "--hidden", fmHidden, "--layers", "3",
		"--steps", fmSteps, "--batch", fmBatch, "--lr", fmLR, "--seed", "1", "--out", model, "--ot="+fmOT)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	const nTest = 4000
	test := make([]float64, 2*nTest)
	mix.Sample(nn.NewRNG(7, 7), test)
	var in bytes.Buffer
	data.WriteCSV(&in, test)
	code, out, stderr := likelab(t, in.String(), "logprob", "--model", model)
	if code != 0 {
		t.Fatalf("logprob: exit %d: %s", code, stderr)
	}
	fields := strings.Fields(out)
	if len(fields) != nTest {
		t.Fatalf("logprob printed %d values for %d rows", len(fields), nTest)
	}
	var sum, sum2 float64
	for i, f := range fields {
		lq, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		d := mix.LogProb(test[2*i:2*i+2]) - lq
		sum += d
		sum2 += d * d
	}
	kl := sum / nTest
	se := math.Sqrt((sum2/nTest - kl*kl) / nTest)
	t.Logf("forward KL on %d held-out samples: %.4f ± %.4f nats", nTest, kl, se)
	if kl > 0.06 {
		t.Errorf("forward KL %.4f nats, want ≤ 0.06", kl)
	}
}
