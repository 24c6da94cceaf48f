package lab

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// TestBenchMeasuresEveryFigure runs the whole suite for a moment: every
// figure comes back positive and finite, the training figures with their
// allocation counts, and the JSON has the names make bench and the README
// use. (Speed itself is never asserted: it belongs to the machine.)
func TestBenchMeasuresEveryFigure(t *testing.T) {
	var lines []string
	r := Bench(BenchOptions{Seconds: 0.01, Repeats: 1, Progress: func(s string) { lines = append(lines, s) }})
	if len(lines) != len(BenchNames) {
		t.Errorf("progress: got %d lines %q want one per figure (%d)", len(lines), lines, len(BenchNames))
	}
	ok := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) }
	if r.MatmulGFLOPS == nil || !ok(r.MatmulGFLOPS.NN) || !ok(r.MatmulGFLOPS.NT) || !ok(r.MatmulGFLOPS.TN) {
		t.Errorf("matmul: got %+v", r.MatmulGFLOPS)
	}
	for i, v := range []float64{r.FlowStepsPerSec, r.VAEStepsPerSec, r.Grid128MS} {
		if !ok(v) {
			t.Errorf("test %d: got figure %v want a positive number", i, v)
		}
	}
	for _, fam := range []string{"flow", "vae"} {
		if a, found := r.AllocsPerStep[fam]; !found || a < 0 {
			t.Errorf("allocs_per_step[%s]: got %v (present %v)", fam, a, found)
		}
	}
	if r.GOOS == "" || r.GOARCH == "" || r.GoVersion == "" || r.Seconds != 0.01 {
		t.Errorf("environment: got %+v", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"goos", "goarch", "go_version", "matmul_gflops", "flow_steps_per_sec", "vae_steps_per_sec", "grid128_ms", "allocs_per_step"} {
		if _, found := m[k]; !found {
			t.Errorf("JSON %s has no %q", b, k)
		}
	}
	if mm, _ := m["matmul_gflops"].(map[string]any); mm["NN"] == nil || mm["NT"] == nil || mm["TN"] == nil {
		t.Errorf("JSON matmul_gflops: got %v", m["matmul_gflops"])
	}
}

// TestBenchOnlyMeasuresWhatItIsAsked: figures left out are absent from the
// JSON rather than zero.
func TestBenchOnlyMeasuresWhatItIsAsked(t *testing.T) {
	r := Bench(BenchOptions{Seconds: 0.01, Repeats: 1, Only: []string{"grid"}})
	if !(r.Grid128MS > 0) || r.MatmulGFLOPS != nil || r.FlowStepsPerSec != 0 || r.VAEStepsPerSec != 0 || r.AllocsPerStep != nil {
		t.Errorf("only grid: got %+v", r)
	}
	b, _ := json.Marshal(r)
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"matmul_gflops", "flow_steps_per_sec", "vae_steps_per_sec", "allocs_per_step"} {
		if _, found := m[k]; found {
			t.Errorf("JSON %s has %q, which was not measured", b, k)
		}
	}
}

func TestParseBenchNames(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"flow", []string{"flow"}, false},
		{" flow , vae,", []string{"flow", "vae"}, false},
		{"matmul,grid", []string{"matmul", "grid"}, false},
		{"flow,gan", nil, true},
		{"FLOW", nil, true},
	} {
		got, err := ParseBenchNames(tc.in)
		if (err != nil) != tc.err || !slices.Equal(got, tc.want) {
			t.Errorf("test %d: got %q, %v want %q (error %v)", i, got, err, tc.want, tc.err)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	for i, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(tc.in)
		if got := median(in); got != tc.want || !slices.Equal(in, tc.in) {
			t.Errorf("test %d: got %v want %v (input now %v)", i, got, tc.want, in)
		}
	}
}
