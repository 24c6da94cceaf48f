//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"image"
	"syscall/js"
	"time"

	"likelab/core/lab"
)

// host runs the scene somewhere: in a Web Worker (a second Go instance that
// trains at full speed on another core, so the page never waits) or, where
// workers are unavailable, on this thread in slices of each frame.
type host interface {
	// configure replaces the scene with one built from cfg.
	configure(cfg lab.Config)
	// view changes how the running scene is shown; cfg is the same run.
	view(cfg lab.Config)
	// command is play, pause, step or reset.
	command(name string)
	// tick gives a local scene its slice of the frame.
	tick(budget time.Duration)
	status() lab.Status
	// frame brings dst (sized like the canvas) up to the newest picture and
	// returns the regions of it that changed, nil when none did.
	frame(dst *image.RGBA) []image.Rectangle
	// problem is an error the host met outside the scene (a failed build, a
	// panic in the worker), or "".
	problem() string
	// save asks for the current model's files (config.json and
	// model.safetensors); done runs with them or an error — at once for a
	// local scene, when the worker answers otherwise.
	save(done func(config, weights []byte, err error))
	// load replaces the scene with one built from model files, keeping cfg's
	// page settings (a VAE on the kept image set: lab.LoadWith); done runs
	// with the new configuration, or with an error while the old scene goes
	// on.
	load(cfg lab.Config, config, weights []byte, done func(lab.Config, error))
	// useFile replaces the scene with one on a target made from a file the
	// user gave (CSV points or a picture); done runs with nil or the problem,
	// in which case the old scene goes on.
	useFile(cfg lab.Config, name string, b []byte, done func(error))
	// useImages replaces the scene with the vae or morph scene on an image
	// set made from the user's files (lab.ReadImageSet), which the host keeps
	// for later scenes of dataset=files (and for loading VAEs on them: see
	// load), around model when it is not nil (lab.LoadOnImages); progress
	// counts the files decoded; done runs with the new configuration and a
	// description of the set, or with the problem, in which case the old
	// scene goes on.
	useImages(cfg lab.Config, files []imageFile, model *savedModel, progress func(done, total int), done func(cfg lab.Config, about string, err error))
	// bench measures the core's speed where the scene would train (lab.Bench)
	// and calls progress with each stage and done with the JSON result.
	bench(progress func(string), done func(json string))
	// testPanic makes the scene's host panic once (test hook).
	testPanic()
	// pictureHash calls done with render.Hash of the picture as the host
	// last gave it to the page, "" for none (test hook: the worker's
	// regions must add up to its picture). A local scene draws into the
	// page's picture itself and answers "local".
	pictureHash(done func(string))
}

// localHost runs the scene on the page's own thread.
type localHost struct {
	scene  lab.Scene
	err    string
	images *lab.ImageSet // the user's image set, for dataset=files
}

func (h *localHost) configure(cfg lab.Config) {
	s, err := lab.NewOn(cfg, h.images)
	if err != nil {
		h.err = "Could not start this configuration: " + err.Error()
		return
	}
	h.scene, h.err = s, ""
}

func (h *localHost) view(cfg lab.Config) {
	if v, ok := h.scene.(lab.Viewer); ok {
		v.SetView(cfg)
	}
}

func (h *localHost) command(name string) {
	if h.scene == nil {
		return
	}
	lab.Apply(h.scene, name)
}

func (h *localHost) tick(budget time.Duration) {
	if h.scene != nil {
		h.scene.Work(budget)
	}
}

func (h *localHost) status() lab.Status {
	if h.scene == nil {
		return lab.NoStatus()
	}
	return h.scene.Status()
}

func (h *localHost) frame(dst *image.RGBA) []image.Rectangle {
	if h.scene == nil || !h.scene.Draw(dst) {
		return nil
	}
	return []image.Rectangle{dst.Bounds()}
}

func (h *localHost) problem() string { return h.err }

func (h *localHost) save(done func(config, weights []byte, err error)) {
	sv, ok := h.scene.(lab.Saver)
	if !ok {
		done(nil, nil, errNoModel)
		return
	}
	done(sv.Save())
}

func (h *localHost) load(cfg lab.Config, config, weights []byte, done func(lab.Config, error)) {
	s, c, err := lab.LoadWith(cfg, h.images, config, weights)
	if err == nil {
		h.scene, h.err = s, ""
	}
	done(c, err)
}

func (h *localHost) useFile(cfg lab.Config, name string, b []byte, done func(error)) {
	s, err := lab.NewSceneOnFile(cfg, name, b)
	if err == nil {
		h.scene, h.err = s, ""
	}
	done(err)
}

func (h *localHost) useImages(cfg lab.Config, files []imageFile, model *savedModel, progress func(int, int), done func(lab.Config, string, error)) {
	up := make([]lab.UploadFile, len(files))
	for i, f := range files {
		up[i] = lab.UploadFile{Name: f.name, Size: f.size, Data: bytesFromJS(js.Global().Get("Uint8Array").New(f.buf))}
	}
	set, err := lab.ReadImageSet(up, progress)
	if err != nil {
		done(cfg, "", err)
		return
	}
	s, c, err := sceneOnImages(cfg, set, model)
	if err != nil {
		done(cfg, "", err)
		return
	}
	lab.AddClassNames(set.Classes()...)
	h.scene, h.err, h.images = s, "", set
	done(c, set.About(), nil)
}

// sceneOnImages builds the scene of cfg on set: a new VAE's, or model's
// when it is not nil.
func sceneOnImages(cfg lab.Config, set *lab.ImageSet, model *savedModel) (lab.Scene, lab.Config, error) {
	if model != nil {
		return lab.LoadOnImages(cfg, set, model.config, model.weights)
	}
	return lab.NewSceneOnImages(cfg, set)
}

func (h *localHost) bench(progress func(string), done func(string)) {
	res := lab.Bench(lab.BenchOptions{Seconds: pageBenchSeconds, Progress: progress})
	b, _ := json.Marshal(res)
	done(string(b))
}

// pageBenchSeconds is how long the page measures each figure: shorter than
// the CLI's 8 s, so #bench=1 answers within a minute.
const pageBenchSeconds = 3

func (h *localHost) testPanic() { panic("test hook: a deliberate panic on the page") }

func (h *localHost) pictureHash(done func(string)) { done("local") }

var errNoModel = errors.New("this scene has no model to save yet")
