package main

import (
	"bufio"
	"io"
	"strconv"

	"likelab/core/ad"
	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/lab"
)

func runLogProb(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("logprob", "logprob --model DIR < points.csv", stderr)
	dir := fs.String("model", "", "trained model directory (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, _, err := loadModel(*dir)
	if err != nil {
		return err
	}
	pts, err := data.ReadCSV("stdin", stdin)
	if err != nil {
		return usageError{err.Error()}
	}
	lp := make([]float64, len(pts)/2)
	f.EvalLogProb(ad.NewTape(), pts, lp, 4096)
	w := bufio.NewWriter(stdout)
	for _, v := range lp {
		w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		w.WriteByte('\n')
	}
	return w.Flush()
}

// loadModel reads a model directory; a missing or bad one is the user's error.
func loadModel(dir string) (*flow.Flow, lab.ModelConfig, error) {
	if dir == "" {
		return nil, lab.ModelConfig{}, usagef("--model DIR is required")
	}
	f, mc, err := lab.LoadFlowModel(dir)
	if err != nil {
		return nil, mc, usageError{err.Error()}
	}
	if f.Dim() != 2 {
		return nil, mc, usagef("--model %s is %d-dimensional; this command reads 2D points", dir, f.Dim())
	}
	return f, mc, nil
}
