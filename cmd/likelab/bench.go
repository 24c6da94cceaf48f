package main

import (
	"encoding/json"
	"io"
	"strings"

	"likelab/core/lab"
)

// maxBenchSeconds bounds --seconds: an hour per figure is already more than
// any comparison needs.
const maxBenchSeconds = 3600

func runBench(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "bench [--seconds S] [--only "+strings.Join(lab.BenchNames, ",")+"]", stderr)
	secs := fs.Float64("seconds", lab.DefaultBenchSeconds, "seconds each figure is measured for, after its warm-up")
	only := fs.String("only", "", "comma-separated figures to measure: "+strings.Join(lab.BenchNames, ", ")+" (default all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := floatIn("seconds", *secs, 0.001, maxBenchSeconds); err != nil {
		return err
	}
	names, err := lab.ParseBenchNames(*only)
	if err != nil {
		return usageError{"--only: " + err.Error()}
	}
	total := len(names)
	if total == 0 {
		total = len(lab.BenchNames)
	}
	bar := newProgress(stderr, total)
	done := 0
	res := lab.Bench(lab.BenchOptions{Seconds: *secs, Only: names, Progress: func(what string) {
		bar.update(done, what)
		done++
	}})
	bar.update(done, "")
	bar.finish()
	enc := json.NewEncoder(stdout)
	return enc.Encode(res)
}
