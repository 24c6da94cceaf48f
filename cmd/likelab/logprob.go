package main

import (
	"bufio"
	"io"
	"strconv"

	"likelab/core/data"
	"likelab/core/lab"
)

func runLogProb(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("logprob", "logprob --model DIR < points.csv", stderr)
	dir := fs.String("model", "", "trained model directory (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	m, _, err := loadModel(*dir)
	if err != nil {
		return err
	}
	pts, err := data.ReadCSV("stdin", stdin)
	if err != nil {
		return usageError{err.Error()}
	}
	lp := make([]float64, len(pts)/2)
	m.LogProb(pts, lp)
	w := bufio.NewWriter(stdout)
	for _, v := range lp {
		w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		w.WriteByte('\n')
	}
	return w.Flush()
}

// loadModel reads a 2D model directory; a missing or bad one is the user's
// error.
func loadModel(dir string) (lab.Model2D, lab.ModelConfig, error) {
	if dir == "" {
		return nil, lab.ModelConfig{}, usagef("--model DIR is required")
	}
	m, mc, err := lab.LoadModel2D(dir)
	if err != nil {
		return nil, mc, usageError{err.Error()}
	}
	return m, mc, nil
}
