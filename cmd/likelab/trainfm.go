package main

import (
	"io"
	"math"
	"strings"

	"likelab/core/data"
	"likelab/core/fm"
	"likelab/core/lab"
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
	run := addRunFlags(fs, 5000, 256, 1<<16, 10, "samples")
	schedule := fs.String("lr-schedule", "cosine", "learning rate over the run: constant, or cosine (from --lr down to 0: the flow-matching target is noisy, and a decaying rate averages the noise out of the field)")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec := fm.Spec{Dim: 2, Hidden: *hidden, Layers: *layers, Activation: *act, TimeFreqs: *freqs, SpaceFreqs: *sfreqs, TimeSkew: *skew, Std: *std,
		OT: *ot, Solver: *solver, NFE: *nfe}
	if err := spec.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if *schedule != "constant" && *schedule != "cosine" {
		return usagef("--lr-schedule %q is not constant or cosine", *schedule)
	}
	if err := run.check(); err != nil {
		return err
	}
	target, err := loadTarget(*dataArg)
	if err != nil {
		return usageError{err.Error()}
	}
	r, err := lab.NewFMRun(spec, target, *run.lr, *run.batch, *run.seed)
	if err != nil {
		return usageError{err.Error()}
	}
	tr, base := r.Trainer, *run.lr
	loop := trainLoop{out: *run.out, steps: *run.steps, logEvery: *run.logEvery, trainer: tr,
		save: func() ([]byte, []byte, error) {
			return lab.FMFile.Encode(r.Model.Spec, r.Model, run.info(*dataArg, tr.Steps()))
		},
		before: func() {
			if *schedule == "cosine" {
				tr.Opt.LR = base * 0.5 * (1 + math.Cos(math.Pi*float64(tr.Steps())/float64(*run.steps)))
			}
		},
		// the trainer halved the rate after rolling back; keep that
		diverged: func() { base /= 2 },
	}
	last, _, err := loop.run(stderr)
	if err != nil {
		return err
	}
	return printResult(stdout, *run.out, last, nil)
}
