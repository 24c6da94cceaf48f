// Command mkpresets trains the models that ship with the page for
// lab.Presets (make presets), so a lecture can start from a trained model at
// once. Each is trained exactly as the page would train its link — same
// settings, same seed — for the preset's steps, and written as the CLI's
// model files into a folder named by lab.PretrainedDir. Runs are
// deterministic: the same source gives the same files.
//
//	go run ./cmd/mkpresets -out core/lab/pretrained/models
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"likelab/core/lab"
)

func main() {
	out := flag.String("out", "core/lab/pretrained/models", "folder of the shipped models")
	only := flag.String("only", "", "train only the preset of this name")
	flag.Parse()
	if err := run(*out, *only); err != nil {
		fmt.Fprintln(os.Stderr, "mkpresets:", err)
		os.Exit(1)
	}
}

func run(out, only string) error {
	for _, p := range lab.Presets {
		if p.Steps == 0 || (only != "" && p.Name != only) {
			continue
		}
		c, err := lab.ParseHash(p.Hash)
		if err != nil {
			return fmt.Errorf("preset %s: %v", p.Name, err)
		}
		c.Pretrained = false // train from scratch, as the page would
		if c.Scene == "vae" || c.Scene == "morph" {
			if err := vaePreset(out, p, c); err != nil {
				return fmt.Errorf("preset %s: %v", p.Name, err)
			}
			continue
		}
		s, err := lab.NewFlowScene(c)
		if err != nil {
			return fmt.Errorf("preset %s: %v", p.Name, err)
		}
		for s.Status().Step < p.Steps {
			s.Step()
		}
		dir := filepath.Join(out, lab.PretrainedDir(c))
		run := s.Run()
		info := lab.TrainInfo{Data: c.Data, Steps: run.Trainer.Steps(), Batch: c.Batch, LR: c.LR, Seed: c.Seed}
		if err := lab.FlowFile.Save(dir, run.Spec, run.Flow, info); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "preset.txt"), []byte(p.Name+": "+p.Hash+"\n"), 0o644); err != nil {
			return err
		}
		fmt.Printf("%-8s %s  step %d  loss %.4f\n", p.Name, dir, run.Trainer.Steps(), s.Status().Loss)
	}
	return nil
}
