package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchPrintsJSON(t *testing.T) {
	code, stdout, stderr := likelab(t, "", "bench", "--seconds", "0.01", "--only", "matmul")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got struct {
		GOOS   string             `json:"goos"`
		Matmul map[string]float64 `json:"matmul_gflops"`
		Flow   *float64           `json:"flow_steps_per_sec"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v: %q", err, stdout)
	}
	if got.GOOS == "" || !(got.Matmul["NN"] > 0) || !(got.Matmul["NT"] > 0) || !(got.Matmul["TN"] > 0) || got.Flow != nil {
		t.Errorf("got %+v from %s", got, stdout)
	}
	if strings.Count(strings.TrimSpace(stdout), "\n") != 0 {
		t.Errorf("want one JSON object on one line, got %q", stdout)
	}
}

func TestBenchBadFlagsExitTwo(t *testing.T) {
	t.Parallel()
	checkUsage(t, "",
		"bench --only flow,gan",
		"bench --seconds 0",
		"bench --seconds fast",
		"bench extra",
	)
}
