package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"likelab/core/lab"
	"likelab/core/train"
)

// runFlags are the flags every `train` command shares: where the model
// goes, the optimiser, the seed and how often metrics are logged (and, for
// the commands counted in steps, how many).
type runFlags struct {
	out      *string
	lr       *float64
	batch    *int
	seed     *uint64
	logEvery *int
	steps    *int // nil for a command counted otherwise (train vae: epochs)
	maxBatch int
}

// addRunFlags defines the shared flags on fs with the command's defaults;
// steps 0 leaves --steps out. A batch holds units ("samples", "images").
func addRunFlags(fs *flag.FlagSet, steps, batch, maxBatch, logEvery int, units string) *runFlags {
	r := &runFlags{maxBatch: maxBatch}
	if steps > 0 {
		r.steps = fs.Int("steps", steps, "training steps")
	}
	r.batch = fs.Int("batch", batch, units+" per step")
	r.lr = fs.Float64("lr", 1e-3, "Adam learning rate")
	r.seed = fs.Uint64("seed", 1, "random seed (same seed, same run)")
	r.out = fs.String("out", "", "output directory for model.safetensors, config.json, metrics.jsonl (required)")
	r.logEvery = fs.Int("log-every", logEvery, "write a metrics line every this many steps")
	return r
}

// check validates the shared flags, --out last: it is the one a first try
// most often leaves out.
func (r *runFlags) check() error {
	errs := []error{intIn("batch", *r.batch, 1, r.maxBatch), floatIn("lr", *r.lr, 1e-8, 10), intIn("log-every", *r.logEvery, 1, 1<<30)}
	if r.steps != nil {
		errs = append(errs, intIn("steps", *r.steps, 1, 10_000_000))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if *r.out == "" {
		return usagef("--out DIR is required")
	}
	return nil
}

// info is the training record config.json keeps, after steps steps on data.
func (r *runFlags) info(data string, steps int) lab.TrainInfo {
	return lab.TrainInfo{Data: data, Steps: steps, Batch: *r.batch, LR: *r.lr, Seed: *r.seed}
}

// maxRollbacks is how many divergences a run survives (each rolls back and
// halves the learning rate) before it gives up: 20 halvings take the rate
// down a millionfold, past which another try only hides a broken setup.
const maxRollbacks = 20

// trainLoop is the loop the `train` commands share: steps until the run is
// done, the time is up or Ctrl-C; a warning per divergence; metrics.jsonl
// written beside the model and moved into place only when the model is
// saved; checkpoints and the final model through lab's model file; a
// progress bar on a terminal.
type trainLoop struct {
	out      string
	steps    int
	logEvery int
	trainer  *train.Trainer
	// save returns the model files as they are now (lab's Encode…Model).
	save func() (config, weights []byte, err error)

	// optional
	maxTime   time.Duration // stop after this much training time (0: no limit)
	interrupt bool          // Ctrl-C ends training early and saves
	before    func()        // runs before each step (a learning-rate schedule)
	diverged  func()        // runs after a step was rolled back
	// line returns a step's metrics line (the trainer's metrics when nil)
	// and whether the step ends a stage (an epoch) worth a checkpoint and
	// a line whatever logEvery says.
	line func(m train.Metrics, elapsed time.Duration) (rec any, stage bool)
	// label is the progress bar's text ("loss …" when nil).
	label func(m train.Metrics) string
}

// run trains and saves; it returns the last step's metrics and the time
// spent in training steps.
func (l *trainLoop) run(stderr io.Writer) (last train.Metrics, elapsed time.Duration, err error) {
	if err := os.MkdirAll(l.out, 0o755); err != nil {
		return last, 0, err
	}
	mf, err := os.CreateTemp(l.out, "."+lab.MetricsFile+".tmp*")
	if err != nil {
		return last, 0, err
	}
	defer os.Remove(mf.Name())
	defer mf.Close()
	enc := json.NewEncoder(mf)
	bar := newProgress(stderr, l.steps)
	var stop chan os.Signal
	if l.interrupt {
		stop = make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		defer signal.Stop(stop)
	}
	rollbacks := 0
train:
	for l.trainer.Steps() < l.steps && (l.maxTime == 0 || elapsed < l.maxTime) {
		select {
		case <-stop:
			fmt.Fprintf(stderr, "\ninterrupted at step %d; saving the model\n", l.trainer.Steps())
			break train
		default:
		}
		if l.before != nil {
			l.before()
		}
		t0 := time.Now()
		m, err := l.trainer.Step()
		elapsed += time.Since(t0)
		if err != nil {
			if l.diverged != nil {
				l.diverged()
			}
			rollbacks++
			fmt.Fprintf(stderr, "\nwarning: %v\n", err)
			if rollbacks > maxRollbacks {
				return last, elapsed, fmt.Errorf("gave up after %d divergences; try a smaller --lr", rollbacks)
			}
			continue
		}
		last = m
		var rec any = m
		stage := false
		if l.line != nil {
			rec, stage = l.line(m, elapsed)
		}
		// a checkpoint per stage, so a long run's model can be used (and
		// evaluated) before it ends
		if stage {
			if err := l.saveModel(); err != nil {
				return last, elapsed, err
			}
		}
		if m.Step%l.logEvery == 0 || m.Step == l.steps || stage {
			if err := enc.Encode(rec); err != nil {
				return last, elapsed, err
			}
		}
		if l.label != nil {
			bar.update(m.Step, l.label(m))
		} else {
			bar.update(m.Step, fmt.Sprintf("loss %.4f", m.Loss))
		}
	}
	bar.finish()
	if err := mf.Close(); err != nil {
		return last, elapsed, err
	}
	if err := l.saveModel(); err != nil {
		return last, elapsed, err
	}
	return last, elapsed, os.Rename(mf.Name(), filepath.Join(l.out, lab.MetricsFile))
}

func (l *trainLoop) saveModel() error {
	config, weights, err := l.save()
	if err != nil {
		return err
	}
	return lab.WriteModel(l.out, config, weights)
}

// printResult prints a run's final JSON line: where the model went, its
// last step and loss, and what else the command reports.
func printResult(stdout io.Writer, out string, last train.Metrics, extra map[string]any) error {
	res := map[string]any{"out": out, "steps": last.Step, "loss": last.Loss}
	for k, v := range extra {
		res[k] = v
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}
