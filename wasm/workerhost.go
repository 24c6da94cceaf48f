//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"image"
	"time"

	"syscall/js"

	"likelab/core/lab"
)

// workerHost runs the scene in worker.js (wasm/worker) and mirrors its
// status and newest picture. Messages: to the worker {type: configure|size|
// play|pause|toggle|step|reset, …}; from it {type: status|frame|error|fatal}.
type workerHost struct {
	w       js.Value
	onMsg   js.Func
	onErr   js.Func
	st      lab.Status
	err     string
	failed  bool
	started bool

	pix    []byte
	pw, ph int
	fresh  bool
	sent   image.Point
	cfg    lab.Config

	// scale is the picture's device pixels per CSS pixel and auto the theme
	// theme=auto stands for, set by the app (lab.Looker); sent* is what the
	// worker was last told
	scale, sentScale int
	auto, sentAuto   string

	nextID  int
	saving  map[int]func(config, weights []byte, err error)
	loading map[int]func(lab.Config, error)
	using   map[int]func(error)
	imaging map[int]imagesReply

	benchProgress func(string)
	benchDone     func(string)
}

// newWorkerHost starts the worker, or returns nil where the page cannot
// have one (no Worker API).
func newWorkerHost() *workerHost {
	ctor := js.Global().Get("Worker")
	if !ctor.Truthy() {
		return nil
	}
	h := &workerHost{st: lab.NoStatus(), saving: map[int]func([]byte, []byte, error){},
		loading: map[int]func(lab.Config, error){}, using: map[int]func(error){}, imaging: map[int]imagesReply{}}
	h.onMsg = js.FuncOf(func(this js.Value, args []js.Value) any {
		h.receive(args[0].Get("data"))
		return nil
	})
	h.onErr = js.FuncOf(func(this js.Value, args []js.Value) any {
		h.failed = true
		h.err = "The training worker failed to load; training on the page instead."
		return nil
	})
	// The single-file build (make single) gives the worker as a blob URL and
	// its wasm as bytes in window.likelabInline; otherwise it is a file.
	// A page may forbid workers (a strict policy, a file:// origin): then
	// the constructor throws and the page trains by itself.
	// index.html may have started the worker already (likelabEarlyWorker),
	// keeping what it said until now; take it over and replay that.
	var early js.Value
	if !jsTry(func() {
		if e := js.Global().Get("likelabEarlyWorker"); e.Truthy() {
			early = e
			h.w = e.Get("worker")
		} else if in := js.Global().Get("likelabInline"); in.Truthy() {
			h.w = ctor.New(in.Get("workerURL"), map[string]any{"name": "inline"})
			h.w.Call("postMessage", map[string]any{"type": "wasm", "bytes": in.Get("workerWasm")})
		} else {
			h.w = ctor.New("worker.js")
		}
	}) {
		return nil
	}
	h.w.Call("addEventListener", "message", h.onMsg)
	h.w.Call("addEventListener", "error", h.onErr)
	if early.Truthy() {
		early.Set("taken", true)
		js.Global().Delete("likelabEarlyWorker")
		q := early.Get("queue")
		for i := 0; i < q.Length(); i++ {
			h.receive(q.Index(i))
		}
		if early.Get("failed").Bool() {
			h.onErr.Invoke()
		}
	}
	return h
}

func (h *workerHost) receive(d js.Value) {
	switch d.Get("type").String() {
	case "status":
		h.started = true
		var st lab.Status
		if err := json.Unmarshal([]byte(d.Get("json").String()), &st); err == nil {
			h.st = st
		}
		h.err = d.Get("problem").String()
	case "frame":
		w, ht := d.Get("w").Int(), d.Get("h").Int()
		arr := d.Get("pixels")
		n := arr.Get("length").Int()
		if n != 4*w*ht {
			return
		}
		if cap(h.pix) < n {
			h.pix = make([]byte, n)
		}
		h.pix = h.pix[:n]
		js.CopyBytesToGo(h.pix, arr)
		h.pw, h.ph, h.fresh = w, ht, true
	case "model":
		id := d.Get("id").Int()
		done := h.saving[id]
		delete(h.saving, id)
		if done == nil {
			return
		}
		if e := d.Get("error"); e.Truthy() {
			done(nil, nil, errors.New(e.String()))
			return
		}
		done([]byte(d.Get("config").String()), bytesFromJS(d.Get("weights")), nil)
	case "loaded":
		id := d.Get("id").Int()
		done := h.loading[id]
		delete(h.loading, id)
		if done == nil {
			return
		}
		if e := d.Get("error"); e.Truthy() {
			done(h.cfg, errors.New(e.String()))
			return
		}
		cfg, err := lab.ParseHash(d.Get("hash").String())
		if err == nil {
			h.cfg = cfg
		}
		done(cfg, err)
	case "used":
		id := d.Get("id").Int()
		done := h.using[id]
		delete(h.using, id)
		if done == nil {
			return
		}
		if e := d.Get("error"); e.Truthy() {
			done(errors.New(e.String()))
			return
		}
		done(nil)
	case "imagesProgress":
		if r, ok := h.imaging[d.Get("id").Int()]; ok {
			r.progress(d.Get("done").Int(), d.Get("total").Int())
		}
	case "images":
		id := d.Get("id").Int()
		r, ok := h.imaging[id]
		delete(h.imaging, id)
		if !ok {
			return
		}
		if e := d.Get("error"); e.Truthy() {
			r.done(h.cfg, "", errors.New(e.String()))
			return
		}
		// the set's classes may be the morph's endpoints: the hash names them
		cl := d.Get("classes")
		for i := 0; i < cl.Length(); i++ {
			lab.AddClassNames(cl.Index(i).String())
		}
		cfg, err := lab.ParseHash(d.Get("hash").String())
		if err == nil {
			h.cfg = cfg
		}
		r.done(cfg, d.Get("about").String(), err)
	case "benchProgress":
		if h.benchProgress != nil {
			h.benchProgress(d.Get("text").String())
		}
	case "benchResult":
		if h.benchDone != nil {
			h.benchDone(d.Get("json").String())
		}
	case "fatal":
		h.failed = true
		h.err = d.Get("text").String()
	}
}

func (h *workerHost) post(msg map[string]any) { h.w.Call("postMessage", msg) }

func (h *workerHost) configure(cfg lab.Config) {
	h.cfg = cfg
	h.post(map[string]any{"type": "configure", "hash": cfg.Hash()})
	if h.sent != (image.Point{}) {
		h.post(map[string]any{"type": "size", "w": h.sent.X, "h": h.sent.Y, "scale": h.sentScale, "auto": h.sentAuto})
	}
}

func (h *workerHost) view(cfg lab.Config) {
	h.cfg = cfg
	h.post(map[string]any{"type": "view", "hash": cfg.Hash()})
}

func (h *workerHost) command(name string) { h.post(map[string]any{"type": name}) }

func (h *workerHost) tick(time.Duration) {}

func (h *workerHost) status() lab.Status { return h.st }

func (h *workerHost) frame(dst *image.RGBA) bool {
	b := dst.Bounds().Size()
	if b != h.sent || h.scale != h.sentScale || h.auto != h.sentAuto {
		h.sent, h.sentScale, h.sentAuto = b, h.scale, h.auto
		h.post(map[string]any{"type": "size", "w": b.X, "h": b.Y, "scale": h.scale, "auto": h.auto})
	}
	if !h.fresh || h.pw != b.X || h.ph != b.Y {
		return false
	}
	copy(dst.Pix, h.pix)
	h.fresh = false
	return true
}

func (h *workerHost) problem() string { return h.err }

func (h *workerHost) save(done func(config, weights []byte, err error)) {
	h.nextID++
	h.saving[h.nextID] = done
	h.post(map[string]any{"type": "save", "id": h.nextID})
}

func (h *workerHost) load(cfg lab.Config, config, weights []byte, done func(lab.Config, error)) {
	h.nextID++
	h.loading[h.nextID] = done
	h.post(map[string]any{"type": "load", "id": h.nextID, "hash": cfg.Hash(), "config": string(config),
		"weights": bytesToJS(weights)})
}

func (h *workerHost) useFile(cfg lab.Config, name string, b []byte, done func(error)) {
	h.nextID++
	h.using[h.nextID] = done
	h.post(map[string]any{"type": "file", "id": h.nextID, "hash": cfg.Hash(), "name": name, "bytes": bytesToJS(b)})
}

// imagesReply is what the page waits for while the worker reads an image set.
type imagesReply struct {
	progress func(done, total int)
	done     func(lab.Config, string, error)
}

// useImages hands the files' bytes over to the worker (transferred, not
// copied: the page keeps none of them).
func (h *workerHost) useImages(cfg lab.Config, files []imageFile, model *savedModel, progress func(int, int), done func(lab.Config, string, error)) {
	h.nextID++
	h.imaging[h.nextID] = imagesReply{progress, done}
	names, sizes, bufs := make([]any, len(files)), make([]any, len(files)), make([]any, len(files))
	for i, f := range files {
		names[i], sizes[i], bufs[i] = f.name, float64(f.size), f.buf
	}
	m := map[string]any{"type": "images", "id": h.nextID, "hash": cfg.Hash(), "names": names, "sizes": sizes, "buffers": bufs}
	if model != nil {
		m["config"], m["weights"] = string(model.config), bytesToJS(model.weights)
	}
	h.w.Call("postMessage", js.ValueOf(m), js.ValueOf(bufs))
}

func (h *workerHost) bench(progress func(string), done func(string)) {
	h.benchProgress, h.benchDone = progress, done
	h.post(map[string]any{"type": "bench", "seconds": pageBenchSeconds})
}

func (h *workerHost) testPanic() { h.post(map[string]any{"type": "panic"}) }

func bytesFromJS(v js.Value) []byte {
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func bytesToJS(b []byte) js.Value {
	v := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(v, b)
	return v
}
