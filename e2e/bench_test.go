package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

// TestBenchMode opens #bench=1: the page measures issue 7's figures in its
// training worker and reports them through status().bench. Only sanity is
// asserted (figures are positive); the numbers are logged — speed belongs
// in benchmarks, not pass/fail tests.
func TestBenchMode(t *testing.T) {
	if testing.Short() {
		t.Skip("measures for about 15 s")
	}
	findChromium(t)
	base := startServer(t, buildSite(t))
	b := newBrowser(t, base)
	b.navigate(t, "#bench=1")
	deadline := time.Now().Add(150 * time.Second)
	var raw string
	for time.Now().Before(deadline) {
		raw, _ = eval[string](b.ctx, `JSON.stringify(window.likelab && window.likelab.status().bench || null)`)
		if raw != "" && raw != "null" {
			break
		}
		time.Sleep(time.Second)
	}
	var res struct {
		Matmul struct{ NN, NT, TN float64 } `json:"matmul_gflops"`
		Flow   float64                      `json:"flow_steps_per_sec"`
		VAE    float64                      `json:"vae_steps_per_sec"`
		Grid   float64                      `json:"grid128_ms"`
		Allocs map[string]float64           `json:"allocs_per_step"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil || raw == "null" {
		t.Fatalf("no bench result after 150 s: %q (%v)", raw, err)
	}
	t.Logf("page bench (headless Chromium, loaded machine): %s", raw)
	if res.Flow <= 0 || res.VAE <= 0 || res.Grid <= 0 || res.Matmul.NN <= 0 {
		t.Errorf("missing figures: %s", raw)
	}
}
