package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"likelab/core/data"
	"likelab/core/fm"
	"likelab/core/lab"
	"likelab/core/train"
)

// trainFM is `likelab train fm`: flow matching (CFM, or OT-CFM with --ot) of
// a velocity network on a 2D target or a CSV of points.
func trainFM(args []string, stdout, stderr io.Writer) error {
	def := fm.DefaultSpec()
	fs := newFlags("train fm", "train fm --data NAME|points.csv --out DIR [flags]", stderr)
	dataArg := fs.String("data", "double-gaussian", "2D target name ("+strings.Join(data.Names(), ", ")+") or a CSV file of x,y points")
	hidden := fs.Int("hidden", def.Hidden, "hidden units per layer of the velocity network")
	layers := fs.Int("layers", def.Layers, "hidden layers of the velocity network")
	act := fs.String("activation", def.Activation, "activation between layers: "+strings.Join(fm.Activations, ", "))
	freqs := fs.Int("time-freqs", def.TimeFreqs, "sinusoidal time features: t, sin and cos of π·2^k·t for k below this")
	sfreqs := fs.Int("space-freqs", def.SpaceFreqs, "Fourier features of the point: sin and cos of 2^k·π/4·x for k below this (6 or so for sharp targets such as qr:TEXT)")
	skew := fs.Float64("time-skew", 0, "draw training times t = 1 − (1−u)^(1+skew): more of them near the data, where fine detail is learned (0: uniform, the talk's)")
	std := fs.Float64("std", def.Std, "standard deviation of the Gaussian base N(0, std²·I)")
	ot := fs.Bool("ot", false, "OT-CFM: re-pair base and data points of each minibatch by optimal transport (straighter paths)")
	solver := fs.String("solver", def.Solver, "default sampler saved with the model: "+strings.Join(fm.Methods, ", "))
	nfe := fs.Int("nfe", def.NFE, "velocity evaluations per sample of the default sampler (steps = nfe / stages)")
	steps := fs.Int("steps", 5000, "training steps")
	batch := fs.Int("batch", 256, "samples per step")
	lr := fs.Float64("lr", 1e-3, "Adam learning rate")
	schedule := fs.String("lr-schedule", "cosine", "learning rate over the run: constant, or cosine (from --lr down to 0: the flow-matching target is noisy, and a decaying rate averages the noise out of the field)")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same run)")
	out := fs.String("out", "", "output directory for model.safetensors, config.json, metrics.jsonl (required)")
	logEvery := fs.Int("log-every", 10, "write a metrics line every this many steps")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec := fm.Spec{Dim: 2, Hidden: *hidden, Layers: *layers, Activation: *act, TimeFreqs: *freqs, SpaceFreqs: *sfreqs, TimeSkew: *skew, Std: *std,
		OT: *ot, Solver: *solver, NFE: *nfe}
	for _, err := range []error{
		intIn("steps", *steps, 1, 10_000_000), intIn("batch", *batch, 1, 1<<16),
		floatIn("lr", *lr, 1e-8, 10), intIn("log-every", *logEvery, 1, 1<<30),
	} {
		if err != nil {
			return err
		}
	}
	if err := spec.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if *schedule != "constant" && *schedule != "cosine" {
		return usagef("--lr-schedule %q is not constant or cosine", *schedule)
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	target, err := loadTarget(*dataArg)
	if err != nil {
		return usageError{err.Error()}
	}
	run, err := lab.NewFMRun(spec, target, *lr, *batch, *seed)
	if err != nil {
		return usageError{err.Error()}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	mf, err := os.CreateTemp(*out, "."+lab.MetricsFile+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(mf.Name())
	enc := json.NewEncoder(mf)
	bar := newProgress(stderr, *steps)
	var last train.Metrics
	rollbacks := 0
	base := *lr
	for run.Trainer.Steps() < *steps {
		if *schedule == "cosine" {
			run.Trainer.Opt.LR = base * 0.5 * (1 + math.Cos(math.Pi*float64(run.Trainer.Steps())/float64(*steps)))
		}
		m, err := run.Trainer.Step()
		if err != nil {
			// the trainer halved the rate after rolling back; keep that
			base /= 2
			rollbacks++
			fmt.Fprintf(stderr, "\nwarning: %v\n", err)
			if rollbacks > 20 {
				mf.Close()
				return fmt.Errorf("gave up after %d divergences; try a smaller --lr", rollbacks)
			}
			continue
		}
		last = m
		if m.Step%*logEvery == 0 || m.Step == *steps {
			if err := enc.Encode(m); err != nil {
				mf.Close()
				return err
			}
		}
		bar.update(m.Step, fmt.Sprintf("loss %.4f", m.Loss))
	}
	bar.finish()
	if err := mf.Close(); err != nil {
		return err
	}
	info := lab.TrainInfo{Data: *dataArg, Steps: *steps, Batch: *batch, LR: *lr, Seed: *seed}
	if err := lab.SaveFMModel(*out, run.Model, info); err != nil {
		return err
	}
	if err := os.Rename(mf.Name(), filepath.Join(*out, lab.MetricsFile)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "{\"out\":%q,\"steps\":%d,\"loss\":%g}\n", *out, last.Step, last.Loss)
	return nil
}
