package lab

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"likelab/core/data"
)

// MaxUploadBytes bounds a file a user hands the page as a target.
const MaxUploadBytes = 16 << 20

// TargetFromFile makes a 2D target from a file a user gave: a CSV of x,y
// points, or a PNG/JPEG picture whose dark part becomes the density. The
// error names the file and says what is wrong with it.
func TargetFromFile(name string, b []byte) (data.Target, error) {
	if len(b) > MaxUploadBytes {
		return nil, fmt.Errorf("%s is %d bytes, over the %d MiB limit", name, len(b), MaxUploadBytes>>20)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		pts, err := data.ReadCSV(name, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return data.NewPoints(name, pts)
	case ".png", ".jpg", ".jpeg":
		return data.NewImageTarget(name, bytes.NewReader(b))
	}
	return nil, fmt.Errorf("%s: want a .csv file of x,y points or a .png/.jpg picture", name)
}

// NewSceneOnFile builds the flow scene c describes on a target made from a
// file; nothing is built if the file is bad. The vae and morph scenes learn
// image sets instead (ReadImageSet, NewSceneOnImages).
func NewSceneOnFile(c Config, name string, b []byte) (Scene, error) {
	if c.Scene == "vae" || c.Scene == "morph" {
		return nil, fmt.Errorf("the %s scene learns sets of images, not %s: give it .npy files, MNIST's IDX files or a folder with a sub-folder of pictures per class (or train on anything with likelab train vae and load the model here)", c.Scene, name)
	}
	t, err := TargetFromFile(name, b)
	if err != nil {
		return nil, err
	}
	return NewFlowSceneOn(c, t)
}

// SavedModelFiles finds a saved model's two files among files a user gave
// at once (a model picked with its images, say): its config, a .json file
// (config.json), and its weights, a .safetensors file (model.safetensors);
// -1 for one that is not there. Two of either kind are an error naming
// them: the page cannot tell which belong together.
func SavedModelFiles(names []string) (config, weights int, err error) {
	config, weights = -1, -1
	for i, n := range names {
		at := &config
		switch strings.ToLower(path.Ext(n)) {
		case ".json":
		case ".safetensors":
			at = &weights
		default:
			continue
		}
		if *at >= 0 {
			return -1, -1, fmt.Errorf("%s and %s: pick the two files of one model, %s and %s", names[*at], n, ConfigFile, WeightsFile)
		}
		*at = i
	}
	return config, weights, nil
}
