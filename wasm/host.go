//go:build js && wasm

package main

import (
	"image"
	"time"

	"likelab/core/lab"
)

// host runs the scene somewhere: in a Web Worker (a second Go instance that
// trains at full speed on another core, so the page never waits) or, where
// workers are unavailable, on this thread in slices of each frame.
type host interface {
	// configure replaces the scene with one built from cfg.
	configure(cfg lab.Config)
	// command is play, pause, step or reset.
	command(name string)
	// tick gives a local scene its slice of the frame.
	tick(budget time.Duration)
	status() lab.Status
	// frame copies the newest picture into dst (sized like the canvas) and
	// reports whether there was a new one.
	frame(dst *image.RGBA) bool
	// problem is an error the host met outside the scene (a failed build, a
	// panic in the worker), or "".
	problem() string
}

// localHost runs the scene on the page's own thread.
type localHost struct {
	scene lab.Scene
	err   string
}

func (h *localHost) configure(cfg lab.Config) {
	s, err := lab.New(cfg)
	if err != nil {
		h.err = "Could not start this configuration: " + err.Error()
		return
	}
	h.scene, h.err = s, ""
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

func (h *localHost) frame(dst *image.RGBA) bool {
	return h.scene != nil && h.scene.Draw(dst)
}

func (h *localHost) problem() string { return h.err }
