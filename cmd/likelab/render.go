package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"

	"likelab/core/data"
	"likelab/core/lab"
	"likelab/core/train"
	"likelab/render"
)

func init() {
	commands = append(commands, command{"render", "draw a trained 2D flow as a PNG (density and samples, or its layers)", runRender})
}

func runRender(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("render", "render --model DIR --out FILE.png [--view density|layers] [--layer K] [--data NAME|points.csv]", stderr)
	dir := fs.String("model", "", "trained flow directory (required)")
	out := fs.String("out", "", "PNG file to write (required)")
	view := fs.String("view", "density", "density: target beside the model's density and samples; layers: the base deforming into the data")
	layer := fs.Int("layer", -1, "layers view: show the base after K layers beside the target; -1 draws every layer side by side")
	dataArg := fs.String("data", "", "target to draw beside the model (default: the one it was trained on, if it can be found)")
	width := fs.Int("width", 1200, "picture width in pixels")
	height := fs.Int("height", 0, "picture height in pixels (default: to suit the view)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		return usagef("--model DIR and --out FILE.png are required")
	}
	if !slices.Contains(lab.ViewNames, *view) {
		return usagef("--view %q is not one of %v", *view, lab.ViewNames)
	}
	if err := intIn("width", *width, 64, 8192); err != nil {
		return err
	}
	if *height == 0 {
		*height = *width * 5 / 9
	}
	if err := intIn("height", *height, 64, 8192); err != nil {
		return err
	}
	config, err := os.ReadFile(filepath.Join(*dir, lab.ConfigFile))
	if err != nil {
		return usageError{err.Error()}
	}
	weights, err := os.ReadFile(filepath.Join(*dir, lab.WeightsFile))
	if err != nil {
		return usageError{err.Error()}
	}
	mc, err := lab.ReadModelConfig(config)
	if err != nil {
		return usageError{err.Error()}
	}
	name := *dataArg
	if name == "" {
		name = mc.Train.Data
	}
	target, err := loadTarget(name)
	if err != nil {
		if *dataArg != "" {
			return usageError{err.Error()}
		}
		// the training data is gone (a CSV elsewhere): draw beside the talk's target
		fmt.Fprintf(stderr, "note: %v; drawing beside double-gaussian (use --data)\n", err)
		target, _ = data.Lookup("double-gaussian")
	}
	c := lab.Default()
	c.Autoplay, c.View, c.Layer = false, *view, max(*layer, -1)
	fsc, _, err := lab.LoadFlowScene(c, target, config, weights)
	if err != nil {
		return usagef("--model %s: %v", *dir, err)
	}
	if err := intIn("layer", *layer, -1, fsc.Run().Spec.Layers); err != nil {
		return err
	}
	if steps, losses, err := readMetrics(filepath.Join(*dir, lab.MetricsFile)); err == nil {
		fsc.SetTrainingHistory(steps, losses)
	}
	fsc.Settle()
	if *view == "layers" && *layer < 0 && !heightSet(fs) {
		// one row of square panels, one per layer and the base
		n := fsc.Run().Spec.Layers + 1
		*height = max(64, (*width-8*(n+1))/n+2*8+18)
	}
	img := image.NewRGBA(image.Rect(0, 0, *width, *height))
	if *view == "layers" && *layer < 0 {
		fsc.DrawLayers(img)
	} else {
		fsc.Draw(img)
	}
	var buf bytes.Buffer
	if err := render.EncodePNG(&buf, img); err != nil {
		return err
	}
	return train.WriteFileAtomic(*out, buf.Bytes())
}

func heightSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "height" })
	return set
}

// readMetrics reads the step and loss of each line of metrics.jsonl.
func readMetrics(path string) (steps, losses []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, 64<<20))
	for {
		var m train.Metrics
		if err := dec.Decode(&m); err != nil {
			if err == io.EOF {
				return steps, losses, nil
			}
			return steps, losses, err
		}
		steps = append(steps, float64(m.Step))
		losses = append(losses, m.Loss)
	}
}
