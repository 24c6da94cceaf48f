//go:build js && wasm

// Command worker is likelab's training worker: a Go instance without Ebiten
// that runs in a Web Worker (wasm/worker.js), trains the current scene at
// full speed and posts its status and pictures to the page.
//
// Messages in: {type: "configure", hash}, {type: "size", w, h, scale, auto}, {type:
// "play"|"pause"|"toggle"|"step"|"reset"}, {type: "images", id, hash, names,
// sizes, buffers[, config, weights]} (a user's image set, with a saved VAE
// to load on it). Messages out: {type: "status",
// json, problem} several times a second, {type: "frame", w, h, epoch,
// full, rects, pixels} with the regions of the picture that changed
// (postFrame), and {type: "imagesProgress", id, done,
// total} then {type: "images", id, hash, classes, about | error}.
package main

import (
	"encoding/json"
	"fmt"
	"image"
	"runtime/debug"
	"syscall/js"
	"time"

	"likelab/core/lab"
	_ "likelab/core/lab/pretrained" // the models trained in advance for the presets
	"likelab/render"
)

// Timing of the loop. Each turn trains for workSlice, then sleeps a moment
// so the worker's event loop delivers the page's messages.
const (
	workSlice   = 40 * time.Millisecond
	statusEvery = 100 * time.Millisecond
	// frameEvery paces the pictures posted to the page: 5 a second (issue 7
	// asks ≥ 4 refreshes of the density). Each new picture costs the page
	// more than one frame's drawing — Ebiten presents the canvas for four
	// frames after any change, and with no GPU every present is a
	// full-canvas pass in software — so at 10 a second the page lost a
	// fifth of its frames while training (headless Chromium, 2 cores); at
	// 5 a second, a tenth.
	frameEvery = 200 * time.Millisecond
	// frameBand is the height of the bands in which render.Changed looks
	// for changed regions.
	frameBand = 16
	idleSleep = 15 * time.Millisecond
	// sizeWait bounds how long a new scene waits for the page's canvas size
	// before it trains anyway (a page that does not draw, e.g. in a hidden
	// tab, still trains).
	sizeWait = 500 * time.Millisecond
)

type worker struct {
	self    js.Value
	queue   []js.Value
	cfg     lab.Config
	scene   lab.Scene
	rgba    *image.RGBA
	size    image.Point
	scale   int    // the page canvas's device pixels per CSS pixel (lab.Looker)
	auto    string // the theme theme=auto stands for on the page (lab.Looker)
	problem string
	panics  int
	// unseen says the page has not had a picture of this scene at this size.
	unseen  bool
	builtAt time.Time
	images  *lab.ImageSet // the user's image set, for dataset=files
	// shown is the picture as the page has it (the last posted, epoch
	// epoch); packed is the buffer the changed regions are packed in.
	shown  *image.RGBA
	epoch  int
	packed []byte
}

func main() {
	w := &worker{self: js.Global()}
	onMsg := js.FuncOf(func(this js.Value, args []js.Value) any {
		w.queue = append(w.queue, args[0].Get("data"))
		return nil
	})
	if p := w.self.Get("pending"); p.Truthy() {
		for i := 0; i < p.Length(); i++ {
			w.queue = append(w.queue, p.Index(i))
		}
	}
	w.self.Set("onmessage", onMsg)
	w.loop()
}

func (w *worker) loop() {
	var lastStatus, lastFrame time.Time
	for {
		for len(w.queue) > 0 {
			m := w.queue[0]
			w.queue = w.queue[1:]
			w.guard("a command", func() { w.handle(m) })
		}
		if w.scene != nil {
			// A new scene, or the canvas at a new size, is drawn before it
			// trains, and training waits (up to sizeWait) until the page has
			// said its size: the first picture then waits for no training step
			// (issue 7's first frame; a cold first step takes a few hundred ms
			// in wasm).
			switch {
			case w.unseen && w.size.X > 0:
				w.unseen = false
				lastFrame = time.Now()
				w.guard("drawing", w.postFrame)
				w.guard("training", func() { w.scene.Work(workSlice) })
			case w.unseen && time.Since(w.builtAt) < sizeWait:
			default:
				w.guard("training", func() { w.scene.Work(workSlice) })
			}
			now := time.Now()
			if now.Sub(lastFrame) >= frameEvery && w.size.X > 0 {
				// on a fixed beat, so a slice that ends late does not
				// lower the rate; after a long stall the beat restarts
				lastFrame = lastFrame.Add(frameEvery)
				if now.Sub(lastFrame) >= frameEvery {
					lastFrame = now
				}
				w.guard("drawing", w.postFrame)
			}
			if now.Sub(lastStatus) >= statusEvery {
				lastStatus = now
				w.postStatus()
			}
		}
		if w.scene != nil && w.scene.Playing() {
			time.Sleep(time.Millisecond)
		} else {
			time.Sleep(idleSleep)
		}
	}
}

func (w *worker) handle(m js.Value) {
	switch t := m.Get("type").String(); t {
	case "configure":
		cfg, err := lab.ParseHash(m.Get("hash").String())
		if err != nil {
			// the page validated the hash already; this is a programming error
			w.problem = "worker: " + err.Error()
			return
		}
		w.build(cfg)
	case "view":
		cfg, err := lab.ParseHash(m.Get("hash").String())
		if v, ok := w.scene.(lab.Viewer); ok && err == nil && lab.SameRun(cfg, w.cfg) {
			w.cfg = cfg
			v.SetView(cfg)
		}
	case "reset":
		w.build(w.cfg)
	case "save":
		w.save(m.Get("id").Int())
	case "load":
		w.load(m)
	case "file":
		w.useFile(m)
	case "images":
		w.useImages(m)
	case "bench":
		// measured here, where training runs; the page stays responsive
		res := lab.Bench(lab.BenchOptions{Seconds: m.Get("seconds").Float(), Progress: func(s string) {
			w.self.Call("postMessage", map[string]any{"type": "benchProgress", "text": s})
		}})
		b, _ := json.Marshal(res)
		w.self.Call("postMessage", map[string]any{"type": "benchResult", "json": string(b)})
	case "panic":
		panic("test hook: a deliberate panic in the worker")
	case "pictureHash":
		// test hook: the picture as the page should have it
		h := ""
		if w.shown != nil {
			h = render.Hash(w.shown)
		}
		w.self.Call("postMessage", map[string]any{"type": "pictureHash", "hash": h})
	case "size":
		w.size = image.Pt(max(m.Get("w").Int(), 1), max(m.Get("h").Int(), 1))
		w.rgba = image.NewRGBA(image.Rectangle{Max: w.size})
		if s := m.Get("scale"); s.Type() == js.TypeNumber {
			w.scale = s.Int()
		}
		if a := m.Get("auto"); a.Type() == js.TypeString {
			w.auto = a.String()
		}
		w.unseen = true
	default:
		if t != "pause" {
			w.problem = "" // the user carries on after a reported problem
		}
		if w.scene != nil {
			if err := lab.Apply(w.scene, t); err != nil {
				w.problem = "worker: " + err.Error()
			}
		}
	}
	w.postStatus()
}

func (w *worker) build(cfg lab.Config) {
	s, err := lab.NewOn(cfg, w.images)
	if err != nil {
		w.problem = "Could not start this configuration: " + err.Error()
		return
	}
	w.cfg, w.scene, w.problem, w.unseen, w.builtAt = cfg, s, "", true, time.Now()
}

func (w *worker) save(id int) {
	reply := map[string]any{"type": "model", "id": id}
	defer func() { w.self.Call("postMessage", reply) }()
	sv, ok := w.scene.(lab.Saver)
	if !ok {
		reply["error"] = "this scene has no model to save yet"
		return
	}
	config, weights, err := sv.Save()
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	arr := js.Global().Get("Uint8Array").New(len(weights))
	js.CopyBytesToJS(arr, weights)
	reply["config"], reply["weights"] = string(config), arr
}

// load replaces the scene with one built from model files; a bad file
// leaves the current scene as it was.
func (w *worker) load(m js.Value) {
	reply := map[string]any{"type": "loaded", "id": m.Get("id").Int()}
	defer func() { w.self.Call("postMessage", reply) }()
	cfg, err := lab.ParseHash(m.Get("hash").String())
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	wv := m.Get("weights")
	weights := make([]byte, wv.Get("length").Int())
	js.CopyBytesToGo(weights, wv)
	s, c, err := lab.LoadWith(cfg, w.images, []byte(m.Get("config").String()), weights)
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	w.cfg, w.scene, w.problem = c, s, ""
	reply["hash"] = c.Hash()
}

// useFile trains on a target made from a file the user gave; a bad file
// leaves the current scene as it was.
func (w *worker) useFile(m js.Value) {
	reply := map[string]any{"type": "used", "id": m.Get("id").Int()}
	defer func() { w.self.Call("postMessage", reply) }()
	cfg, err := lab.ParseHash(m.Get("hash").String())
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	bv := m.Get("bytes")
	b := make([]byte, bv.Get("length").Int())
	js.CopyBytesToGo(b, bv)
	s, err := lab.NewSceneOnFile(cfg, m.Get("name").String(), b)
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	w.cfg, w.scene, w.problem, w.unseen, w.builtAt = cfg, s, "", true, time.Now()
}

// useImages trains the vae or morph scene on an image set made from the
// user's files — around a saved VAE when the message has its config and
// weights — and keeps the set for later scenes of dataset=files and loaded
// VAEs; bad files leave the current scene as it was. The page hears how far the
// decoding has got every imagesProgressEvery.
func (w *worker) useImages(m js.Value) {
	id := m.Get("id").Int()
	reply := map[string]any{"type": "images", "id": id}
	defer func() { w.self.Call("postMessage", reply) }()
	cfg, err := lab.ParseHash(m.Get("hash").String())
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	names, sizes, bufs := m.Get("names"), m.Get("sizes"), m.Get("buffers")
	files := make([]lab.UploadFile, names.Length())
	for i := range files {
		arr := js.Global().Get("Uint8Array").New(bufs.Index(i))
		b := make([]byte, arr.Get("length").Int())
		js.CopyBytesToGo(b, arr)
		files[i] = lab.UploadFile{Name: names.Index(i).String(), Size: int64(sizes.Index(i).Float()), Data: b}
	}
	var last time.Time
	set, err := lab.ReadImageSet(files, func(done, total int) {
		if now := time.Now(); now.Sub(last) >= imagesProgressEvery || done == total {
			last = now
			w.self.Call("postMessage", map[string]any{"type": "imagesProgress", "id": id, "done": done, "total": total})
		}
	})
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	var s lab.Scene
	var c lab.Config
	if config := m.Get("config"); config.Type() == js.TypeString {
		wv := m.Get("weights")
		weights := make([]byte, wv.Get("length").Int())
		js.CopyBytesToGo(weights, wv)
		s, c, err = lab.LoadOnImages(cfg, set, []byte(config.String()), weights)
	} else {
		s, c, err = lab.NewSceneOnImages(cfg, set)
	}
	if err != nil {
		reply["error"] = err.Error()
		return
	}
	classes := set.Classes()
	lab.AddClassNames(classes...)
	w.cfg, w.scene, w.problem, w.unseen, w.builtAt, w.images = c, s, "", true, time.Now(), set
	list := make([]any, len(classes))
	for i, c := range classes {
		list[i] = c
	}
	reply["hash"], reply["classes"], reply["about"] = c.Hash(), list, set.About()
}

// imagesProgressEvery is how often the page hears how far the decoding of
// an image set has got: often enough to look alive, rarely enough not to
// flood it for thousands of small pictures.
const imagesProgressEvery = 200 * time.Millisecond

// postFrame draws the scene and posts what changed since the last picture
// posted (render.Changed): {type: "frame", w, h, epoch, full, rects: [x0,
// y0, x1, y1, …], pixels: the regions packed (render.PackRects)}. A full
// picture starts a new epoch; the page applies a region update only to the
// picture of its epoch, so it can never patch a picture it does not have.
// Nothing is posted when nothing changed.
func (w *worker) postFrame() {
	if l, ok := w.scene.(lab.Looker); ok && w.scale > 0 {
		l.SetLook(w.scale, w.auto) // every scene, however it was built, as the page shows it
	}
	if w.rgba == nil || !w.scene.Draw(w.rgba) {
		return
	}
	full := w.shown == nil || w.shown.Bounds() != w.rgba.Bounds()
	var rects []image.Rectangle
	if full {
		w.shown = image.NewRGBA(w.rgba.Bounds())
		copy(w.shown.Pix, w.rgba.Pix)
		w.epoch++
		rects = []image.Rectangle{w.rgba.Bounds()}
	} else if rects = render.Changed(w.shown, w.rgba, frameBand); rects == nil {
		return
	}
	w.packed = render.PackRects(w.packed[:0], w.rgba, rects)
	arr := js.Global().Get("Uint8Array").New(len(w.packed))
	js.CopyBytesToJS(arr, w.packed)
	coords := make([]any, 0, 4*len(rects))
	for _, r := range rects {
		coords = append(coords, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
	}
	msg := js.Global().Get("Object").New()
	msg.Set("type", "frame")
	msg.Set("w", w.size.X)
	msg.Set("h", w.size.Y)
	msg.Set("epoch", w.epoch)
	msg.Set("full", full)
	msg.Set("rects", coords)
	msg.Set("pixels", arr)
	transfer := js.Global().Get("Array").New(arr.Get("buffer"))
	w.self.Call("postMessage", msg, transfer)
}

func (w *worker) postStatus() {
	if w.scene == nil {
		w.self.Call("postMessage", map[string]any{"type": "status", "json": "{}", "problem": w.problem})
		return
	}
	b, _ := json.Marshal(w.scene.Status())
	w.self.Call("postMessage", map[string]any{"type": "status", "json": string(b), "problem": w.problem})
}

// guard turns a panic into a reported problem and pauses the scene, so the
// worker — and the model it holds — survive.
func (w *worker) guard(where string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			w.panics++
			w.problem = fmt.Sprintf("Internal error in %s: %v (training paused; the model is kept — press play to retry).", where, r)
			println(w.problem, string(debug.Stack()))
			if w.scene != nil {
				w.scene.SetPlaying(false)
			}
		}
	}()
	f()
}
