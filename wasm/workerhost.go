//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"image"
	"time"

	"syscall/js"

	"likelab/core/lab"
	"likelab/render"
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

	// pic is the worker's picture as far as its frames have come (of
	// epoch epoch, see the worker's postFrame), dirty the regions of it
	// not yet handed to the page by frame, and buf the bytes of a frame
	pic   *image.RGBA
	epoch int
	dirty []image.Rectangle
	buf   []byte
	sent  image.Point
	cfg   lab.Config

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

	hashing       []func(string) // pictureHash replies awaited, in order
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
		h.receiveFrame(d)
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
	case "pictureHash":
		if len(h.hashing) > 0 {
			done := h.hashing[0]
			h.hashing = h.hashing[1:]
			done(d.Get("hash").String())
		}
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

func (h *workerHost) frame(dst *image.RGBA) []image.Rectangle {
	b := dst.Bounds().Size()
	if b != h.sent || h.scale != h.sentScale || h.auto != h.sentAuto {
		h.sent, h.sentScale, h.sentAuto = b, h.scale, h.auto
		h.post(map[string]any{"type": "size", "w": b.X, "h": b.Y, "scale": h.scale, "auto": h.auto})
	}
	if h.pic == nil || h.pic.Bounds() != dst.Bounds() || len(h.dirty) == 0 {
		return nil
	}
	rects := h.dirty
	for _, r := range rects {
		render.CopyRect(dst, h.pic, r)
	}
	h.dirty = nil
	return rects
}

// maxDirty bounds the regions kept between two frames of the page (when it
// draws less often than the worker posts, say behind the drawing board);
// beyond it they become their bounding box.
const maxDirty = 64

// receiveFrame applies a frame from the worker to pic: a full picture
// replaces it and starts the epoch, regions patch the picture of their
// epoch. A frame that does not fit — regions of another epoch or size, or
// bytes that do not add up — is dropped: the worker sends a full picture
// whenever the size changes, so pic is never patched into a wrong picture.
func (h *workerHost) receiveFrame(d js.Value) {
	w, ht, epoch := d.Get("w").Int(), d.Get("h").Int(), d.Get("epoch").Int()
	full := d.Get("full").Bool()
	coords := d.Get("rects")
	if w < 1 || ht < 1 || coords.Length()%4 != 0 {
		return
	}
	rects := make([]image.Rectangle, coords.Length()/4)
	for i := range rects {
		rects[i] = image.Rect(coords.Index(4*i).Int(), coords.Index(4*i+1).Int(),
			coords.Index(4*i+2).Int(), coords.Index(4*i+3).Int())
	}
	bounds := image.Rect(0, 0, w, ht)
	switch {
	case full:
		if len(rects) != 1 || rects[0] != bounds {
			return
		}
		if h.pic == nil || h.pic.Bounds() != bounds {
			h.pic = image.NewRGBA(bounds)
		}
	case h.pic == nil || h.pic.Bounds() != bounds || epoch != h.epoch:
		return
	}
	arr := d.Get("pixels")
	n := arr.Get("length").Int()
	if cap(h.buf) < n {
		h.buf = make([]byte, n)
	}
	h.buf = h.buf[:n]
	js.CopyBytesToGo(h.buf, arr)
	if !render.UnpackRects(h.pic, rects, h.buf) {
		return
	}
	if full {
		h.epoch, h.dirty = epoch, rects
		return
	}
	h.dirty = append(h.dirty, rects...)
	if len(h.dirty) > maxDirty {
		u := h.dirty[0]
		for _, r := range h.dirty[1:] {
			u = u.Union(r)
		}
		h.dirty = append(h.dirty[:0], u)
	}
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

func (h *workerHost) pictureHash(done func(string)) {
	h.hashing = append(h.hashing, done)
	h.post(map[string]any{"type": "pictureHash"})
}

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
