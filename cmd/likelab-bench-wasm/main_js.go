//go:build js && wasm

// Command likelab-bench-wasm measures lab.Bench's figures compiled to
// WebAssembly and prints them as one JSON object, as `likelab bench` does
// natively. Built for js/wasm, it is the benchmark itself: make bench runs
// it under Node (go_js_wasm_exec), and in a browser it runs in a worker of
// bench.html. Built natively, it is that page's driver: it builds itself
// for js/wasm, serves bench.html on 127.0.0.1 and runs it in headless
// Chromium, to measure the core as a browser runs it without the app's own
// drawing beside it. It is a separate command because the CLI need not
// build for js/wasm.
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
