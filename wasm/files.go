//go:build js && wasm

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"syscall/js"
	"time"

	"likelab/core/data"
	"likelab/core/lab"
	"likelab/render"
)

// Limits on files a user hands the page: a flow of the page's largest
// settings is well under these.
const (
	maxModelFile  = 64 << 20
	maxConfigFile = 1 << 20
)

// download offers data to the user as a file.
func download(name, mime string, data []byte) {
	blob := js.Global().Get("Blob").New(js.ValueOf([]any{bytesToJS(data)}), map[string]any{"type": mime})
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := document().Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	document().Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// revoke later: the download starts asynchronously
	js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	}), 10000)
}

// saveModel downloads the current model as config.json and
// model.safetensors, the files `likelab train` writes.
func (a *app) saveModel() {
	a.host.save(func(config, weights []byte, err error) {
		a.queue = append(a.queue, func(a *app) {
			if err != nil {
				a.notice("Could not save the model: " + err.Error())
				return
			}
			download(lab.ConfigFile, "application/json", config)
			download(lab.WeightsFile, "application/octet-stream", weights)
			a.notice("Saved the model as config.json and model.safetensors (load both together).")
		})
	})
}

// loadFiles reads the files a user picked or dropped — config.json and
// model.safetensors, in any order — and loads the model. Anything wrong is
// said on the page and the current model stays.
func (a *app) loadFiles(files js.Value) {
	n := files.Length()
	if names := fileNames(files); lab.IsImageSet(a.cfg.Scene, names) {
		a.useImageSet(files, names)
		return
	}
	if n == 1 {
		name := strings.ToLower(files.Index(0).Get("name").String())
		for _, ext := range []string{".csv", ".txt", ".png", ".jpg", ".jpeg"} {
			if strings.HasSuffix(name, ext) {
				a.useDataFile(files.Index(0))
				return
			}
		}
	}
	var config, weights []byte
	r := &reads{a: a, done: func(a *app, problems []string) {
		switch {
		case len(problems) > 0:
			a.notice("Model not loaded: " + strings.Join(problems, "; "))
		case config == nil || weights == nil:
			a.notice("Model not loaded: pick both files a saved model consists of, config.json and model.safetensors.")
		default:
			a.loadModel(config, weights, "the chosen files")
		}
	}}
	for i := 0; i < n; i++ {
		f := files.Index(i)
		name := f.Get("name").String()
		size := f.Get("size").Int()
		isJSON := strings.HasSuffix(strings.ToLower(name), ".json")
		limit := maxModelFile
		if isJSON {
			limit = maxConfigFile
		}
		if size > limit {
			r.problems = append(r.problems, fmt.Sprintf("%s is %d bytes, over the %d-byte limit", name, size, limit))
			continue
		}
		r.read(f.Call("arrayBuffer"), name+" could not be read", func(buf js.Value) {
			b := bytesFromJS(js.Global().Get("Uint8Array").New(buf))
			if isJSON {
				config = b
			} else {
				weights = b
			}
		})
	}
	r.check()
}

// reads counts a user's files being read (promises in flight) and, when
// the last has ended, runs done in Update with the problems met.
type reads struct {
	a        *app
	pending  int
	problems []string
	// ended, when not nil, hears of each read that ends while others go on.
	ended func(left int)
	done  func(a *app, problems []string)
}

// read waits for promise p: use takes its value, or the read fails with
// the problem.
func (r *reads) read(p js.Value, problem string, use func(js.Value)) { r.call(p, "then", problem, use) }

// call calls target's method with a callback for success, whose value use
// takes (and may start more reads), and one for failure, which records the
// problem: the way of promises' then and of the older file-system entries.
func (r *reads) call(target js.Value, method, problem string, use func(js.Value)) {
	r.pending++
	ok, fail := callbacks(func(v js.Value) {
		use(v)
		r.pending--
		r.check()
	}, func(js.Value) {
		r.problems = append(r.problems, problem)
		r.pending--
		r.check()
	})
	target.Call(method, ok, fail)
}

// check queues done when no read is in flight.
func (r *reads) check() {
	if r.pending > 0 {
		if r.ended != nil {
			r.ended(r.pending)
		}
		return
	}
	r.a.queue = append(r.a.queue, func(a *app) { r.done(a, r.problems) })
}

// loadModel replaces the scene with a saved model; a bad one is refused
// with a message and the current scene goes on.
func (a *app) loadModel(config, weights []byte, from string) {
	a.host.load(a.cfg, config, weights, func(cfg lab.Config, err error) {
		a.queue = append(a.queue, func(a *app) {
			if err != nil {
				a.notice(fmt.Sprintf("Model from %s not loaded (the current one is kept): %v", from, err))
				return
			}
			a.cfg = cfg
			a.lastSave = time.Time{} // autosave the loaded model at the next chance
			replaceHash(cfg.Hash())
			if a.panel != nil {
				a.panel.sync(cfg)
			}
			a.notice("Loaded the model from " + from + ".")
		})
	})
}

// useDataFile trains on a file the user picked or dropped: CSV points or a
// picture. A bad file is named in a message and the current run goes on.
func (a *app) useDataFile(f js.Value) {
	name := f.Get("name").String()
	if size := f.Get("size").Int(); size > lab.MaxUploadBytes {
		a.notice(fmt.Sprintf("%s is %d bytes, over the %d MiB limit; nothing changed.", name, size, lab.MaxUploadBytes>>20))
		return
	}
	var then, fail js.Func
	release := func() { then.Release(); fail.Release() }
	then = js.FuncOf(func(_ js.Value, args []js.Value) any {
		b := bytesFromJS(js.Global().Get("Uint8Array").New(args[0]))
		release()
		a.queue = append(a.queue, func(a *app) {
			a.host.useFile(a.cfg, name, b, func(err error) {
				a.queue = append(a.queue, func(a *app) {
					if err != nil {
						a.notice("Not trained on " + name + " (the current run goes on): " + err.Error())
						return
					}
					a.notice("Training on " + name + ". (A link cannot carry your file: share the file with it.)")
				})
			})
		})
		return nil
	})
	fail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		a.queue = append(a.queue, func(a *app) { a.notice(name + " could not be read.") })
		return nil
	})
	f.Call("arrayBuffer").Call("then", then, fail)
}

// useData takes the files picked with Your data… or Folder…: an image set
// for the vae and morph scenes (lab.IsImageSet), else one file of points
// or a picture for a 2D target.
func (a *app) useData(files js.Value) {
	if files.Length() == 0 {
		return
	}
	if names := fileNames(files); lab.IsImageSet(a.cfg.Scene, names) {
		a.useImageSet(files, names)
		return
	}
	a.useDataFile(files.Index(0))
}

// dropped takes what a user dropped on the page: files go to loadFiles;
// folders are walked for their files (an image set of class sub-folders,
// named by their paths as a picked folder's are).
func (a *app) dropped(dt js.Value) {
	var entries []js.Value
	folder := false
	if items := dt.Get("items"); items.Truthy() {
		// entries can be had only while the drop event runs
		for i := 0; i < items.Length(); i++ {
			it := items.Index(i)
			if it.Get("kind").String() != "file" || !it.Get("webkitGetAsEntry").Truthy() {
				continue
			}
			if e := it.Call("webkitGetAsEntry"); e.Truthy() {
				entries = append(entries, e)
				folder = folder || e.Get("isDirectory").Bool()
			}
		}
	}
	if !folder {
		a.loadFiles(dt.Get("files"))
		return
	}
	files, names := js.Global().Get("Array").New(), []string(nil)
	r := &reads{a: a, done: func(a *app, problems []string) {
		switch {
		case len(problems) > 0:
			a.notice("Not trained on the dropped folder (the current run goes on): " + strings.Join(problems, "; "))
		case !lab.IsImageSet(a.cfg.Scene, names):
			a.notice("Not trained on the dropped folder (the current run goes on): it holds no .npy, IDX or PNG/JPEG images.")
		default:
			a.useImageSet(files, names)
		}
	}}
	var visit func(e js.Value)
	visit = func(e js.Value) {
		if files.Length()+r.pending > data.MaxFolderImages {
			if len(r.problems) == 0 {
				r.problems = append(r.problems, fmt.Sprintf("more than %d files", data.MaxFolderImages))
			}
			return
		}
		path := strings.TrimPrefix(e.Get("fullPath").String(), "/")
		if !e.Get("isDirectory").Bool() {
			r.call(e, "file", path+" could not be read", func(f js.Value) {
				files.Call("push", f)
				names = append(names, path)
			})
			return
		}
		// readEntries gives a folder's entries in batches until an empty one
		reader := e.Call("createReader")
		var more func()
		more = func() {
			r.call(reader, "readEntries", path+" could not be read", func(list js.Value) {
				for i := 0; i < list.Length(); i++ {
					visit(list.Index(i))
				}
				if list.Length() > 0 {
					more()
				}
			})
		}
		more()
	}
	for _, e := range entries {
		visit(e)
	}
	r.check()
}

// callbacks makes a pair of JavaScript callbacks, of which one will be
// called once, with its first argument: both are released then.
func callbacks(ok, fail func(js.Value)) (js.Func, js.Func) {
	var f, g js.Func
	wrap := func(h func(js.Value)) func(js.Value, []js.Value) any {
		return func(_ js.Value, args []js.Value) any {
			f.Release()
			g.Release()
			arg := js.Undefined()
			if len(args) > 0 {
				arg = args[0]
			}
			h(arg)
			return nil
		}
	}
	f, g = js.FuncOf(wrap(ok)), js.FuncOf(wrap(fail))
	return f, g
}

// fileNames returns the names of a FileList's files with the relative paths
// a picked folder gives them (apples/red/1.png), which say their classes.
func fileNames(files js.Value) []string {
	names := make([]string, files.Length())
	for i := range names {
		f := files.Index(i)
		names[i] = f.Get("name").String()
		if rel := f.Get("webkitRelativePath"); rel.Type() == js.TypeString && rel.String() != "" {
			names[i] = rel.String()
		}
	}
	return names
}

// imageFile is one file of an image set as the page read it: the bytes stay
// in a JavaScript ArrayBuffer, handed to the worker without a copy here.
type imageFile struct {
	name string
	size int64
	buf  js.Value
}

// readProgressAfter is how long reading and decoding files may take before
// the page says how far it has got.
const readProgressAfter = time.Second

// savedModel is a saved model's two files as the page read them.
type savedModel struct{ config, weights []byte }

// useImageSet reads the files an image set needs (lab.PlanImageSet: the
// first bytes of a big .npy file, some of the pictures of a big folder) and
// trains the vae or morph scene on them — or, when a saved model's two
// files came with them (lab.SavedModelFiles), loads that model on them.
// Progress is shown when it takes over a second; a bad file is named in a
// message and the current run goes on.
func (a *app) useImageSet(files js.Value, names []string) {
	ci, wi, err := lab.SavedModelFiles(names)
	var model *savedModel
	if err == nil && (ci >= 0 || wi >= 0) {
		model = &savedModel{}
		if ci < 0 || wi < 0 {
			err = fmt.Errorf("pick both files a saved model consists of, %s and %s, with its images", lab.ConfigFile, lab.WeightsFile)
		}
	}
	fail := failed(model)
	if err != nil {
		a.notice(fail + err.Error())
		return
	}
	sizes := make([]int64, len(names))
	for i := range sizes {
		sizes[i] = int64(files.Index(i).Get("size").Float())
	}
	plan, err := lab.PlanImageSet(names, sizes)
	if err != nil {
		a.notice(fail + err.Error())
		return
	}
	var read []imageFile
	start, lastNote := time.Now(), time.Time{}
	total := 0
	for _, n := range plan {
		if n > 0 {
			total++
		}
	}
	r := &reads{a: a, done: func(a *app, problems []string) {
		if len(problems) > 0 {
			a.notice(fail + strings.Join(problems, "; "))
			return
		}
		a.learnImages(read, model, start)
	}, ended: func(left int) {
		if now := time.Now(); now.Sub(start) > readProgressAfter && now.Sub(lastNote) > readProgressAfter/4 {
			lastNote = now
			msg := fmt.Sprintf("Reading your files: %d of %d…", total-left, total)
			a.queue = append(a.queue, func(a *app) { a.notice(msg) })
		}
	}}
	for i, n := range plan {
		if n > 0 {
			r.read(files.Index(i).Call("slice", 0, float64(n)).Call("arrayBuffer"), names[i]+" could not be read", func(buf js.Value) {
				read = append(read, imageFile{name: names[i], size: sizes[i], buf: buf})
			})
		}
	}
	if model != nil {
		total += 2
		for _, f := range []struct {
			at    int
			limit int64
			dst   *[]byte
		}{{ci, maxConfigFile, &model.config}, {wi, maxModelFile, &model.weights}} {
			if sizes[f.at] > f.limit {
				r.problems = append(r.problems, fmt.Sprintf("%s is %d bytes, over the %d-byte limit", names[f.at], sizes[f.at], f.limit))
				continue
			}
			r.read(files.Index(f.at).Call("arrayBuffer"), names[f.at]+" could not be read", func(buf js.Value) {
				*f.dst = bytesFromJS(js.Global().Get("Uint8Array").New(buf))
			})
		}
	}
	r.check()
}

// failed begins the message of files that were not used: images to learn,
// or a model (when model is not nil) to load on them.
func failed(model *savedModel) string {
	if model != nil {
		return "Model not loaded (the current run goes on): "
	}
	return "Not trained on your files (the current run goes on): "
}

// learnImages hands the read files to the host, which builds the scene on
// them (around model, when it is not nil); the decoding's progress is shown
// once it all takes over a second.
func (a *app) learnImages(files []imageFile, model *savedModel, start time.Time) {
	var lastNote time.Time
	a.host.useImages(a.cfg, files, model, func(done, total int) {
		if now := time.Now(); now.Sub(start) > readProgressAfter && now.Sub(lastNote) > readProgressAfter/4 {
			lastNote = now
			msg := fmt.Sprintf("Decoding your images: %d of %d files…", done, total)
			a.queue = append(a.queue, func(a *app) { a.notice(msg) })
		}
	}, func(cfg lab.Config, about string, err error) {
		a.queue = append(a.queue, func(a *app) {
			if err != nil {
				a.notice(failed(model) + err.Error())
				return
			}
			a.started = true
			a.cfg, a.hashErr, a.lastErr = cfg, "", ""
			a.lastSave = time.Time{}
			replaceHash(cfg.Hash())
			if a.panel != nil {
				a.panel.addClassOptions()
				a.panel.sync(cfg)
			}
			if model != nil {
				a.notice("Loaded the model on " + about + ". (A link cannot carry your files: share them with it.)")
				return
			}
			a.notice("Training on " + about + ". (A link cannot carry your files: share them with it.)")
		})
	})
}

// addClassOptions offers the classes of a user's image set (lab.ClassNames
// grows with them) as the morph's endpoints.
func (p *panel) addClassOptions() {
	for _, name := range []string{"from", "to"} {
		sel, ok := p.controls[name]
		if !ok {
			continue
		}
		have := map[string]bool{}
		opts := sel.Get("options")
		for i := 0; i < opts.Length(); i++ {
			have[opts.Index(i).Get("value").String()] = true
		}
		for _, c := range lab.ClassNames {
			if !have[c] {
				o := document().Call("createElement", "option")
				o.Set("textContent", c)
				o.Set("value", c)
				sel.Call("appendChild", o)
			}
		}
	}
}

// folderPicker makes the Folder… button and its hidden input, which picks
// a whole folder (one sub-folder of pictures per class, as Fruits-360 is
// laid out) for the vae and morph scenes.
func (p *panel) folderPicker() (button, input js.Value) {
	input = document().Call("createElement", "input")
	input.Set("type", "file")
	input.Set("webkitdirectory", true)
	input.Set("multiple", true)
	input.Get("style").Set("display", "none")
	input.Set("id", "folder-input")
	change := js.FuncOf(func(this js.Value, args []js.Value) any {
		p.a.useData(input.Get("files"))
		input.Set("value", "")
		return nil
	})
	p.funcs = append(p.funcs, change)
	input.Call("addEventListener", "change", change)
	button = document().Call("createElement", "button")
	button.Set("textContent", "Folder…")
	button.Set("title", "train the VAE on a folder of pictures with one sub-folder per class (the sub-folders' names are the classes)")
	p.onClick(button, func() { input.Call("click") })
	return button, input
}

// Recording limits: 5 frames a second for at most 30 s, pictures reduced to
// 640 px, keep a GIF of the training to a few MB.
const (
	gifEvery     = 200 * time.Millisecond
	gifMaxFrames = 150
	gifMaxSide   = 640
)

// toggleGIF starts recording the picture as an animated GIF, or stops and
// downloads it.
func (a *app) toggleGIF() {
	if a.gif == nil {
		a.gif = render.NewAnimation([]render.Colormap{render.Magma}, nil)
		a.gif.MaxSide = gifMaxSide
		a.gifLast = time.Time{}
		a.notice("Recording a GIF of the picture… press GIF again to stop (at most 30 s).")
		return
	}
	anim := a.gif
	a.gif = nil
	if anim.Len() == 0 {
		a.notice("The GIF had no frames; nothing saved.")
		return
	}
	var buf bytes.Buffer
	if err := anim.Encode(&buf); err != nil {
		a.notice("Could not write the GIF: " + err.Error())
		return
	}
	download(fmt.Sprintf("likelab-%s.gif", a.cfg.Scene), "image/gif", buf.Bytes())
	a.notice(fmt.Sprintf("Saved a GIF of %d frames.", anim.Len()))
}

// recordFrame adds the current picture to a GIF being recorded.
func (a *app) recordFrame(now time.Time) {
	if a.gif == nil || !a.drawn || now.Sub(a.gifLast) < gifEvery {
		return
	}
	a.gifLast = now
	a.gif.Add(a.rgba, int(gifEvery/(10*time.Millisecond)))
	if a.gif.Len() >= gifMaxFrames {
		a.toggleGIF()
	}
}

// exportPNG downloads the current picture.
func (a *app) exportPNG() {
	b, err := a.pngBytes()
	if err != nil {
		a.notice("Could not export the picture: " + err.Error())
		return
	}
	download(fmt.Sprintf("likelab-%s-step%d.png", a.cfg.Scene, a.status.Step), "image/png", b)
}

func (a *app) pngBytes() ([]byte, error) {
	if a.rgba == nil || !a.drawn {
		return nil, errors.New("nothing drawn yet")
	}
	var buf bytes.Buffer
	err := render.EncodePNG(&buf, a.rgba)
	return buf.Bytes(), err
}

// The autosave keeps the model in localStorage so a reload (or Ebiten's
// reload after a lost WebGL context) resumes where it was. It is versioned
// and checksummed: a corrupted or foreign entry is ignored with a message.
const (
	autosaveKey     = "likelab.autosave"
	autosaveVersion = 1
	autosaveEvery   = 10 * time.Second
)

type autosave struct {
	Version int    `json:"v"`
	Hash    string `json:"hash"`
	Step    int    `json:"step"`
	CRC     uint32 `json:"crc"`
	Config  string `json:"config"`
	Weights string `json:"weights"` // base64
}

func autosaveCRC(config string, weights []byte) uint32 {
	c := crc32.ChecksumIEEE([]byte(config))
	return crc32.Update(c, crc32.IEEETable, weights)
}

// maybeAutosave saves the model when training has moved on since the last
// save and enough time has passed.
func (a *app) maybeAutosave(now time.Time) {
	if a.saving || now.Sub(a.lastSave) < autosaveEvery || a.status.Step == a.savedStep || a.status.Step == 0 {
		return
	}
	if a.cfg.Dataset == lab.FilesDataset && (a.cfg.Scene == "vae" || a.cfg.Scene == "morph") {
		return // a reload cannot bring the user's files back, so nothing could resume
	}
	a.saving, a.lastSave = true, now
	step, hash := a.status.Step, a.cfg.Hash()
	a.host.save(func(config, weights []byte, err error) {
		a.queue = append(a.queue, func(a *app) {
			a.saving = false
			if err != nil {
				return
			}
			e := autosave{Version: autosaveVersion, Hash: hash, Step: step, CRC: autosaveCRC(string(config), weights),
				Config: string(config), Weights: base64.StdEncoding.EncodeToString(weights)}
			b, _ := json.Marshal(e)
			if storageSet(autosaveKey, string(b)) {
				a.savedStep = step
			}
		})
	})
}

// restoreAutosave loads the saved model if it belongs to the configuration
// being opened; a bad entry is reported and removed.
func (a *app) restoreAutosave() {
	raw, ok := storageGet(autosaveKey)
	if !ok {
		return
	}
	var e autosave
	if err := json.Unmarshal([]byte(raw), &e); err != nil || e.Version != autosaveVersion {
		storageRemove(autosaveKey)
		a.notice("A saved session from another version of likelab was ignored.")
		return
	}
	if e.Hash != a.cfg.Hash() {
		return // it belongs to another link; keep it for that one
	}
	weights, err := base64.StdEncoding.DecodeString(e.Weights)
	if err != nil || autosaveCRC(e.Config, weights) != e.CRC {
		storageRemove(autosaveKey)
		a.notice("The saved session was damaged and has been ignored; training starts afresh.")
		return
	}
	a.savedStep = e.Step
	a.loadModel([]byte(e.Config), weights, fmt.Sprintf("the saved session (step %d)", e.Step))
}

// storage calls go through try/catch-like guards: localStorage throws when
// disabled or full, and a JS exception would otherwise panic in Go.
func storageGet(key string) (string, bool) {
	var v js.Value
	if !jsTry(func() { v = js.Global().Get("localStorage").Call("getItem", key) }) || v.IsNull() || v.IsUndefined() {
		return "", false
	}
	return v.String(), true
}

func storageSet(key, value string) bool {
	return jsTry(func() { js.Global().Get("localStorage").Call("setItem", key, value) })
}

func storageRemove(key string) {
	jsTry(func() { js.Global().Get("localStorage").Call("removeItem", key) })
}

func jsTry(f func()) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f()
	return true
}
