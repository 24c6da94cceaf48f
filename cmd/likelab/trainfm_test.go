package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"likelab/core/lab"
)

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
		"--steps", "100", "--batch", "64", "--ot", "--solver", "midpoint", "--nfe", "8", "--seed", "3", "--out", dir)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"steps":100`) {
		t.Errorf("train output %q", out)
	}
	var mc lab.ModelConfig
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if err := json.Unmarshal(b, &mc); err != nil || mc.Family != "fm" || mc.FM == nil ||
		!mc.FM.OT || mc.FM.Solver != "midpoint" || mc.FM.NFE != 8 || mc.FM.Hidden != 16 || mc.Train.Data != "moons" {
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
