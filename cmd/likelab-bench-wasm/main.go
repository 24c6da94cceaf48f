// Command likelab-bench-wasm prints lab.Bench's figures as one JSON object,
// as `likelab bench` does natively. make bench builds it for js/wasm and
// runs it under Node (go_js_wasm_exec), to measure the core as the browser
// runs it; it is a separate command because the CLI need not build for
// js/wasm.
//
//	likelab-bench-wasm [--seconds S] [--only matmul,flow,vae,grid]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"likelab/core/lab"
)

func main() {
	secs := flag.Float64("seconds", lab.DefaultBenchSeconds, "seconds each figure is measured for, after its warm-up")
	only := flag.String("only", "", "comma-separated figures to measure (default all)")
	flag.Parse()
	names, err := lab.ParseBenchNames(*only)
	if err != nil || !(*secs > 0) || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "likelab-bench-wasm: usage: likelab-bench-wasm [--seconds S>0] [--only matmul,flow,vae,grid]")
		os.Exit(2)
	}
	json.NewEncoder(os.Stdout).Encode(lab.Bench(lab.BenchOptions{Seconds: *secs, Only: names}))
}
