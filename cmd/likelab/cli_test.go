package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"likelab/core/data"
	"likelab/core/dist"
	"likelab/core/nn"
)

// The CLI tests' scaffolding: running a command line in-process, the usage
// error check every command shares, and the checks on a trained 2D model.

// likelab runs one command line in-process and returns its exit status,
// stdout and stderr.
func likelab(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// checkUsage runs command lines that must fail as bad input: exit status 2
// and a one-line message. A line is the words of the command, DIR standing
// for dir at the start of a word, then optionally " | " and text the message
// must contain. A bare `likelab` prints the whole usage, so its message may
// be longer.
func checkUsage(t *testing.T, dir string, cmdLines ...string) {
	t.Helper()
	for i, line := range cmdLines {
		words, want, _ := strings.Cut(line, " | ")
		args := strings.Fields(words)
		for k, a := range args {
			if rest, ok := strings.CutPrefix(a, "DIR"); ok {
				args[k] = dir + rest
			}
		}
		code, _, stderr := likelab(t, "", args...)
		oneLine := len(args) == 0 || strings.Count(strings.TrimSpace(stderr), "\n") == 0
		if code != 2 || !oneLine || !strings.Contains(stderr, want) {
			t.Errorf("test %d %v: got exit %d, %q; want exit 2 and one line containing %q", i, args, code, stderr, want)
		}
	}
}

// trainCLI runs a `train` command line and fails the test unless it
// succeeds; it returns what the command printed.
func trainCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := likelab(t, "", append([]string{"train"}, args...)...)
	if code != 0 {
		t.Fatalf("train %v: exit %d: %s", args, code, stderr)
	}
	return out
}

// metricsLines counts the lines of a model directory's metrics.jsonl.
func metricsLines(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// sampleLogProb draws n samples from the 2D model in dir with `sample`,
// checks that the same seed draws them again, and that `logprob` gives each
// a finite log-density; it returns the samples as CSV.
func sampleLogProb(t *testing.T, dir string, n int) string {
	t.Helper()
	N := strconv.Itoa(n)
	code, samples, stderr := likelab(t, "", "sample", "--model", dir, "--n", N, "--seed", "9")
	if code != 0 || strings.Count(samples, "\n") != n {
		t.Fatalf("sample: exit %d, %d lines: %s", code, strings.Count(samples, "\n"), stderr)
	}
	if _, again, _ := likelab(t, "", "sample", "--model", dir, "--n", N, "--seed", "9"); again != samples {
		t.Errorf("sample is not reproducible for a fixed seed")
	}
	code, lps, stderr := likelab(t, samples, "logprob", "--model", dir)
	if code != 0 {
		t.Fatalf("logprob: exit %d: %s", code, stderr)
	}
	values := strings.Fields(lps)
	if len(values) != n {
		t.Fatalf("logprob printed %d values for %d rows", len(values), n)
	}
	for i, l := range values {
		if v, err := strconv.ParseFloat(l, 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("row %d: log-density %q", i, l)
		}
	}
	return samples
}

// unseenMixture is the acceptance tests' target: a Gaussian mixture no
// model has seen, with 20 000 of its samples written to a CSV file in dir.
func unseenMixture(t *testing.T, dir string) (mix *dist.GaussianMixture, csvPath string) {
	t.Helper()
	rng := nn.NewRNG(2026, 0)
	mix = dist.RandomMixture(rng, 5, 2, -3, 3)
	pts := make([]float64, 2*20000)
	mix.Sample(rng, pts)
	var csv bytes.Buffer
	csv.WriteString("x,y\n")
	if err := data.WriteCSV(&csv, pts); err != nil {
		t.Fatal(err)
	}
	csvPath = filepath.Join(dir, "points.csv")
	if err := os.WriteFile(csvPath, csv.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return mix, csvPath
}

// forwardKL estimates KL(p‖q) = E_p[log p(x) − log q(x)] from n held-out
// samples of mix (p) and the log-densities `logprob` prints for the model in
// dir (q), with its standard error.
func forwardKL(t *testing.T, dir string, mix *dist.GaussianMixture, n int) (kl, se float64) {
	t.Helper()
	test := make([]float64, 2*n)
	mix.Sample(nn.NewRNG(7, 7), test)
	var in bytes.Buffer
	data.WriteCSV(&in, test)
	code, out, stderr := likelab(t, in.String(), "logprob", "--model", dir)
	if code != 0 {
		t.Fatalf("logprob: exit %d: %s", code, stderr)
	}
	fields := strings.Fields(out)
	if len(fields) != n {
		t.Fatalf("logprob printed %d values for %d rows", len(fields), n)
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
	kl = sum / float64(n)
	se = math.Sqrt((sum2/float64(n) - kl*kl) / float64(n))
	t.Logf("forward KL on %d held-out samples: %.4f ± %.4f nats", n, kl, se)
	return kl, se
}
