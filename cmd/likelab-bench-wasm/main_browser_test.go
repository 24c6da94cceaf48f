//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// TestRunInChromium builds the benchmark for js/wasm and runs it in headless
// Chromium through bench.html, for a moment: the page must report lab.Bench's
// JSON from the browser.
func TestRunInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		p, err := exec.LookPath("chromium")
		if err != nil {
			t.Skip("no chromium on $PATH")
		}
		exe = p
	}
	out, err := runInChromium(0.01, "matmul", exe)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		GOOS   string             `json:"goos"`
		Matmul map[string]float64 `json:"matmul_gflops"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v: %q", err, out)
	}
	if got.GOOS != "js" || !(got.Matmul["NN"] > 0) || !(got.Matmul["NT"] > 0) || !(got.Matmul["TN"] > 0) {
		t.Errorf("got %s", out)
	}
}
