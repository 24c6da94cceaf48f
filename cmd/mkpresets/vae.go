package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"likelab/core/lab"
	"likelab/core/nn"
	"likelab/core/train"
)

// vaePreset trains the VAE of a vae or morph preset as the page would and
// writes its model files, the weights as float32: half the size in the
// worker binary, and float32's 7 digits are far below what the pictures
// show (ReadSafetensors reads F32 back).
func vaePreset(out string, p lab.Preset, c lab.Config) error {
	s, err := lab.New(c)
	if err != nil {
		return err
	}
	var run *lab.VAERun
	switch s := s.(type) {
	case *lab.VAEScene:
		run = s.Run()
	case *lab.MorphScene:
		run = s.Run()
	default:
		return fmt.Errorf("scene %T is not a VAE scene", s)
	}
	for s.Status().Step < p.Steps {
		s.Step()
	}
	dir := filepath.Join(out, lab.PretrainedDir(c))
	info := lab.TrainInfo{Data: c.Dataset, Steps: run.Trainer.Steps(), Batch: run.Objective.Batch, LR: c.LR, Seed: c.Seed}
	if err := lab.VAEFile.Save(dir, run.Model.Spec, run.Model, info); err != nil {
		return err
	}
	w, err := safetensorsF32(run.Model.Params(), map[string]string{"format": "likelab-model", "family": "vae"})
	if err != nil {
		return err
	}
	if err := train.WriteFileAtomic(filepath.Join(dir, lab.WeightsFile), w); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "preset.txt"), []byte(p.Name+": "+p.Hash+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Printf("%-8s %s  step %d  loss %.4f\n", p.Name, dir, run.Trainer.Steps(), s.Status().Loss)
	return nil
}

// safetensorsF32 is train.WriteSafetensors with F32 values.
func safetensorsF32(ps []*nn.Param, meta map[string]string) ([]byte, error) {
	type info struct {
		DType       string `json:"dtype"`
		Shape       []int  `json:"shape"`
		DataOffsets [2]int `json:"data_offsets"`
	}
	header := map[string]any{"__metadata__": meta}
	off := 0
	for _, p := range ps {
		n := 4 * len(p.Val)
		header[p.Name] = info{DType: "F32", Shape: []int{p.R, p.C}, DataOffsets: [2]int{off, off + n}}
		off += n
	}
	h, err := json.Marshal(header)
	if err != nil {
		return nil, err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	buf := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	buf = append(buf, h...)
	for _, p := range ps {
		for _, v := range p.Val {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
		}
	}
	return buf, nil
}
