package main

import (
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
	run := addRunFlags(fs, 3000, 256, 1<<16, 10, "samples")
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
	energy, err := checkObjective(*objective, *targetArg)
	if err != nil {
		return err
	}
	if err := run.check(); err != nil {
		return err
	}
	if err := spec.Validate(); err != nil {
		return usageError{err.Error()}
	}
	var tr *train.Trainer
	var f *flow.Flow
	if energy != nil {
		r, err := lab.NewISRun(spec, energy, *run.lr, *run.batch, *run.seed)
		if err != nil {
			return usageError{err.Error()}
		}
		r.DecayOver(*run.steps)
		tr, f = r.Trainer, r.Flow
	} else {
		target, err := loadTarget(*dataArg)
		if err != nil {
			return usageError{err.Error()}
		}
		r, err := lab.NewFlowRun(spec, target, *run.lr, *run.batch, *run.seed)
		if err != nil {
			return usageError{err.Error()}
		}
		tr, f = r.Trainer, r.Flow
	}
	loop := trainLoop{out: *run.out, steps: *run.steps, logEvery: *run.logEvery, trainer: tr,
		save: func() ([]byte, []byte, error) {
			info := run.info(*dataArg, tr.Steps())
			if energy != nil {
				info.Data, info.Objective, info.Energy = energy.Name(), "reverse-kl", energy.Name()
			}
			return lab.FlowFile.Encode(spec, f, info)
		}}
	last, _, err := loop.run(stderr)
	if err != nil {
		return err
	}
	return printResult(stdout, *run.out, last, nil)
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
