package main

import (
	"bufio"
	"io"
	"strconv"

	"likelab/core/ad"
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
	f, _, err := loadModel(*dir)
	if err != nil {
		return err
	}
	rng := nn.NewRNG(*seed, 0)
	w := bufio.NewWriter(stdout)
	t := ad.NewTape()
	t.NoGrad = true
	const chunk = 4096
	for done := 0; done < *n; done += chunk {
		t.Reset()
		m := min(chunk, *n-done)
		x := f.Sample(t, rng, m)
		for i := 0; i < m; i++ {
			w.WriteString(strconv.FormatFloat(x.Val[2*i], 'g', -1, 64))
			w.WriteByte(',')
			w.WriteString(strconv.FormatFloat(x.Val[2*i+1], 'g', -1, 64))
			w.WriteByte('\n')
		}
	}
	return w.Flush()
}
