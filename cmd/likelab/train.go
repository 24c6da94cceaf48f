package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"likelab/core/data"
	"likelab/core/flow"
	"likelab/core/lab"
	"likelab/core/train"
)

func runTrain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stderr, "Usage: likelab train flow [flags]   (see likelab train flow --help)")
			return errHelp
		}
		return usagef("say what to train: likelab train flow …")
	}
	switch args[0] {
	case "flow":
		return trainFlow(args[1:], stdout, stderr)
	case "vae":
		return trainVAE(args[1:], stdout, stderr)
	case "fm":
		return trainFM(args[1:], stdout, stderr)
	}
	return usagef("unknown model family %q (want flow)", args[0])
}

func trainFlow(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("train flow", "train flow --data NAME|points.csv --out DIR [flags]", stderr)
	dataArg := fs.String("data", "double-gaussian", "2D target name ("+strings.Join(data.Names(), ", ")+") or a CSV file of x,y points")
	model := fs.String("model", "realnvp", "flow family: "+strings.Join(flow.Models, ", "))
	layers := fs.Int("layers", 0, "number of flow layers (default: the family's — 8, or 32 for planar and radial)")
	hidden := fs.Int("hidden", 0, "hidden units per conditioner layer (default: the family's — 128 for realnvp, else 64)")
	steps := fs.Int("steps", 3000, "training steps")
	batch := fs.Int("batch", 256, "samples per step")
	lr := fs.Float64("lr", 1e-3, "Adam learning rate")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same run)")
	out := fs.String("out", "", "output directory for model.safetensors, config.json, metrics.jsonl (required)")
	logEvery := fs.Int("log-every", 10, "write a metrics line every this many steps")
	objective := fs.String("objective", "ml", "ml: maximum likelihood on samples of --data; reverse-kl: KL(q‖p) to the unnormalised --target, with the learning rate decaying to 0 along a cosine over --steps")
	targetArg := fs.String("target", "", "energy for --objective reverse-kl: energy:NAME ("+strings.Join(lab.EnergyNames, ", ")+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec := flow.Defaults(*model, 2)
	if *layers != 0 {
		spec.Layers = *layers
	}
	if *hidden != 0 {
		spec.Hidden = *hidden
	}
	rkl, err := checkObjective(*objective, *targetArg)
	if err != nil {
		return err
	}
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
	if *out == "" {
		return usagef("--out DIR is required")
	}
	var run struct {
		Trainer *train.Trainer
		Flow    *flow.Flow
	}
	info := lab.TrainInfo{Data: *dataArg, Steps: *steps, Batch: *batch, LR: *lr, Seed: *seed}
	if rkl != nil {
		r, err := lab.NewISRun(spec, rkl, *lr, *batch, *seed)
		if err != nil {
			return usageError{err.Error()}
		}
		r.DecayOver(*steps)
		run.Trainer, run.Flow = r.Trainer, r.Flow
		info.Data, info.Objective, info.Energy = rkl.Name(), "reverse-kl", rkl.Name()
	} else {
		target, err := loadTarget(*dataArg)
		if err != nil {
			return usageError{err.Error()}
		}
		r, err := lab.NewFlowRun(spec, target, *lr, *batch, *seed)
		if err != nil {
			return usageError{err.Error()}
		}
		run.Trainer, run.Flow = r.Trainer, r.Flow
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	metricsPath := filepath.Join(*out, lab.MetricsFile)
	mf, err := os.CreateTemp(*out, "."+lab.MetricsFile+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(mf.Name())
	enc := json.NewEncoder(mf)
	bar := newProgress(stderr, *steps)
	var last train.Metrics
	rollbacks := 0
	for run.Trainer.Steps() < *steps {
		m, err := run.Trainer.Step()
		if err != nil {
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
	if err := lab.SaveFlowModel(*out, spec, run.Flow, info); err != nil {
		return err
	}
	if err := os.Rename(mf.Name(), metricsPath); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "{\"out\":%q,\"steps\":%d,\"loss\":%g}\n", *out, last.Step, last.Loss)
	return nil
}

// loadTarget resolves --data: a target name, or a CSV file of points.
func loadTarget(arg string) (data.Target, error) {
	if t, err := data.Lookup(arg); err == nil {
		return t, nil
	} else if !strings.HasSuffix(strings.ToLower(arg), ".csv") && !fileExists(arg) {
		return nil, err
	}
	return readPoints(arg)
}

func readPoints(path string) (*data.Points, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--data: %v", err)
	}
	defer f.Close()
	pts, err := data.ReadCSV(filepath.Base(path), f)
	if err != nil {
		return nil, err
	}
	return data.NewPoints(filepath.Base(path), pts)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
