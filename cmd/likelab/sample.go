package main

import (
	"io"

	"likelab/core/data"
	"likelab/core/nn"
)

func runSample(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("sample", "sample --model DIR --n N [--seed K]", stderr)
	dir := fs.String("model", "", "trained model directory (required)")
	n := fs.Int("n", 1000, "number of samples")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := intIn("n", *n, 1, data.MaxCSVRows); err != nil {
		return err
	}
	m, _, err := loadModel(*dir)
	if err != nil {
		return err
	}
	pts := make([]float64, 2**n)
	m.Sample(nn.NewRNG(*seed, 0), pts)
	return data.WriteCSV(stdout, pts)
}
